/* SPDX-License-Identifier: BSD-2-Clause */
/* Numeric socket addresses written as ADDR:PORT or [IPV6]:PORT. */
#ifndef SFO_TRAFFIC_ADDR_H
#define SFO_TRAFFIC_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define SFO_ADDR_STRLEN 96

struct sfo_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/*
 * Parses "10.0.0.1:5000", "[fd00::1]:5000" or "[fe80::1%eth0]:5000".  Only
 * numeric addresses are accepted.  Returns 0, or -1 with a reason in err.
 */
int addr_parse(const char *s, bool allow_port0, struct sfo_addr *a, char *err, size_t errlen);

/* Formats an address like addr_parse() accepts; returns buf. */
const char *addr_format(const struct sockaddr *sa, char *buf, size_t len);

#endif
