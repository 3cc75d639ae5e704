/* SPDX-License-Identifier: BSD-2-Clause */
/* Entry points of the sfo-traffic modes; argv[0] is the mode name. */
#ifndef SFO_TRAFFIC_MODES_H
#define SFO_TRAFFIC_MODES_H

int mode_udp_send(int argc, char **argv);
int mode_udp_recv(int argc, char **argv);
int mode_tcp_stream(int argc, char **argv);
int mode_tcp_sink(int argc, char **argv);

#endif
