// SPDX-License-Identifier: BSD-2-Clause
/*
 * sfo-dp-bench: per-run cost of the datapath's tc programs, measured with
 * BPF_PROG_TEST_RUN on a 64-byte frame, against a program that only returns
 * (sfo_tc_baseline, in the same object). Each case runs R times (-r) in the
 * kernel, which reports the mean ns per run; the median of N such runs (-n)
 * is printed. Loads its own, unpinned copy of the object: it neither needs
 * nor touches an installed datapath. Needs root.
 *
 * The pair under test sits in slot 0 with ifindex 1 (lo) as both its standby
 * and its VF: BPF_PROG_TEST_RUN runs tc programs on an skb of the loopback
 * device; redirects are returned, not carried out.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp_abi.h"
#include "failover.skel.h"

#define LO_IFINDEX 1
#define SLOT	   0
#define MAX_RUNS   101

struct bench_case {
	const char *name;
	const char *what;
	struct bpf_program *prog;
	__u32 mode;
	bool broadcast;
	__u32 expect; /* retval */
};

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static void frame_init(uint8_t *f, size_t len, bool broadcast)
{
	static const uint8_t unicast[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };

	memset(f, 0, len);
	if (broadcast)
		memset(f, 0xff, 6);
	else
		memcpy(f, unicast, 6);
	memcpy(f + 6, unicast, 6);
	f[11] = 0x02;
	f[12] = 0x08; /* IPv4 */
	f[14] = 0x45;
	f[16] = 0;
	f[17] = (uint8_t)(len - 14);
	f[22] = 64;
	f[23] = 17; /* UDP */
}

static int set_pair(struct sfo_dp_bpf *skel, __u32 mode)
{
	struct sfo_pair pair = {
		.standby_ifindex = LO_IFINDEX,
		.vf_ifindex = LO_IFINDEX,
		.mode = mode,
		.flags = SFO_PAIR_F_DEDUP,
	};
	__u32 key = SLOT;

	return bpf_map__update_elem(skel->maps.sfo_pairs, &key, sizeof(key), &pair, sizeof(pair),
				    BPF_ANY);
}

/* lo -> slot 0, whose VF (devmap entry) is lo. The counters of an array
 * map start at zero. */
static int setup(struct sfo_dp_bpf *skel)
{
	__u32 ifindex = LO_IFINDEX, slot = SLOT, slot_plus_one = SLOT + 1;
	int err;

	err = bpf_map__update_elem(skel->maps.sfo_slot_of, &ifindex, sizeof(ifindex),
				   &slot_plus_one, sizeof(slot_plus_one), BPF_ANY);
	if (!err)
		err = bpf_map__update_elem(skel->maps.sfo_vf_dev, &slot, sizeof(slot), &ifindex,
					   sizeof(ifindex), BPF_ANY);
	return err;
}

static int run_once(const struct bench_case *bc, uint8_t *frame, size_t len, int repeat, __u32 *ns)
{
	DECLARE_LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
			    .repeat = repeat);
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(bc->prog), &opts);
	if (err)
		return err;
	if (opts.retval != bc->expect) {
		fprintf(stderr, "sfo-dp-bench: %s: returned %u, expected %u\n", bc->name,
			opts.retval, bc->expect);
		return -EPROTO;
	}
	*ns = opts.duration;
	return 0;
}

struct result {
	__u32 median, min, max;
	__u32 base; /* median of the empty program's runs interleaved with these */
};

/* @runs runs of @bc, each right after one of @base: the machine's load
 * drifts, so every case is compared with the empty program measured
 * alongside it. */
static int run_case(struct sfo_dp_bpf *skel, const struct bench_case *bc,
		    const struct bench_case *base, int repeat, int runs, struct result *r)
{
	__u32 ns[MAX_RUNS], base_ns[MAX_RUNS];
	uint8_t frame[64], plain[64];
	int i, err;

	frame_init(frame, sizeof(frame), bc->broadcast);
	frame_init(plain, sizeof(plain), false);
	err = set_pair(skel, bc->mode);
	if (err)
		return err;
	for (i = 0; i < runs; i++) {
		err = run_once(base, plain, sizeof(plain), repeat, &base_ns[i]);
		if (!err)
			err = run_once(bc, frame, sizeof(frame), repeat, &ns[i]);
		if (err)
			return err;
	}
	qsort(ns, runs, sizeof(ns[0]), cmp_u32);
	qsort(base_ns, runs, sizeof(base_ns[0]), cmp_u32);
	r->median = ns[runs / 2];
	r->min = ns[0];
	r->max = ns[runs - 1];
	r->base = base_ns[runs / 2];
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: sfo-dp-bench [-r REPEAT] [-n RUNS]\n"
		"  per-run cost (ns) of the datapath's tc programs, BPF_PROG_TEST_RUN,\n"
		"  median of RUNS (default 7, odd, <= %d) runs of REPEAT (default 1000000),\n"
		"  each run after one of the empty program; -base: above that program\n",
		MAX_RUNS);
	return 2;
}

