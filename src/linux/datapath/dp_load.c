// SPDX-License-Identifier: BSD-2-Clause
/*
 * Life cycle of the datapath: load the BPF object or adopt the one pinned by
 * an earlier process, pin it, attach the close hook; close; purge.
 *
 * Pins under the pin root: one per map, named as the map, and the close
 * hook's link. The tc filters are not pinned: they hold their programs, and
 * the programs hold the maps.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "dp_abi.h"
#include "dp_internal.h"
#include "failover.skel.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* Pin of the close hook's link, beside the maps' pins. */
#define DP_HOOK_LINK_PIN "sfo_vf_close_link"

/* ---- logging: libbpf has one print hook per process ---- */

static struct dp_log libbpf_log;

__attribute__((format(printf, 2, 0))) static int libbpf_print(enum libbpf_print_level level,
							      const char *fmt, va_list ap)
{
	char msg[512];
	size_t len;

	if (!libbpf_log.fn || level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	while (len && msg[len - 1] == '\n')
		msg[--len] = '\0';
	libbpf_log.fn(libbpf_log.arg, level == LIBBPF_WARN ? SFO_DP_LOG_WARN : SFO_DP_LOG_DEBUG,
		      msg);
	return 0;
}

static void set_log(struct dp_log *log, const struct sfo_dp_opts *opts)
{
	log->fn = opts ? opts->log : NULL;
	log->arg = opts ? opts->log_arg : NULL;
	libbpf_log = *log;
	libbpf_set_print(libbpf_print);
}

/* ---- small helpers ---- */

static int pin_path(char *buf, size_t size, const char *root, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", root, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int dp_netns_cookie(__u64 *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd, err = 0;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = -errno;
	close(fd);
	return err;
}

/* ---- open: load or adopt ---- */

/* Reuse the pin of @map if there is one: 1 reused, 0 none, or -errno. libbpf
 * 1.1 cannot do this by itself for a DEVMAP (the kernel adds
 * BPF_F_RDONLY_PROG to its flags and libbpf then sees a mismatch), so every
 * map is reused by hand, after our own check of its layout. */
static int map_reuse_pin(struct sfo_dp *dp, struct bpf_map *map)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd, err;

	err = pin_path(path, sizeof(path), dp->pin_root, bpf_map__name(map));
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	if (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
	    info.value_size != bpf_map__value_size(map) ||
	    info.max_entries != bpf_map__max_entries(map)) {
		dp_logf(&dp->log, SFO_DP_LOG_ERR,
			"%s: pinned map has another layout (older version?): purge it", path);
		err = -ESTALE;
		goto out;
	}
	err = bpf_map__reuse_fd(map, fd);
	if (!err)
		err = 1;
out:
	close(fd);
	return err;
}

/* Whether the pinned close-hook link runs our program: 1 yes (kept), 0 no
 * link (a stale one is unpinned), or -errno. */
static int hook_link_check(struct sfo_dp *dp, __u32 owner_map_id)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd, err;

	err = pin_path(path, sizeof(path), dp->pin_root, DP_HOOK_LINK_PIN);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	memset(&info, 0, sizeof(info));
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	if (err)
		return err;
	if (owner_map_id && dp_prog_uses_map(info.prog_id, owner_map_id) == 1)
		return 1;
	dp_logf(&dp->log, SFO_DP_LOG_WARN, "%s: stale close hook (maps were recreated): replaced",
		path);
	return unlink(path) ? -errno : 0;
}

static int hook_attach(struct sfo_dp *dp)
{
	struct bpf_link *link;
	char path[PATH_MAX];
	int err;

	err = pin_path(path, sizeof(path), dp->pin_root, DP_HOOK_LINK_PIN);
	if (err)
		return err;
	link = bpf_program__attach_trace(dp->skel->progs.sfo_vf_close);
	if (!link)
		return -errno;
	err = bpf_link__pin(link, path);
	if (!err)
		bpf_link__disconnect(link); /* the pin keeps it attached */
	bpf_link__destroy(link);
	return err;
}

/* Open the skeleton, reuse the pins, load. *reused counts the maps reused,
 * *nmaps all of them; *in_load tells a failure of the load itself. */
static int skel_load(struct sfo_dp *dp, bool with_hook, int *reused, int *nmaps, bool *in_load)
{
	struct bpf_map *map;
	int err;

	*reused = *nmaps = 0;
	*in_load = false;
	dp->skel = sfo_dp_bpf__open();
	if (!dp->skel)
		return -errno;
	bpf_program__set_autoload(dp->skel->progs.sfo_tc_baseline, false);
	bpf_program__set_autoload(dp->skel->progs.sfo_vf_close, with_hook);
	bpf_object__for_each_map(map, dp->skel->obj)
	{
		err = map_reuse_pin(dp, map);
		if (err < 0)
			return err;
		*reused += err;
		(*nmaps)++;
	}
	*in_load = true;
	return sfo_dp_bpf__load(dp->skel);
}

