// SPDX-License-Identifier: BSD-2-Clause
/*
 * One daemon per pin directory. Two daemons on the same pins would both
 * steer the same pairs from different pictures of them, and their set-ups
 * and rollbacks would undo each other's. The lock is an flock() on the pin
 * directory itself, taken before anything in it is touched and held until
 * exit: the kernel drops it with the process, also after kill -9, so there
 * is never a stale lock to remove. The holder is found in /proc/locks.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "daemon.h"

/* PID of the process holding an flock on @st's inode, 0 if not found. */
static int lock_holder(const struct stat *st)
{
	char line[256], want[64];
	int pid = 0;
	FILE *f;

	snprintf(want, sizeof(want), "%02x:%02x:%" PRIu64, major(st->st_dev), minor(st->st_dev),
		 (uint64_t)st->st_ino);
	f = fopen("/proc/locks", "re");
	if (!f)
		return 0;
	/* "1: FLOCK  ADVISORY  WRITE 1234 00:2a:5678 0 EOF"; waiters have "->" */
	while (!pid && fgets(line, sizeof(line), f)) {
		char type[16], mode[16], rw[16], id[64];
		int p;

		if (strstr(line, "->"))
			continue;
		if (sscanf(line, "%*d: %15s %15s %15s %d %63s", type, mode, rw, &p, id) == 5 &&
		    strcmp(type, "FLOCK") == 0 && strcmp(id, want) == 0)
			pid = p;
	}
	fclose(f);
	return pid;
}

static void report_holder(const char *dir, const struct stat *st)
{
	char path[64], comm[64] = "";
	int pid = lock_holder(st);
	FILE *f;

	if (pid <= 0) {
		dlog(SFO_LOG_ERR,
		     "another process holds the pin directory %s (another sriov-failoverd?): "
		     "not starting a second daemon on it",
		     dir);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	dlog(SFO_LOG_ERR,
	     "%s (PID %d) already runs on the pin directory %s: not starting a second daemon "
	     "on it",
	     comm[0] ? comm : "a process", pid, dir);
}

static int lock_failed(const char *dir, int err)
{
	dlog(SFO_LOG_ERR, "cannot lock the pin directory %s: %s", dir, strerror(err));
	return -err;
}

int pin_lock(struct daemon *d)
{
	struct stat held, now;

	/* The holder of an earlier lock may remove the directory on its way out
	 * (--release-on-exit): a lock on a removed directory guards nothing. */
	for (int tries = 0; tries < 3; tries++) {
		int fd;

		if (mkdir(d->bpffs, 0700) < 0 && errno != EEXIST)
			goto fail;
		fd = open(d->bpffs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			goto fail;
		if (fstat(fd, &held) < 0) {
			close(fd);
			goto fail;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			int err = errno;

			close(fd);
			if (err != EWOULDBLOCK) {
				errno = err;
				goto fail;
			}
			report_holder(d->bpffs, &held);
			return -EBUSY;
		}
		if (stat(d->bpffs, &now) == 0 && now.st_dev == held.st_dev &&
		    now.st_ino == held.st_ino) {
			d->pin_fd = fd;
			return 0;
		}
		close(fd);
	}
	errno = EAGAIN;
fail:
	return lock_failed(d->bpffs, errno);
}

void pin_unlock(struct daemon *d)
{
	if (d->pin_fd >= 0)
		close(d->pin_fd);
	d->pin_fd = -1;
}
