// SPDX-License-Identifier: BSD-2-Clause
/*
 * The control socket: a root-only unix stream socket. A client sends one
 * line ("status --json eth0", "release eth0", ...); the daemon answers with
 * a line holding the exit status for the CLI, then the body, and closes.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"

#define MAX_REQUEST 512
#define MAX_ARGS    8

int control_open(struct daemon *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];
	int fd;

	if (strlen(d->socket_path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->socket_path);
	snprintf(dir, sizeof(dir), "%s", d->socket_path);
	if (mkdir(dirname(dir), 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(d->socket_path); /* a previous instance's, or a crash's */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(d->socket_path, 0600) < 0 ||
	    listen(fd, 8) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	d->ctl_fd = fd;
	return 0;
}

void control_close(struct daemon *d)
{
	if (d->ctl_fd < 0)
		return;
	close(d->ctl_fd);
	unlink(d->socket_path);
	d->ctl_fd = -1;
}

static int resolve(const char *name)
{
	unsigned int idx = if_nametoindex(name);

	return idx ? (int)idx : -ENODEV;
}

/* Run one request; returns the CLI's exit status (0 ok, 1 refused, 2 usage). */
static int dispatch(struct daemon *d, int argc, char **argv, FILE *out, FILE *err)
{
	bool json = false;
	int i, n = 0, ifindex, ret;
	char *args[MAX_ARGS];

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else
			args[n++] = argv[i];
	}
	if (argc == 0) {
		fprintf(err, "empty request\n");
		return 2;
	}
	if (strcmp(argv[0], "status") == 0 && n <= 1) {
		if (!render_status(d, json, n ? args[0] : NULL, out)) {
			fprintf(err, "%s: not a managed standby or the VF of one\n", args[0]);
			return 1;
		}
		return 0;
	}
	if (strcmp(argv[0], "adapters") == 0 && n == 0) {
		render_adapters(d, json, out);
		return 0;
	}
	if (strcmp(argv[0], "events") == 0 && n <= 1) {
		long max = n ? strtol(args[0], NULL, 10) : SFO_EVENT_RING_SIZE;

		if (max <= 0) {
			fprintf(err, "events: count must be a positive number, got '%s'\n",
				args[0]);
			return 2;
		}
		render_events(d, json, (size_t)max, out);
		return 0;
	}
	if ((strcmp(argv[0], "release") == 0 || strcmp(argv[0], "resume") == 0) && n == 1) {
		bool release = argv[0][2] == 'l';

		ifindex = resolve(args[0]);
		if (ifindex < 0) {
			fprintf(err, "%s: no such interface\n", args[0]);
			return 1;
		}
		ret = release ? sfo_engine_release(d->eng, (uint32_t)ifindex)
			      : sfo_engine_resume(d->eng, (uint32_t)ifindex);
		if (ret < 0) {
			fprintf(err, "%s: not a managed standby or the VF of one\n", args[0]);
			return 1;
		}
		dlog(SFO_LOG_INFO, "%s: %s requested over the control socket", args[0], argv[0]);
		if (json)
			fprintf(out, "{}\n");
		else
			fprintf(out, "%s: %sd\n", args[0], argv[0]);
		return 0;
	}
	fprintf(err, "unknown request '%s' (or wrong arguments)\n", argv[0]);
	return 2;
}

static void serve(struct daemon *d, int fd)
{
	char req[MAX_REQUEST + 1], *argv[MAX_ARGS + 1], *save = NULL, *tok, *body = NULL,
							*ebody = NULL;
	size_t blen = 0, elen = 0;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	ssize_t len;
	FILE *out, *err;
	int argc = 0, code;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || cred.uid != 0) {
		dprintf(fd, "1\nonly root may use the control socket\n");
		return;
	}
	len = recv(fd, req, MAX_REQUEST, 0);
	if (len <= 0)
		return;
	req[len] = 0;
	req[strcspn(req, "\n")] = 0;
	for (tok = strtok_r(req, " \t", &save); tok && argc < MAX_ARGS;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	out = open_memstream(&body, &blen);
	err = open_memstream(&ebody, &elen);
	if (!out || !err) {
		if (out)
			fclose(out);
		if (err)
			fclose(err);
		dprintf(fd, "1\nout of memory\n");
		return;
	}
	code = dispatch(d, argc, argv, out, err);
	fclose(out);
	fclose(err);
	dprintf(fd, "%d\n", code);
	for (const char *p = code ? ebody : body, *end = p + (code ? elen : blen); p < end;) {
		ssize_t w = write(fd, p, (size_t)(end - p));

		if (w <= 0)
			break;
		p += w;
	}
	free(body);
	free(ebody);
}

void control_accept(struct daemon *d)
{
	struct timeval tv = { .tv_sec = 1 };
	int fd;

	while ((fd = accept4(d->ctl_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		/* a client that stalls must not stall the datapath's control */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		serve(d, fd);
		close(fd);
	}
}
