/* SPDX-License-Identifier: BSD-2-Clause */
/* Internal helpers shared by the netdev library's source files. Not installed. */
#ifndef SFO_ND_UTIL_H
#define SFO_ND_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Format into a caller's error buffer (always NUL-terminated when @errlen > 0). */
__attribute__((format(printf, 3, 4))) void nd_set_err(char *err, size_t errlen, const char *fmt,
						      ...);

/* A datagram socket usable for SIOC* and SIOCETHTOOL ioctls, or -errno. */
int nd_ioctl_socket(void);

/* ioctl(@cmd) on a fresh ioctl socket; 0 or -errno. */
int nd_ioctl(unsigned long cmd, void *arg);

/* True if @name is a usable interface name: 1..15 chars, no '/', not "." or "..". */
bool nd_ifname_ok(const char *name);

/* Read up to @len - 1 bytes of @path into @buf (NUL-terminated). Bytes read or -errno. */
ssize_t nd_read_file(const char *path, char *buf, size_t len);

/* Write @text to an existing file @path. 0 or -errno. */
int nd_write_file(const char *path, const char *text);

/* ICMPv6 checksum of @len bytes at @icmp (its checksum field zero) from
 * @src to @dst (16 bytes each), in host order. */
uint16_t nd_icmp6_csum(const uint8_t *src, const uint8_t *dst, const uint8_t *icmp, size_t len);

#endif /* SFO_ND_UTIL_H */
