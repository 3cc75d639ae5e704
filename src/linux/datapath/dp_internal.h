/* SPDX-License-Identifier: BSD-2-Clause */
/* Internal helpers of the datapath loader, shared by its source files. */
#ifndef SFO_DP_INTERNAL_H
#define SFO_DP_INTERNAL_H

#include <limits.h>
#include <stdbool.h>

#include <linux/types.h>
#include <bpf/libbpf.h>

#include "datapath.h"

struct dp_log {
	sfo_dp_log_fn fn;
	void *arg;
};

struct sfo_dp_bpf;

struct sfo_dp {
	struct dp_log log;
	struct sfo_dp_bpf *skel;
	char pin_root[PATH_MAX];
	int slot_of_fd;
	int slot_of_high_fd;
	int pairs_fd;
	int vf_dev_fd;
	int stats_fd;
	int tally_fd;
	__u32 owner_map_id; /* id of sfo_pairs: marks our programs */
	int sby_egress_fd;
	int sby_ingress_fd;
	int vf_ingress_fd;
	__u64 netns_cookie; /* of the network namespace at open */
	int ncpus;
	bool has_close_hook;
	bool adopted;
};

/* Cookie of the caller's network namespace. */
int dp_netns_cookie(__u64 *cookie);

/* Zero the per-CPU counters of @slot if @reset (array entries always exist). */
int dp_counters_create(struct sfo_dp *dp, __u32 slot, bool reset);

void dp_logf(const struct dp_log *log, enum sfo_dp_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* 1 if program @prog_id references map @map_id, 0 if not, or -errno. This is
 * how "our" filters and links are told from others': all our programs use
 * the pinned sfo_pairs map. */
int dp_prog_uses_map(__u32 prog_id, __u32 map_id);

/* Kernel id of a program or map fd, 0 on error. */
__u32 dp_prog_id(int prog_fd);
__u32 dp_map_id(int map_fd);

/*
 * Attach @prog_fd as our tc filter (clsact, SFO_DP_TC_HANDLE/PRIORITY) at
 * @point of @ifindex, and check that the filter the kernel reports having
 * installed runs @prog_fd. A filter already in our slot is replaced only if
 * it runs one of our programs (uses map @owner_map_id): -EBUSY otherwise.
 * *@was_empty (if not NULL) tells whether our slot held no filter before the
 * attempt, so that a filter found there after a later failure is the one
 * this call attached; false when the call failed before finding out.
 */
int dp_tc_attach(const struct dp_log *log, int ifindex, enum bpf_tc_attach_point point, int prog_fd,
		 __u32 owner_map_id, bool *was_empty);

/* Remove our filter at @point of @ifindex if it is there and runs one of our
 * programs. A missing device, hook or filter is not an error. */
int dp_tc_detach(const struct dp_log *log, int ifindex, enum bpf_tc_attach_point point,
		 __u32 owner_map_id);

/* Remove the filter at @point of @ifindex only if it runs program @prog_id:
 * a rollback takes back what its own call attached, never what another
 * process (or an earlier daemon) put there. */
int dp_tc_detach_prog(const struct dp_log *log, int ifindex, enum bpf_tc_attach_point point,
		      __u32 prog_id);

/* The id of the program in our filter slot: 0 and *prog_id set, -ENOENT if
 * the slot (or the clsact qdisc) is empty, -ENODEV if there is no device. */
int dp_tc_query(int ifindex, enum bpf_tc_attach_point point, __u32 *prog_id);

#endif /* SFO_DP_INTERNAL_H */