int main(int argc, char **argv)
{
	int repeat = 1000000, runs = 7, opt, err, i;
	struct sfo_dp_bpf *skel;

	while ((opt = getopt(argc, argv, "r:n:h")) != -1) {
		if (opt == 'r')
			repeat = atoi(optarg);
		else if (opt == 'n')
			runs = atoi(optarg);
		else
			return usage();
	}
	if (repeat <= 0 || runs <= 0 || runs > MAX_RUNS)
		return usage();

	skel = sfo_dp_bpf__open();
	if (!skel) {
		fprintf(stderr, "sfo-dp-bench: open: %s\n", strerror(errno));
		return 1;
	}
	bpf_program__set_autoload(skel->progs.sfo_vf_close, false);
	err = sfo_dp_bpf__load(skel);
	if (!err)
		err = setup(skel);
	if (err) {
		fprintf(stderr, "sfo-dp-bench: load: %s\n", strerror(-err));
		sfo_dp_bpf__destroy(skel);
		return 1;
	}

	const struct bench_case base = { "baseline",	 "return only", skel->progs.sfo_tc_baseline,
					 SFO_DP_MODE_VF, false,		TC_ACT_UNSPEC };
	const struct bench_case cases[] = {
		base,
		{ "sby_egress", "mode vf: redirect to VF", skel->progs.sfo_sby_egress,
		  SFO_DP_MODE_VF, false, TC_ACT_REDIRECT },
		{ "sby_egress", "mode standby: pass", skel->progs.sfo_sby_egress,
		  SFO_DP_MODE_STANDBY, false, TC_ACT_UNSPEC },
		{ "vf_ingress", "unicast: redirect to standby", skel->progs.sfo_vf_ingress,
		  SFO_DP_MODE_VF, false, TC_ACT_REDIRECT },
		{ "vf_ingress", "broadcast, mode standby: drop", skel->progs.sfo_vf_ingress,
		  SFO_DP_MODE_STANDBY, true, TC_ACT_SHOT },
		{ "sby_ingress", "unicast: pass", skel->progs.sfo_sby_ingress, SFO_DP_MODE_VF,
		  false, TC_ACT_UNSPEC },
		{ "sby_ingress", "broadcast, mode vf: drop", skel->progs.sfo_sby_ingress,
		  SFO_DP_MODE_VF, true, TC_ACT_SHOT },
	};
	int net[sizeof(cases) / sizeof(cases[0])];

	printf("BPF_PROG_TEST_RUN, 64-byte frame, median of %d runs x %d repeats, each run after "
	       "one of the empty program\n",
	       runs, repeat);
	printf("%-12s %-30s %8s %8s %8s %8s %8s\n", "program", "case", "ns/run", "min", "max",
	       "-base", "x base");
	for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		struct result r;

		err = run_case(skel, &cases[i], &base, repeat, runs, &r);
		if (err) {
			fprintf(stderr, "sfo-dp-bench: %s: %s\n", cases[i].name, strerror(-err));
			break;
		}
		net[i] = (int)r.median - (int)r.base;
		printf("%-12s %-30s %8u %8u %8u %8d %8.2f\n", cases[i].name, cases[i].what,
		       r.median, r.min, r.max, net[i], r.base ? (double)r.median / r.base : 0.0);
	}
	if (!err)
		printf("per packet, net of the empty program: TX %d ns (sby_egress), RX %d ns "
		       "(vf_ingress + sby_ingress), unicast\n",
		       net[1], net[3] + net[5]);
	sfo_dp_bpf__destroy(skel);
	return err ? 1 : 0;
}
