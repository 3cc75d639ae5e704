/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include "runctl.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void run_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

bool run_stopped(void)
{
	return stop_requested != 0;
}

int ready_file_clear(const char *path)
{
	if (path && unlink(path) < 0 && errno != ENOENT) {
		cli_error("--ready-file %s: cannot remove stale file: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int ready_file_create(const char *path, const char *bound_addr)
{
	char tmp[4096];
	FILE *f;

	if (!path)
		return 0;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp)) {
		cli_error("--ready-file %s: path too long", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f) {
		cli_error("--ready-file %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%s\n", bound_addr);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		cli_error("--ready-file %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

const char *errno_name(int err)
{
	static char buf[32];
	const char *name = NULL;

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	name = strerrorname_np(err);
#endif
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}
