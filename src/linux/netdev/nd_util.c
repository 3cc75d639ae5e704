/* SPDX-License-Identifier: BSD-2-Clause */
/* Internal helpers: error buffers, ioctl sockets, small file I/O. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nd_util.h"

void nd_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int nd_ioctl_socket(void)
{
	int fd;

	/* Any socket reaches dev_ioctl(); AF_UNIX works even without IPv4. */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

int nd_ioctl(unsigned long cmd, void *arg)
{
	int fd, ret = 0;

	fd = nd_ioctl_socket();
	if (fd < 0)
		return fd;
	if (ioctl(fd, cmd, arg) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

bool nd_ifname_ok(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strnlen(name, IFNAMSIZ);
	if (len == 0 || len >= IFNAMSIZ)
		return false;
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	return true;
}

ssize_t nd_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if (!len)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, buf, len - 1);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

int nd_write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, text, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t nd_icmp6_csum(const uint8_t *src, const uint8_t *dst, const uint8_t *icmp, size_t len)
{
	uint32_t sum = sum16(0, src, 16);

	sum = sum16(sum, dst, 16);
	sum += (uint32_t)len; /* upper-layer length (< 64 KiB here) */
	sum += 58;	      /* next header: ICMPv6 */
	sum = sum16(sum, icmp, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
