// SPDX-License-Identifier: BSD-2-Clause
/*
 * tc clsact filters of the datapath: attach, verify, detach, and telling our
 * filters from others'. Filters are not links: they stay when the process
 * exits, which is what lets traffic flow across daemon restarts, and they
 * work on kernels without tcx (the guest's 6.1).
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp_abi.h"
#include "dp_internal.h"

void dp_logf(const struct dp_log *log, enum sfo_dp_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!log || !log->fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log->fn(log->arg, level, msg);
}

__u32 dp_prog_id(int prog_fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return 0;
	return info.id;
}

__u32 dp_map_id(int map_fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return 0;
	return info.id;
}

int dp_prog_uses_map(__u32 prog_id, __u32 map_id)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	__u32 ids[16];
	int fd, err;
	__u32 i;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(uintptr_t)ids;
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err)
		err = -errno;
	close(fd);
	if (err)
		return err;
	for (i = 0; i < info.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (ids[i] == map_id)
			return 1;
	}
	return 0;
}

static const char *point_name(enum bpf_tc_attach_point point)
{
	return point == BPF_TC_INGRESS ? "ingress" : "egress";
}

int dp_tc_query(int ifindex, enum bpf_tc_attach_point point, __u32 *prog_id)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = SFO_DP_TC_HANDLE,
			    .priority = SFO_DP_TC_PRIORITY);
	char name[IF_NAMESIZE];
	int err;

	err = bpf_tc_query(&hook, &opts);
	if (!err) {
		*prog_id = opts.prog_id;
		return 0;
	}
	/* No device: -ENODEV. No clsact qdisc: the kernel answers -EINVAL
	 * ("parent not found"); no filter in the slot: -ENOENT. */
	if (!if_indextoname(ifindex, name))
		return -ENODEV;
	if (err == -EINVAL || err == -ENOENT)
		return -ENOENT;
	return err;
}

int dp_tc_attach(const struct dp_log *log, int ifindex, enum bpf_tc_attach_point point, int prog_fd,
		 __u32 owner_map_id, bool *was_empty)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = SFO_DP_TC_HANDLE,
			    .priority = SFO_DP_TC_PRIORITY);
	__u32 want = dp_prog_id(prog_fd), found;
	int err;

	if (was_empty)
		*was_empty = false;
	if (!want)
		return -EBADF;
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		dp_logf(log, SFO_DP_LOG_ERR, "ifindex %d: cannot create clsact qdisc: %s", ifindex,
			strerror(-err));
		return err;
	}
	/* A clsact qdisc made just now holds no filter: asking would cost a
	 * round trip through the RTNL lock on the way to holding a VF. */
	err = err ? dp_tc_query(ifindex, point, &found) : -ENOENT;
	if (!err) {
		if (found == want)
			return 0;
		err = dp_prog_uses_map(found, owner_map_id);
		/* Looking a program up by id needs CAP_SYS_ADMIN, which the
		 * hardened unit does not grant: then a filter at our own
		 * handle and priority is taken for an older instance of ours. */
		if (err == -EPERM) {
			dp_logf(log, SFO_DP_LOG_DEBUG,
				"ifindex %d %s: cannot inspect program %u (no CAP_SYS_ADMIN), "
				"replacing the filter at our handle",
				ifindex, point_name(point), found);
			err = 1;
		}
		if (err <= 0) {
			dp_logf(log, SFO_DP_LOG_ERR,
				"ifindex %d %s: tc filter %#x prio %d runs foreign program %u",
				ifindex, point_name(point), SFO_DP_TC_HANDLE, SFO_DP_TC_PRIORITY,
				found);
			return -EBUSY;
		}
		opts.flags = BPF_TC_F_REPLACE; /* an older instance of ours */
	} else if (err != -ENOENT) {
		return err;
	} else if (was_empty) {
		*was_empty = true;
	}
	opts.prog_fd = prog_fd;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		dp_logf(log, SFO_DP_LOG_ERR, "ifindex %d %s: tc attach failed: %s", ifindex,
			point_name(point), strerror(-err));
		return err;
	}
	/* Trust what the kernel reports, not the return code: a filter that
	 * silently is not there looks like a working datapath. libbpf asks for
	 * the new filter with NLM_F_ECHO and fills opts from the kernel's
	 * echo of it (no echo: -ENOENT above), so this checks the filter the
	 * kernel installed without another round trip. */
	if (opts.prog_id != want || opts.handle != SFO_DP_TC_HANDLE ||
	    opts.priority != SFO_DP_TC_PRIORITY) {
		dp_logf(log, SFO_DP_LOG_ERR,
			"ifindex %d %s: the kernel installed filter %#x prio %u running prog %u, "
			"want %#x prio %d running %u",
			ifindex, point_name(point), opts.handle, opts.priority, opts.prog_id,
			SFO_DP_TC_HANDLE, SFO_DP_TC_PRIORITY, want);
		return -EIO;
	}
	return 0;
}

/* Remove the filter in our slot: the caller checked whose it is. */
static int tc_detach_found(const struct dp_log *log, int ifindex, enum bpf_tc_attach_point point)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = SFO_DP_TC_HANDLE,
			    .priority = SFO_DP_TC_PRIORITY);
	int err;

	err = bpf_tc_detach(&hook, &opts);
	if (err == -ENOENT || err == -ENODEV)
		return 0; /* went away meanwhile */
	if (err)
		dp_logf(log, SFO_DP_LOG_ERR, "ifindex %d %s: tc detach failed: %s", ifindex,
			point_name(point), strerror(-err));
	return err;
}

int dp_tc_detach(const struct dp_log *log, int ifindex, enum bpf_tc_attach_point point,
		 __u32 owner_map_id)
{
	__u32 found;
	int err;

	err = dp_tc_query(ifindex, point, &found);
	if (err == -ENOENT || err == -ENODEV)
		return 0;
	if (err)
		return err;
	err = dp_prog_uses_map(found, owner_map_id);
	if (err == -EPERM)
		err = 1; /* no CAP_SYS_ADMIN: our handle and priority, so ours */
	if (err < 0)
		return err;
	if (!err) {
		dp_logf(log, SFO_DP_LOG_WARN, "ifindex %d %s: leaving foreign tc filter (prog %u)",
			ifindex, point_name(point), found);
		return 0;
	}
	return tc_detach_found(log, ifindex, point);
}

int dp_tc_detach_prog(const struct dp_log *log, int ifindex, enum bpf_tc_attach_point point,
		      __u32 prog_id)
{
	__u32 found;
	int err;

	err = dp_tc_query(ifindex, point, &found);
	if (err == -ENOENT || err == -ENODEV)
		return 0;
	if (err)
		return err;
	return found == prog_id ? tc_detach_found(log, ifindex, point) : 0;
}
