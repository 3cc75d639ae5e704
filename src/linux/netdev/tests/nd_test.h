/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared helpers of the netdev tests. Each test binary moves itself into a
 * private network and mount namespace (with its own /sys) before running, so
 * every link it creates vanishes with the process, even after a crash, and
 * nothing it does is visible outside.
 */
#ifndef SFO_ND_TEST_H
#define SFO_ND_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "netdev/addr.h"
#include "netdev/link.h"
#include "netdev/rtnl.h"

/* Enter the private namespaces; 0 or -errno (-EPERM without root). */
int ndt_enter_netns(void);

/*
 * main() of every test binary: enter the namespaces (or print a TAP skip
 * when not allowed) and run @tests.
 */
int ndt_run(const char *group, const struct CMUnitTest *tests, size_t n);
#define NDT_RUN(group, tests) ndt_run(group, tests, sizeof(tests) / sizeof((tests)[0]))

/* Run a shell command (stdout discarded); returns its exit status. */
__attribute__((format(printf, 1, 2))) int ndt_sh(const char *fmt, ...);
/* Same, asserting success. */
#define NDT_SH(...) assert_int_equal(ndt_sh(__VA_ARGS__), 0)

/* ifindex of @name, 0 if none. */
int ndt_ifindex(const char *name);

/* A veth pair @a/@b, both down; returns a's ifindex (asserts). */
int ndt_veth(const char *a, const char *b);

/* Send @count Ethernet frames of @len bytes out of @ifindex (AF_PACKET). */
void ndt_send_frames(int ifindex, unsigned int count, size_t len);

/* Recorded rtnetlink events. */
enum ndt_kind { NDT_LINK, NDT_ADDR, NDT_MCAST };

struct ndt_event {
	enum ndt_kind kind;
	bool is_new;
	int ifindex;
	struct sfo_link link; /* NDT_LINK */
	struct sfo_addr addr; /* NDT_ADDR, NDT_MCAST */
};

#define NDT_MAX_EVENTS 4096

struct ndt_rec {
	struct ndt_event *ev;
	size_t n;
	size_t overflow;
};

/* Handlers that append to the struct ndt_rec passed as ctx. */
extern const struct sfo_rtnl_handlers ndt_rec_handlers;

void ndt_rec_init(struct ndt_rec *r);
void ndt_rec_free(struct ndt_rec *r);
void ndt_rec_clear(struct ndt_rec *r);

typedef bool (*ndt_match_fn)(const struct ndt_event *ev, const void *arg);

/* Index of the first recorded event matching, or -1. */
int ndt_rec_find(const struct ndt_rec *r, ndt_match_fn fn, const void *arg);

/*
 * Receive events (poll + sfo_rtnl_receive) until one matches or @timeout_ms
 * passes. Returns the event or NULL. Asserts sfo_rtnl_receive() does not
 * fail.
 */
const struct ndt_event *ndt_wait(struct sfo_rtnl *rt, struct ndt_rec *r, ndt_match_fn fn,
				 const void *arg, int timeout_ms);

/* Milliseconds of CLOCK_MONOTONIC. */
long long ndt_now_ms(void);

/* Parse "aa:bb:cc:dd:ee:ff". */
void ndt_mac(uint8_t mac[6], const char *text);

#endif /* SFO_ND_TEST_H */
