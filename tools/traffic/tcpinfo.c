/* SPDX-License-Identifier: BSD-2-Clause */
#include "tcpinfo.h"

#include <linux/tcp.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>

#define HAS_FIELD(len, field) \
	((len) >= offsetof(struct tcp_info, field) + sizeof(((struct tcp_info *)0)->field))

int tcpinfo_read(int fd, struct tcp_progress *p)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	memset(p, 0, sizeof(*p));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	p->have_bytes_acked = HAS_FIELD(len, tcpi_bytes_acked);
	p->bytes_acked = p->have_bytes_acked ? ti.tcpi_bytes_acked : 0;
	p->have_total_retrans = HAS_FIELD(len, tcpi_total_retrans);
	p->total_retrans = p->have_total_retrans ? ti.tcpi_total_retrans : 0;
	p->rtt_us = HAS_FIELD(len, tcpi_rtt) ? ti.tcpi_rtt : 0;
	return 0;
}
