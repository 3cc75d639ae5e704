/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include "sock.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"

int sock_open(const struct sfo_addr *a, int type)
{
	int fd = socket(a->ss.ss_family, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		cli_error("socket: %s", strerror(errno));
	return fd;
}

int sock_bind(int fd, const struct sfo_addr *a, const char *what)
{
	char name[SFO_ADDR_STRLEN];
	int one = 1, type = 0;
	socklen_t tl = sizeof(type);

	/* TCP listeners may rebind over TIME_WAIT; UDP sockets must not share a port. */
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		cli_error("%s %s: bind: %s", what,
			  addr_format((const struct sockaddr *)&a->ss, name, sizeof(name)),
			  strerror(errno));
		return -1;
	}
	return 0;
}

int sock_bind_device(int fd, const char *dev)
{
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev) + 1) < 0) {
		cli_error("--device %s: %s", dev, strerror(errno));
		return -1;
	}
	return 0;
}

void sock_set_buffer(int fd, int which, int bytes)
{
	int force = which == SO_RCVBUF ? SO_RCVBUFFORCE : SO_SNDBUFFORCE;

	if (setsockopt(fd, SOL_SOCKET, force, &bytes, sizeof(bytes)) < 0)
		setsockopt(fd, SOL_SOCKET, which, &bytes, sizeof(bytes));
}

const char *sock_local_name(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		buf[0] = '\0';
		return buf;
	}
	return addr_format((struct sockaddr *)&ss, buf, len);
}
