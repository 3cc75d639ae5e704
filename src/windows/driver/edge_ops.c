// SPDX-License-Identifier: BSD-2-Clause
/*
 * What the engine asks of the driver: its struct sfo_ops. Every op runs with
 * the driver's lock held (every engine call is made under it), so none calls
 * NDIS in a way that could call back or needs PASSIVE_LEVEL: steering flips
 * the pointer the TX and RX paths read, the VF's receive settings are left
 * as work for after the lock (mirror_due, oid.c), memory and the timer object
 * are DISPATCH_LEVEL calls.
 *
 * What the VF ops mean on Windows:
 *   vf_prepare  pairs the offered (or already bound) VF binding with its
 *               standby: the protocol binds it only when the engine did
 *               this (vf_binding.c). One binding per standby: a spare is
 *               refused (-SFO_EBUSY) and NDIS offers it again once the VF's
 *               binding goes.
 *   vf_release  unpairs it: the binding carries nothing of the standby's
 *               any more; it stays open until NDIS unbinds it.
 *   vf_open     nothing to do: the bind opens the binding right after the
 *               engine paired it, and it reports "up" once open.
 */
#include "sriovfo.h"

static struct sfo_standby *standby_of(uint32_t id)
{
	for (struct sfo_standby *sb = sfo_drv.standbys; sb; sb = sb->next)
		if (sb->id == id)
			return sb;
	return NULL;
}

static struct sfo_vf *vf_of(uint32_t id)
{
	for (struct sfo_vf *vf = sfo_drv.vfs; vf; vf = vf->next)
		if (vf->id == id)
			return vf;
	return NULL;
}

static void *op_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return sfo_win_alloc(size);
}

static void op_free(void *ctx, void *ptr)
{
	(void)ctx;
	sfo_win_free(ptr);
}

static uint64_t op_now_ns(void *ctx)
{
	(void)ctx;
	return sfo_drv_now_ns();
}

/* One NDIS timer object; a relative due time, rounded up to its 100 ns. */
static void op_timer_set(void *ctx, uint64_t deadline_ns)
{
	uint64_t now = op_now_ns(ctx);
	LARGE_INTEGER due;

	if (!deadline_ns) {
		NdisCancelTimerObject(sfo_drv.timer);
		return;
	}
	due.QuadPart = deadline_ns > now ? -(LONGLONG)((deadline_ns - now + 99) / 100) : -1;
	NdisSetTimerObject(sfo_drv.timer, due, 0, NULL);
}

/* The filter module is the standby's datapath: nothing to install. */
static int op_datapath_attach(void *ctx, uint32_t standby_id)
{
	(void)ctx;
	return standby_of(standby_id) ? 0 : -SFO_ENOENT;
}

static void op_datapath_detach(void *ctx, uint32_t standby_id)
{
	struct sfo_standby *sb = standby_of(standby_id);

	(void)ctx;
	if (sb)
		sb->path = NULL;
}

static int op_steer(void *ctx, uint32_t standby_id, uint32_t vf_id)
{
	struct sfo_standby *sb = standby_of(standby_id);
	struct sfo_vf *vf = vf_id ? vf_of(vf_id) : NULL;

	(void)ctx;
	if (!sb)
		return -SFO_ENOENT;
	if (!vf_id) {
		sb->path = NULL;
		return 0;
	}
	/* NDIS's rule, whatever is asked: never a send on a paused or closed binding */
	if (!vf || vf->standby != sb || !vf->open || vf->paused)
		return -SFO_EINVAL;
	sb->path = vf;
	return 0;
}

static int op_vf_prepare(void *ctx, uint32_t standby_id, uint32_t vf_id)
{
	struct sfo_standby *sb = standby_of(standby_id);
	struct sfo_vf *vf = vf_of(vf_id);

	(void)ctx;
	if (!sb || !vf)
		return -SFO_ENOENT;
	if (sb->vf && sb->vf != vf)
		return -SFO_EBUSY; /* a spare: offered again when the VF's binding goes */
	sb->vf = vf;
	vf->standby = sb;
	sfo_offload_changed_locked(sb); /* the stack may use only what both have */
	return 0;
}

