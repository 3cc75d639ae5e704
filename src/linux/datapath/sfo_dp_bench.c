// SPDX-License-Identifier: BSD-2-Clause
/*
 * sfo-dp-bench: per-run cost of the datapath's tc programs, measured with
 * BPF_PROG_TEST_RUN on a 64-byte frame, against a program that only returns
 * (sfo_tc_baseline, in the same object). Each case runs R times (-r) in the
 * kernel, which reports the mean ns per run; the median of N such runs (-n)
 * is printed. Loads its own, unpinned copy of the object: it neither needs
 * nor touches an installed datapath. Needs root.
 *
 * The pair under test is keyed by ifindex 1 (lo): BPF_PROG_TEST_RUN runs
 * tc programs on an skb of the loopback device, so lo plays both the standby
 * and the VF; redirects are returned, not carried out.
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
		.vf_ifindex = LO_IFINDEX,
		.mode = mode,
		.flags = SFO_PAIR_F_DEDUP,
	};
	__u32 key = LO_IFINDEX;

	return bpf_map__update_elem(skel->maps.sfo_pairs, &key, sizeof(key), &pair, sizeof(pair),
				    BPF_ANY);
}

static int setup(struct sfo_dp_bpf *skel)
{
	int ncpus = libbpf_num_possible_cpus();
	__u32 key = LO_IFINDEX, zero = 0;
	struct sfo_counters *c;
	int err;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	c = calloc(ncpus, sizeof(*c));
	if (!c)
		return -ENOMEM;
	err = bpf_map__update_elem(skel->maps.sfo_stats, &key, sizeof(key), c, ncpus * sizeof(*c),
				   BPF_ANY);
	if (!err)
		err = bpf_map__update_elem(skel->maps.sfo_stats, &zero, sizeof(zero), c,
					   ncpus * sizeof(*c), BPF_ANY);
	free(c);
	if (!err)
		err = bpf_map__update_elem(skel->maps.sfo_vf_dev, &key, sizeof(key), &key,
					   sizeof(key), BPF_ANY);
	if (!err)
		err = bpf_map__update_elem(skel->maps.sfo_vf_to_standby, &key, sizeof(key), &key,
					   sizeof(key), BPF_ANY);
	return err;
}

static int run_case(struct sfo_dp_bpf *skel, const struct bench_case *bc, int repeat, int runs,
		    __u32 *median, __u32 *min, __u32 *max)
{
	__u32 ns[MAX_RUNS];
	uint8_t frame[64];
	int i, err;

	frame_init(frame, sizeof(frame), bc->broadcast);
	err = set_pair(skel, bc->mode);
	if (err)
		return err;
	for (i = 0; i < runs; i++) {
		DECLARE_LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
				    .data_size_in = sizeof(frame), .repeat = repeat);

		err = bpf_prog_test_run_opts(bpf_program__fd(bc->prog), &opts);
		if (err)
			return err;
		if (opts.retval != bc->expect) {
			fprintf(stderr, "sfo-dp-bench: %s: returned %u, expected %u\n", bc->name,
				opts.retval, bc->expect);
			return -EPROTO;
		}
		ns[i] = opts.duration;
	}
	qsort(ns, runs, sizeof(ns[0]), cmp_u32);
	*median = ns[runs / 2];
	*min = ns[0];
	*max = ns[runs - 1];
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: sfo-dp-bench [-r REPEAT] [-n RUNS]\n"
		"  per-run cost (ns) of the datapath's tc programs, BPF_PROG_TEST_RUN,\n"
		"  median of RUNS (default 7, odd, <= %d) runs of REPEAT (default 1000000)\n",
		MAX_RUNS);
	return 2;
}

int main(int argc, char **argv)
{
	int repeat = 1000000, runs = 7, opt, err, i;
	struct sfo_dp_bpf *skel;
	__u32 base = 0;

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

	const struct bench_case cases[] = {
		{ "baseline", "return only", skel->progs.sfo_tc_baseline, SFO_DP_MODE_VF, false,
		  TC_ACT_UNSPEC },
		{ "sby_egress", "mode vf: redirect to VF", skel->progs.sfo_sby_egress,
		  SFO_DP_MODE_VF, false, TC_ACT_REDIRECT },
		{ "sby_egress", "mode standby: pass", skel->progs.sfo_sby_egress,
		  SFO_DP_MODE_STANDBY, false, TC_ACT_UNSPEC },
		{ "vf_ingress", "unicast: redirect to standby", skel->progs.sfo_vf_ingress,
		  SFO_DP_MODE_VF, false, TC_ACT_REDIRECT },
		{ "sby_ingress", "unicast: pass", skel->progs.sfo_sby_ingress, SFO_DP_MODE_VF,
		  false, TC_ACT_UNSPEC },
		{ "sby_ingress", "broadcast, mode vf: drop", skel->progs.sfo_sby_ingress,
		  SFO_DP_MODE_VF, true, TC_ACT_SHOT },
	};

	printf("BPF_PROG_TEST_RUN, 64-byte frame, median of %d runs x %d repeats\n", runs, repeat);
	printf("%-12s %-30s %8s %8s %8s %8s %8s\n", "program", "case", "ns/run", "min", "max",
	       "-base", "x base");
	for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		__u32 med, lo, hi;

		err = run_case(skel, &cases[i], repeat, runs, &med, &lo, &hi);
		if (err) {
			fprintf(stderr, "sfo-dp-bench: %s: %s\n", cases[i].name, strerror(-err));
			break;
		}
		if (i == 0)
			base = med;
		printf("%-12s %-30s %8u %8u %8u %8d %8.2f\n", cases[i].name, cases[i].what, med, lo,
		       hi, (int)med - (int)base, base ? (double)med / base : 0.0);
	}
	sfo_dp_bpf__destroy(skel);
	return err ? 1 : 0;
}
