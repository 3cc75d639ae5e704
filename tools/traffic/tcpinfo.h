/* SPDX-License-Identifier: BSD-2-Clause */
/* TCP_INFO fields the stream measurement needs, isolated from <netinet/tcp.h>. */
#ifndef SFO_TRAFFIC_TCPINFO_H
#define SFO_TRAFFIC_TCPINFO_H

#include <stdbool.h>
#include <stdint.h>

struct tcp_progress {
	bool have_bytes_acked; /* kernel reports tcpi_bytes_acked (Linux >= 4.1) */
	uint64_t bytes_acked;
	bool have_total_retrans;
	uint32_t total_retrans;
	uint32_t rtt_us;
};

/* Returns 0, or -1 if TCP_INFO is not available on fd. */
int tcpinfo_read(int fd, struct tcp_progress *p);

#endif
