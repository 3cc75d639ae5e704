/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control socket: a Unix stream socket, one command per connection
 * ("status", "events", "release" or "unplug", a line), one JSON object answered,
 * then the connection closes. An unknown command is answered with
 * {"error": ...}.
 */
#ifndef SFO_NDIS_HOST_CONTROL_H
#define SFO_NDIS_HOST_CONTROL_H

#include "host.h"

/* Listens on @path (a stale socket there is replaced): the descriptor, or
 * -errno. */
int control_open(const char *path);
/* A client connects: its descriptor joins @epfd (W_CLIENT). */
void control_accept(int listen_fd, int epfd);
/* A client's command arrived: answer it and close the connection. */
void control_serve(struct host *h, int fd);

#endif