static int maps_pin(struct sfo_dp *dp)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int err;

	bpf_object__for_each_map(map, dp->skel->obj)
	{
		err = pin_path(path, sizeof(path), dp->pin_root, bpf_map__name(map));
		if (err)
			return err;
		if (!access(path, F_OK))
			continue; /* reused */
		err = bpf_map__pin(map, path);
		if (err)
			return err;
	}
	return 0;
}

static int pin_root_prepare(struct sfo_dp *dp)
{
	char parent[PATH_MAX];
	struct statfs st;
	char *slash;

	snprintf(parent, sizeof(parent), "%s", dp->pin_root);
	slash = strrchr(parent, '/');
	if (slash)
		*(slash == parent ? slash + 1 : slash) = '\0';
	else
		snprintf(parent, sizeof(parent), ".");
	if (statfs(parent, &st))
		return -errno;
	if (st.f_type != BPF_FS_MAGIC) {
		dp_logf(&dp->log, SFO_DP_LOG_ERR, "%s: not on bpffs (mount -t bpf bpf %s)",
			dp->pin_root, parent);
		return -ENOTSUP;
	}
	if (mkdir(dp->pin_root, 0700) && errno != EEXIST) {
		dp_logf(&dp->log, SFO_DP_LOG_ERR, "%s: %s", dp->pin_root, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Whether a close hook runs on our pinned maps already (it is then kept). */
static int hook_pinned(struct sfo_dp *dp)
{
	char path[PATH_MAX];
	int fd, err;

	err = pin_path(path, sizeof(path), dp->pin_root, "sfo_pairs");
	if (err)
		return err;
	fd = bpf_obj_get(path);
	err = hook_link_check(dp, fd >= 0 ? dp_map_id(fd) : 0);
	if (fd >= 0)
		close(fd);
	return err;
}

static int dp_load(struct sfo_dp *dp, bool want_hook)
{
	int reused, nmaps, err, pinned;
	bool with_hook, in_load;

	pinned = hook_pinned(dp);
	if (pinned < 0)
		return pinned;
	with_hook = want_hook && !pinned;
	err = skel_load(dp, with_hook, &reused, &nmaps, &in_load);
	if (err && in_load && with_hook) {
		dp_logf(&dp->log, SFO_DP_LOG_WARN,
			"close hook does not load (%s): continuing without it", strerror(-err));
		sfo_dp_bpf__destroy(dp->skel);
		with_hook = false;
		err = skel_load(dp, false, &reused, &nmaps, &in_load);
	}
	if (err) {
		dp_logf(&dp->log, SFO_DP_LOG_ERR, "loading the BPF object failed: %s",
			strerror(-err));
		return err;
	}
	dp->adopted = reused > 0;
	if (reused && reused < nmaps)
		dp_logf(&dp->log, SFO_DP_LOG_WARN, "%s: only %d of %d maps were pinned: completed",
			dp->pin_root, reused, nmaps);
	err = maps_pin(dp);
	if (err) {
		dp_logf(&dp->log, SFO_DP_LOG_ERR, "%s: pinning maps failed: %s", dp->pin_root,
			strerror(-err));
		return err;
	}
	dp->slot_of_fd = bpf_map__fd(dp->skel->maps.sfo_slot_of);
	dp->slot_of_high_fd = bpf_map__fd(dp->skel->maps.sfo_slot_of_high);
	dp->pairs_fd = bpf_map__fd(dp->skel->maps.sfo_pairs);
	dp->vf_dev_fd = bpf_map__fd(dp->skel->maps.sfo_vf_dev);
	dp->stats_fd = bpf_map__fd(dp->skel->maps.sfo_stats);
	dp->tally_fd = bpf_map__fd(dp->skel->maps.sfo_tally);
	dp->sby_egress_fd = bpf_program__fd(dp->skel->progs.sfo_sby_egress);
	dp->sby_ingress_fd = bpf_program__fd(dp->skel->progs.sfo_sby_ingress);
	dp->vf_ingress_fd = bpf_program__fd(dp->skel->progs.sfo_vf_ingress);
	dp->owner_map_id = dp_map_id(dp->pairs_fd);
	if (!dp->owner_map_id)
		return -EBADF;

	dp->has_close_hook = pinned;
	if (with_hook) {
		err = hook_attach(dp);
		if (err)
			dp_logf(&dp->log, SFO_DP_LOG_WARN,
				"close hook does not attach (%s): continuing without it",
				strerror(-err));
		dp->has_close_hook = !err;
	}
	return 0;
}

int sfo_dp_open(const char *pin_root, const struct sfo_dp_opts *opts, struct sfo_dp **out)
{
	struct sfo_dp *dp;
	bool want_hook;
	int err;

	*out = NULL;
	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	set_log(&dp->log, opts);
	if (!pin_root)
		pin_root = SFO_DP_PIN_ROOT_DEFAULT;
	if (snprintf(dp->pin_root, sizeof(dp->pin_root), "%s", pin_root) >=
	    (int)sizeof(dp->pin_root)) {
		err = -ENAMETOOLONG;
		goto fail;
	}
	err = pin_root_prepare(dp);
	if (err)
		goto fail;
	err = dp_netns_cookie(&dp->netns_cookie);
	if (err)
		goto fail;
	dp->ncpus = libbpf_num_possible_cpus();
	if (dp->ncpus <= 0) {
		err = dp->ncpus ? dp->ncpus : -EINVAL;
		goto fail;
	}
	/* fentry needs BTF, a JIT with trampolines and a kernel that lets us
	 * trace: probe instead of failing the whole load. */
	want_hook = !(opts && (opts->flags & SFO_DP_OPEN_NO_CLOSE_HOOK));
	if (want_hook && libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACING, NULL) != 1) {
		dp_logf(&dp->log, SFO_DP_LOG_INFO,
			"fentry programs are not available: no close hook");
		want_hook = false;
	}
	err = dp_load(dp, want_hook);
	if (err)
		goto fail;
	*out = dp;
	return 0;
fail:
	sfo_dp_close(dp);
	return err;
}

void sfo_dp_close(struct sfo_dp *dp)
{
	if (!dp)
		return;
	sfo_dp_bpf__destroy(dp->skel);
	free(dp);
}

bool sfo_dp_has_close_hook(const struct sfo_dp *dp)
{
	return dp->has_close_hook;
}

bool sfo_dp_adopted(const struct sfo_dp *dp)
{
	return dp->adopted;
}

/* ---- purge ---- */

static int purge_filters(const struct dp_log *log, const char *pin_root)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd, err = 0, e;
	struct sfo_pair pair;
	__u32 owner, slot;
	__u64 cookie;

	if (pin_path(path, sizeof(path), pin_root, "sfo_pairs"))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0; /* no owner map: no filter can be recognized as ours */
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	if (info.type != BPF_MAP_TYPE_ARRAY || info.value_size != sizeof(pair) ||
	    info.max_entries != SFO_DP_MAX_PAIRS) {
		dp_logf(log, SFO_DP_LOG_WARN,
			"%s: pinned by another version: its tc filters stay (tc filter del dev DEV "
			"ingress|egress pref %d handle %#x bpf)",
			path, SFO_DP_TC_PRIORITY, SFO_DP_TC_HANDLE);
		goto out;
	}
	owner = info.id;
	err = dp_netns_cookie(&cookie);
	if (err)
		goto out;
	for (slot = 0; slot < SFO_DP_MAX_PAIRS; slot++) {
		if (bpf_map_lookup_elem(fd, &slot, &pair) || !pair.standby_ifindex)
			continue;
		if (pair.netns_cookie != cookie) {
			dp_logf(log, SFO_DP_LOG_WARN,
				"pair of ifindex %u is in another network namespace: its filters stay",
				pair.standby_ifindex);
			continue;
		}
		e = dp_tc_detach(log, pair.standby_ifindex, BPF_TC_EGRESS, owner);
		err = err ? err : e;
		e = dp_tc_detach(log, pair.standby_ifindex, BPF_TC_INGRESS, owner);
		err = err ? err : e;
		if (pair.vf_ifindex) {
			e = dp_tc_detach(log, pair.vf_ifindex, BPF_TC_INGRESS, owner);
			err = err ? err : e;
		}
	}
out:
	close(fd);
	return err;
}

int sfo_dp_purge(const char *pin_root, const struct sfo_dp_opts *opts)
{
	struct sfo_dp_bpf *skel;
	char path[PATH_MAX];
	struct bpf_map *map;
	struct dp_log log;
	int err, e;

	set_log(&log, opts);
	if (!pin_root)
		pin_root = SFO_DP_PIN_ROOT_DEFAULT;
	if (access(pin_root, F_OK))
		return errno == ENOENT ? 0 : -errno;
	err = purge_filters(&log, pin_root);
	/* The pins are named after the object's maps: open it (no load) to
	 * list them. */
	skel = sfo_dp_bpf__open();
	if (!skel)
		return -errno;
	bpf_object__for_each_map(map, skel->obj)
	{
		if (pin_path(path, sizeof(path), pin_root, bpf_map__name(map)))
			continue;
		if (unlink(path) && errno != ENOENT && !err)
			err = -errno;
	}
	sfo_dp_bpf__destroy(skel);
	e = pin_path(path, sizeof(path), pin_root, DP_HOOK_LINK_PIN);
	if (!e && unlink(path) && errno != ENOENT)
		e = -errno;
	err = err ? err : e;
	if (rmdir(pin_root) && !err) {
		err = -errno;
		dp_logf(&log, SFO_DP_LOG_ERR, "%s: %s", pin_root, strerror(errno));
	}
	return err;
}