static void op_vf_release(void *ctx, uint32_t standby_id, uint32_t vf_id)
{
	struct sfo_standby *sb = standby_of(standby_id);
	struct sfo_vf *vf = vf_of(vf_id);

	(void)ctx;
	if (sb && sb->vf == vf) {
		sb->vf = NULL;
		if (sb->path == vf)
			sb->path = NULL;
		sfo_offload_changed_locked(sb); /* the standby's own again */
	}
	if (vf) {
		vf->standby = NULL;
		vf->rx_given = vf->mirror_due = FALSE;
	}
}

static int op_vf_open(void *ctx, uint32_t vf_id)
{
	(void)ctx;
	return vf_of(vf_id) ? 0 : -SFO_ENOENT;
}

/* A protocol cannot change a miniport's MTU (its *JumboPacket setting does,
 * restarting it): the VF serves a standby whose MTU is at most its own. */
static int op_vf_set_mtu(void *ctx, uint32_t vf_id, uint32_t mtu)
{
	struct sfo_vf *vf = vf_of(vf_id);

	(void)ctx;
	if (!vf)
		return -SFO_ENOENT;
	return mtu <= vf->mtu ? 0 : -SFO_ERANGE;
}

/* The NDIS values follow after the lock (oid.c): the standby's packet filter
 * and multicast list as the stack set them, which @mode summarizes. */
static int op_vf_set_rx_mode(void *ctx, uint32_t vf_id, const struct sfo_rx_mode *mode)
{
	struct sfo_vf *vf = vf_of(vf_id);

	(void)ctx;
	(void)mode;
	if (!vf)
		return -SFO_ENOENT;
	vf->rx_given = vf->mirror_due = TRUE;
	return 0;
}

/* Offloads are not mirrored yet: a VF reports none supported, so the engine
 * asks for none; anything else is refused. */
static int op_vf_set_offloads(void *ctx, uint32_t vf_id, uint32_t offloads)
{
	(void)ctx;
	(void)vf_id;
	return offloads ? -SFO_EINVAL : 0;
}

/* The last statistics the adapter answered (stats.c); none yet: -SFO_ENOENT. */
static int op_read_counters(void *ctx, uint32_t id, struct sfo_counters *out)
{
	(void)ctx;
	return sfo_stats_read_locked(id, out);
}

/* Sent after the lock through the path in use (announce.c), counted with
 * sfo_engine_announced() as each frame completes. */
static void op_announce(void *ctx, uint32_t standby_id)
{
	struct sfo_standby *sb = standby_of(standby_id);

	(void)ctx;
	if (sb)
		sfo_announce_request_locked(sb);
}

static void op_log(void *ctx, enum sfo_log_level level, const char *msg)
{
	/* dpfilter.h: error 0, warning 1, trace 2, info 3 */
	static const ULONG dpfltr[] = { 0, 1, 2, 3 };

	(void)ctx;
	DbgPrintEx(SFO_DPFLTR_IHVNETWORK_ID, dpfltr[level], "sriovfo: %s\n", msg);
}

/* probe_path NULL: every path counts as proven (no ARP/NS probe yet). */
const struct sfo_ops sfo_drv_ops = {
	.alloc = op_alloc,
	.free = op_free,
	.now_ns = op_now_ns,
	.timer_set = op_timer_set,
	.datapath_attach = op_datapath_attach,
	.datapath_detach = op_datapath_detach,
	.steer = op_steer,
	.vf_prepare = op_vf_prepare,
	.vf_release = op_vf_release,
	.vf_open = op_vf_open,
	.vf_set_mtu = op_vf_set_mtu,
	.vf_set_rx_mode = op_vf_set_rx_mode,
	.vf_set_offloads = op_vf_set_offloads,
	.read_counters = op_read_counters,
	.announce = op_announce,
	.log = op_log,
};
