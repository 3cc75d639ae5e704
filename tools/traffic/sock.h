/* SPDX-License-Identifier: BSD-2-Clause */
/* Socket setup shared by the modes; errors are reported with cli_error(). */
#ifndef SFO_TRAFFIC_SOCK_H
#define SFO_TRAFFIC_SOCK_H

#include <stddef.h>

#include "addr.h"

/* Opens a socket of the address family of a; -1 on error (reported). */
int sock_open(const struct sfo_addr *a, int type);

/* Binds fd to a (SO_REUSEADDR for TCP sockets only); -1 on error (reported). */
int sock_bind(int fd, const struct sfo_addr *a, const char *what);

/* Receives only what arrives on network device dev (SO_BINDTODEVICE); -1 on error
 * (reported). */
int sock_bind_device(int fd, const char *dev);

/* Asks for a socket buffer of bytes (SO_RCVBUF/SO_SNDBUF), beyond rmem_max if privileged. */
void sock_set_buffer(int fd, int which, int bytes);

/* Formats the local address of fd. */
const char *sock_local_name(int fd, char *buf, size_t len);

#endif
