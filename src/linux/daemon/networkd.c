// SPDX-License-Identifier: BSD-2-Clause
/*
 * Runtime .network files that keep systemd-networkd off the VFs we hold.
 *
 * networkd manages the interfaces of the network namespace it runs in, but
 * its runtime directory is shared by every namespace that shares /run: a
 * daemon in another network namespace must write nothing there, or its
 * files would unmanage same-named interfaces of the host and outlive the
 * namespace. So the files are written only when networkd is installed and
 * manages our namespace: it runs in it, or PID 1 (which starts it) does.
 * They match the VF by name, and by driver and permanent MAC where the VF
 * has them, so that they match nothing else. Files left by an earlier run
 * (kill -9) for VFs no longer held are removed after the first dump.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "netdev/ethtool.h"

#define NETWORKD_STATE	 "/run/systemd/netif" /* created where networkd is installed */
#define NETWORKD_RUNTIME "/run/systemd/network"
#define FILE_PREFIX	 "10-sriov-failover-"
#define FILE_SUFFIX	 ".network"
#define NETWORKD_COMM	 "systemd-network" /* comm is cut to 15 characters */

static void file_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, NETWORKD_RUNTIME "/" FILE_PREFIX "%s" FILE_SUFFIX, name);
}

/*
 * Whether process @pid is in the network namespace of the AF_UNIX socket
 * with inode @ino (ours). /proc/PID/ns/net needs ptrace rights over the
 * process, which the hardened unit does not have over PID 1; /proc/PID/net
 * does not, and /proc/PID/net/unix lists the sockets of its namespace.
 */
static bool shares_our_netns(int pid, unsigned long ino)
{
	char path[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/unix", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long i;

		/* Num RefCount Protocol Flags Type St Inode [Path] */
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu", &i) == 1 && i == ino)
			found = true;
	}
	fclose(f);
	return found;
}

/* PID of a systemd-networkd in our network namespace, 0 if none. */
static int networkd_here(unsigned long ino)
{
	struct dirent *de;
	int found = 0;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return 0;
	while (!found && (de = readdir(dir))) {
		char path[64], comm[32] = "";
		int pid = atoi(de->d_name);
		FILE *f;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
		if (strcmp(comm, NETWORKD_COMM) == 0 && shares_our_netns(pid, ino))
			found = pid;
	}
	closedir(dir);
	return found;
}

void networkd_probe(struct daemon *d)
{
	struct stat st;
	int fd, pid;

	d->networkd = false;
	if (access(NETWORKD_STATE, F_OK) != 0) {
		dlog(SFO_LOG_DEBUG, "no %s: systemd-networkd not installed", NETWORKD_STATE);
		return;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0); /* a marker of our namespace */
	if (fd < 0 || fstat(fd, &st) < 0) {
		dlog(SFO_LOG_WARN,
		     "cannot tell whether systemd-networkd manages this network "
		     "namespace: %s; no .network files written",
		     strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	pid = networkd_here(st.st_ino);
	if (pid || shares_our_netns(1, st.st_ino)) {
		d->networkd = true;
		if (pid)
			dlog(SFO_LOG_INFO,
			     "systemd-networkd (PID %d) runs in this network namespace: held VFs "
			     "get runtime .network files in %s",
			     pid, NETWORKD_RUNTIME);
		else
			dlog(SFO_LOG_INFO,
			     "PID 1 runs in this network namespace, which systemd-networkd "
			     "manages: held VFs get runtime .network files in %s",
			     NETWORKD_RUNTIME);
	} else {
		dlog(SFO_LOG_INFO,
		     "systemd-networkd does not manage this network namespace: no .network "
		     "files written in %s",
		     NETWORKD_RUNTIME);
	}
	close(fd);
}

void networkd_unmanage(struct daemon *d, int ifindex, const char *name)
{
	struct sfo_adapter_info info;
	uint8_t mac[SFO_MAC_LEN];
	char path[128];
	FILE *f;

	if (!d->networkd)
		return;
	mkdir(NETWORKD_RUNTIME, 0755);
	file_path(name, path, sizeof(path));
	f = fopen(path, "we");
	if (!f) {
		dlog(SFO_LOG_WARN, "%s: cannot write %s: %s", name, path, strerror(errno));
		return;
	}
	fprintf(f,
		"# Written by sriov-failoverd: %s (ifindex %d) is a VF it holds.\n"
		"# Removed when the VF is given back.\n[Match]\nName=%s\n",
		name, ifindex, name);
	/* The standby has the same permanent MAC, another driver: both narrow
	 * the match to this device (a VF without permanent MAC matches by name
	 * and driver). */
	if (sfo_ethtool_perm_addr(name, mac) == 0)
		fprintf(f, "PermanentMACAddress=%02x:%02x:%02x:%02x:%02x:%02x\n", mac[0], mac[1],
			mac[2], mac[3], mac[4], mac[5]);
	if (d->eng && sfo_engine_adapter_info(d->eng, (uint32_t)ifindex, &info) == 0 &&
	    info.driver[0])
		fprintf(f, "Driver=%s\n", info.driver);
	fprintf(f, "\n[Link]\nUnmanaged=yes\n");
	if (fclose(f) != 0)
		dlog(SFO_LOG_WARN, "%s: cannot write %s: %s", name, path, strerror(errno));
}

void networkd_forget(struct daemon *d, const char *name)
{
	char path[128];

	if (!d->networkd)
		return;
	file_path(name, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		dlog(SFO_LOG_WARN, "%s: cannot remove %s: %s", name, path, strerror(errno));
}

static bool held_name(struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->n_held; i++)
		if (strcmp(d->held[i].name, name) == 0)
			return true;
	return false;
}

void networkd_remove_stale(struct daemon *d)
{
	const size_t plen = strlen(FILE_PREFIX), slen = strlen(FILE_SUFFIX);
	struct dirent *de;
	DIR *dir;

	if (!d->networkd)
		return;
	dir = opendir(NETWORKD_RUNTIME);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		char name[SFO_NAME_MAX];

		if (len <= plen + slen || len - plen - slen >= sizeof(name) ||
		    strncmp(de->d_name, FILE_PREFIX, plen) != 0 ||
		    strcmp(de->d_name + len - slen, FILE_SUFFIX) != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - plen - slen), de->d_name + plen);
		if (held_name(d, name))
			continue;
		dlog(SFO_LOG_INFO,
		     "removing %s/%s: %s is not a VF we hold (left by an earlier run)",
		     NETWORKD_RUNTIME, de->d_name, name);
		networkd_forget(d, name);
	}
	closedir(dir);
}
