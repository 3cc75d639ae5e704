// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "events.h"

int control_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

void control_accept(int listen_fd, int epfd)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN };

	if (fd < 0)
		return;
	ev.data.u64 = WATCH(W_CLIENT, fd);
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		close(fd);
}

static void answer(struct host *h, const char *cmd, struct json *j)
{
	char names[128];
	int n;

	json_obj_open(j, NULL);
	if (strcmp(cmd, "status") == 0) {
		host_status_json(h, j);
	} else if (strcmp(cmd, "events") == 0) {
		events_json(j);
	} else if (strcmp(cmd, "release") == 0 || strcmp(cmd, "unplug") == 0) {
		bool release = cmd[0] == 'r';

		n = release ? host_release(h, names, sizeof(names))
			    : host_unplug(h, names, sizeof(names));
		json_str(j, n > 0 ? (release ? "released" : "unplugged") : "error", names);
	} else {
		json_str(j, "error", "unknown command: status, events, release or unplug");
	}
	json_obj_close(j);
}

void control_serve(struct host *h, int fd)
{
	char cmd[64], *reply = NULL;
	size_t len = 0;
	ssize_t n = recv(fd, cmd, sizeof(cmd) - 1, 0);
	struct json j;
	FILE *f;

	if (n == -1 && errno == EAGAIN)
		return; /* woken without data: wait for the line */
	if (n > 0) {
		cmd[n] = '\0';
		cmd[strcspn(cmd, "\r\n")] = '\0';
		f = open_memstream(&reply, &len);
		if (f) {
			json_begin(&j, f);
			answer(h, cmd, &j);
			json_end(&j);
			fclose(f);
			/* a short answer into an empty socket: one send */
			if (send(fd, reply, len, MSG_NOSIGNAL) < 0)
				fprintf(stderr, "sfo-ndis-host: control answer: %s\n",
					strerror(errno));
			free(reply);
		}
	}
	close(fd); /* leaves the epoll set */
}
