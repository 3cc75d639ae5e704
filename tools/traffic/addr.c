/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(const char *s, bool allow_port0, unsigned int *port, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	if (!*s || *s < '0' || *s > '9') {
		snprintf(err, errlen, "missing or invalid port");
		return -1;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 65535) {
		snprintf(err, errlen, "invalid port '%s'", s);
		return -1;
	}
	if (v == 0 && !allow_port0) {
		snprintf(err, errlen, "port 0 is not a valid destination");
		return -1;
	}
	*port = (unsigned int)v;
	return 0;
}

int addr_parse(const char *s, bool allow_port0, struct sfo_addr *a, char *err, size_t errlen)
{
	char host[SFO_ADDR_STRLEN];
	const char *port_str;
	struct addrinfo hints, *res = NULL;
	unsigned int port;
	size_t hlen;
	int rc;

	memset(a, 0, sizeof(*a));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':') {
			snprintf(err, errlen, "expected [IPV6]:PORT");
			return -1;
		}
		hlen = (size_t)(close - s - 1);
		port_str = close + 2;
		s++;
	} else {
		const char *colon = strrchr(s, ':');

		if (!colon) {
			snprintf(err, errlen, "expected ADDR:PORT or [IPV6]:PORT");
			return -1;
		}
		if (memchr(s, ':', (size_t)(colon - s))) {
			snprintf(err, errlen, "IPv6 addresses must be written as [IPV6]:PORT");
			return -1;
		}
		hlen = (size_t)(colon - s);
		port_str = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host)) {
		snprintf(err, errlen, "missing or too long address");
		return -1;
	}
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (parse_port(port_str, allow_port0, &port, err, errlen) < 0)
		return -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(host, port_str, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(err, errlen, "'%s' is not a numeric IPv4 or IPv6 address", host);
		return -1;
	}
	if (res->ai_addrlen > sizeof(a->ss)) {
		freeaddrinfo(res);
		snprintf(err, errlen, "address too long");
		return -1;
	}
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

const char *addr_format(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		char ifname[IF_NAMESIZE];

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		if (in6->sin6_scope_id && if_indextoname(in6->sin6_scope_id, ifname))
			snprintf(buf, len, "[%s%%%s]:%u", host, ifname, ntohs(in6->sin6_port));
		else if (in6->sin6_scope_id)
			snprintf(buf, len, "[%s%%%u]:%u", host, in6->sin6_scope_id,
				 ntohs(in6->sin6_port));
		else
			snprintf(buf, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, len, "(family %d)", sa->sa_family);
	}
	return buf;
}
