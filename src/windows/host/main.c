// SPDX-License-Identifier: BSD-2-Clause
/*
 * sfo-ndis-host: sriovfo.sys's sources (the Windows edge), built natively
 * on the NDIS emulation, moving real frames. The standby miniport is an
 * AF_PACKET socket on --standby, each VF miniport one on a link with the
 * standby's MAC as it appears, the stack a TAP device: what the guest's
 * Linux stack sends on the TAP goes into the filter's send path, what the
 * filter indicates up is written to the TAP. One epoll loop, one thread;
 * the emulation's clock (the driver's timer objects) follows CLOCK_MONOTONIC.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "control.h"
#include "events.h"
#include "host.h"
#include "json_print.h"

static const char usage[] =
	"Usage: sfo-ndis-host --standby IF [--tap NAME] [--control PATH] [-j] [-v]\n"
	"\n"
	"Runs the Windows edge's driver sources (sriovfo.sys) on the NDIS emulation with\n"
	"real frames, in the current network namespace, until SIGTERM or SIGINT:\n"
	"  the standby miniport   an AF_PACKET socket on IF (its filter attaches)\n"
	"  VF miniports           links with IF's MAC as they appear (rtnetlink): brought\n"
	"                         up with IF's MTU and offered to the driver's protocol;\n"
	"                         their operational state is the link state, deletion a\n"
	"                         surprise removal (orderly after a release)\n"
	"  the stack              the TAP device NAME with IF's MAC and MTU: give it the\n"
	"                         guest's address\n"
	"The Linux stack is kept off IF and the VFs (no ARP, no IPv4, no IPv6 on them).\n"
	"\n"
	"  -s, --standby IF      the interface standing for the standby (virtio-net)\n"
	"  -t, --tap NAME        the TAP device to create (default sfo0)\n"
	"  -c, --control PATH    a Unix socket taking one command per connection, answered\n"
	"                        in JSON: status, events, release (the engine drains the\n"
	"                        VF, as the service's release: sends on the standby, the\n"
	"                        VF's deletion later an orderly PnP removal), unplug (the\n"
	"                        orderly hot-unplug now: each VF's binding paused and\n"
	"                        unbound); created once everything is ready\n"
	"  -j, --json            the report at exit as JSON\n"
	"  -v, --verbose         every event on standard error\n"
	"  -h, --help            this text\n"
	"\n"
	"Exit status: 0 no NDIS rule broken and nothing leaked; 1 a rule broken, a leak or\n"
	"a fatal error while running; 2 bad usage or set-up failure (missing interface,\n"
	"no permission).\n";

struct options {
	const char *standby, *tap, *control;
	bool json, verbose;
};

static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "standby", required_argument, NULL, 's' },
		{ "tap", required_argument, NULL, 't' },
		{ "control", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){ .tap = "sfo0" };
	while ((c = getopt_long(argc, argv, "s:t:c:jvh", longs, NULL)) != -1) {
		switch (c) {
		case 's':
			o->standby = optarg;
			break;
		case 't':
			o->tap = optarg;
			break;
		case 'c':
			o->control = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			fputs("Try 'sfo-ndis-host --help'.\n", stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sfo-ndis-host: unexpected argument '%s'; try --help\n",
			argv[optind]);
		return -1;
	}
	if (!o->standby) {
		fputs("sfo-ndis-host: --standby IF is required; try --help\n", stderr);
		return -1;
	}
	return 0;
}

static int signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int add(int epfd, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* Until a signal or a fatal error. */
static void loop(struct host *h, int epfd, int control)
{
	struct epoll_event evs[16];

	while (!*h->fatal) {
		int n = epoll_wait(epfd, evs, 16, mp_timer_pending() ? 1 : -1);

		if (n < 0 && errno != EINTR) {
			snprintf(h->fatal, sizeof(h->fatal), "epoll_wait: %s", strerror(errno));
			return;
		}
		mp_clock(events_now_ns());
		for (int i = 0; i < n; i++) {
			unsigned idx = (uint32_t)evs[i].data.u64;

			switch ((enum watch)(evs[i].data.u64 >> 32)) {
			case W_SIGNAL:
				return;
			case W_RTNL:
				host_rtnl_readable(h);
				break;
			case W_TAP:
				host_tap_readable(h);
				break;
			case W_PORT:
				host_port_readable(h, idx, evs[i].events);
				break;
			case W_CONTROL:
				control_accept(control, epfd);
				break;
			case W_CLIENT:
				control_serve(h, (int)idx);
				break;
			}
		}
	}
}

static void report(const struct host *h, const struct mp_totals *t, bool json)
{
	struct printer p;

	print_begin(&p, stdout, json ? PRINT_MODE_JSON : PRINT_MODE_TEXT);
	print_obj_open(&p, NULL);
	print_u64(&p, PRINT_ANY, "stack_sent", "the stack sent %llu frames: ", h->tap_rx);
	print_u64(&p, PRINT_ANY, "sent_ok", "%llu completed, ", t->stack_sent_ok);
	print_u64(&p, PRINT_ANY, "sent_failed", "%llu failed; ", t->stack_sent_failed);
	print_u64(&p, PRINT_ANY, "stack_received", "received %llu\n", t->stack_received);
	print_u64(&p, PRINT_ANY, "standby_tx", "standby %llu frames out, ", h->standby.tx);
	print_u64(&p, PRINT_ANY, "standby_rx", "%llu in\n", h->standby.rx);
	print_i64(&p, PRINT_ANY, "violations", "NDIS rules broken: %lld, ", t->violations);
	print_i64(&p, PRINT_ANY, "live_nbls", "NBLs left: %lld, ", t->live_nbls);
	print_i64(&p, PRINT_ANY, "live_allocations", "allocations left: %lld\n",
		  t->live_allocations);
	print_str(&p, PRINT_ANY, "error", "error: %s\n", *h->fatal ? h->fatal : NULL);
	print_obj_close(&p);
	print_end(&p);
}

int main(int argc, char **argv)
{
	static struct host h; /* a frame buffer inside: not on the stack */
	struct options o;
	struct mp_totals t;
	char err[256] = "";
	int epfd, sfd, control = -1, ret;

	if (parse(argc, argv, &o) < 0)
		return 2;
	events_verbose(o.verbose);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	sfd = signals();
	if (epfd < 0 || sfd < 0 || add(epfd, sfd, WATCH(W_SIGNAL, 0)) < 0) {
		fprintf(stderr, "sfo-ndis-host: %s\n", strerror(errno));
		return 2;
	}
	if (host_open(&h, o.standby, o.tap, epfd, err, sizeof(err)) < 0) {
		fprintf(stderr, "sfo-ndis-host: %s\n", err);
		host_close(&h, &t);
		return 2;
	}
	if (o.control) {
		control = control_open(o.control);
		if (control < 0 || add(epfd, control, WATCH(W_CONTROL, 0)) < 0) {
			fprintf(stderr, "sfo-ndis-host: --control %s: %s\n", o.control,
				strerror(control < 0 ? -control : errno));
			host_close(&h, &t);
			return 2;
		}
	}
	mp_clock(events_now_ns());
	loop(&h, epfd, control);
	if (control >= 0) {
		close(control);
		unlink(o.control);
	}
	host_close(&h, &t);
	report(&h, &t, o.json);
	ret = *h.fatal || t.violations || t.live_nbls || t.live_allocations;
	return ret ? 1 : 0;
}
