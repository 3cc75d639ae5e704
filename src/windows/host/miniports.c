// SPDX-License-Identifier: BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"
#include "emu_ctl_device.h"
#include "miniports.h"
#include "sfo/engine.h"
#include "sriovfo.h"
#include "sriovfo_control.h"

struct mp {
	struct emu_adapter *a;
	UCHAR mac[6];
	mp_tx_fn tx;
	void *tx_ctx;
	mp_rx_fn to_stack;
	void *stack_ctx;
	bool link;
	char name[32];
};

static NDIS_STATUS wire_tx(void *arg, const UCHAR *frame, ULONG len)
{
	struct mp *m = arg;

	return m->tx(m->tx_ctx, frame, len) == 0 ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}

static void stack_rx(void *arg, const UCHAR *frame, ULONG len)
{
	struct mp *m = arg;

	m->to_stack(m->stack_ctx, frame, len);
}

static struct mp *mp_new(const char *name, const uint8_t mac[6], enum emu_kind kind, mp_tx_fn tx,
			 void *tx_ctx)
{
	struct mp *m = calloc(1, sizeof(*m));

	if (!m)
		abort();
	memcpy(m->mac, mac, 6);
	strncpy(m->name, name, sizeof(m->name) - 1);
	m->tx = tx;
	m->tx_ctx = tx_ctx;
	m->a = emu_adapter_new(m->name, m->mac, kind);
	emu_set_wire(m->a, wire_tx, m);
	return m;
}

int mp_load(void)
{
	return emu_load_driver() == STATUS_SUCCESS ? 0 : -1;
}

struct mp *mp_standby(const char *name, const uint8_t mac[6], uint32_t mtu, mp_tx_fn tx,
		      void *tx_ctx, mp_rx_fn to_stack, void *stack_ctx)
{
	struct mp *m = mp_new(name, mac, EMU_STANDBY, tx, tx_ctx);

	emu_adapter_set_mtu(m->a, mtu);
	m->to_stack = to_stack;
	m->stack_ctx = stack_ctx;
	emu_set_stack_rx(m->a, stack_rx, m);
	emu_filter_attach(m->a);
	if (emu_filter_paused(m->a)) { /* the attach or the restart failed */
		mp_free(m);
		return NULL;
	}
	/* what TCP/IP sets on an Ethernet adapter */
	emu_stack_set_packet_filter(m->a, NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST |
						  NDIS_PACKET_TYPE_BROADCAST);
	return m;
}

struct mp *mp_vf(const char *name, const uint8_t mac[6], uint32_t mtu, bool link, mp_tx_fn tx,
		 void *tx_ctx)
{
	struct mp *m = mp_new(name, mac, EMU_VF, tx, tx_ctx);

	emu_adapter_set_mtu(m->a, mtu);
	m->link = link;
	emu_link(m->a, link); /* not bound yet: only the state the bind reports */
	emu_offer(m->a);
	return m;
}

bool mp_bound(const struct mp *m)
{
	return emu_bound(m->a);
}

bool mp_link_up(const struct mp *m)
{
	return m->link;
}

void mp_link(struct mp *m, bool up)
{
	m->link = up;
	emu_link(m->a, up);
}

/* What the adapter's packet filter lets through (set by the stack on the
 * standby, mirrored by the driver on a VF). */
static bool filter_takes(const struct mp *m, const UCHAR *frame, size_t len)
{
	ULONG pf = emu_packet_filter(m->a);
	static const UCHAR broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (len < 14)
		return false;
	if (pf & NDIS_PACKET_TYPE_PROMISCUOUS)
		return true;
	if (memcmp(frame, broadcast, 6) == 0)
		return pf & NDIS_PACKET_TYPE_BROADCAST;
	if (frame[0] & 1)
		return pf & (NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_ALL_MULTICAST);
	return memcmp(frame, m->mac, 6) == 0 && (pf & NDIS_PACKET_TYPE_DIRECTED);
}

bool mp_receive(struct mp *m, const void *frame, size_t len)
{
	if (!filter_takes(m, frame, len))
		return false;
	emu_receive_frame(m->a, frame, (ULONG)len);
	return true;
}

void mp_stack_send(struct mp *standby, const void *frame, size_t len)
{
	emu_stack_send_frame(standby->a, frame, (ULONG)len);
}

void mp_remove(struct mp *m, bool surprise)
{
	emu_unplug(m->a, surprise);
}

void mp_free(struct mp *m)
{
	emu_adapter_free(m->a);
	free(m);
}

int mp_unload(struct mp *standby)
{
	int ret = 0;

	if (emu_filter_pause(standby->a) == NDIS_STATUS_SUCCESS || emu_filter_paused(standby->a))
		emu_filter_detach(standby->a);
	else
		ret = -1;
	emu_unload_driver();
	mp_free(standby);
	return ret;
}

/* The engine's status of the standby's pair: 0, or -1 without one. */
static int pair0(struct sfo_pair_status *st)
{
	struct sfo_engine *eng = sfo_drv_engine_lock();
	int err = eng ? sfo_engine_pair_status(eng, 0, st) : -1;

	sfo_drv_engine_unlock();
	return err ? -1 : 0;
}

/* As sriov-failover.exe asks it: IOCTL_SFO_RELEASE of the standby, by its
 * engine name, on the driver's control device opened by an administrator
 * for writing (the emulation plays the I/O manager). */
int mp_release(char *why, size_t len)
{
	struct sfo_ctl_target t = { .version = SFO_CTL_VERSION };
	struct sfo_pair_status st;
	struct emu_handle *h;
	NTSTATUS s;
	ULONG got = 0;

	if (pair0(&st) < 0) {
		snprintf(why, len, "the engine has no pair");
		return -1;
	}
	snprintf(t.name, sizeof(t.name), "%s", st.standby_name);
	s = emu_ctl_open(TRUE, TRUE, &h);
	if (s == STATUS_SUCCESS) {
		s = emu_ctl_ioctl(h, SFO_IOCTL_RELEASE, &t, sizeof(t), NULL, 0, &got);
		emu_ctl_close(h);
	}
	if (s != STATUS_SUCCESS)
		snprintf(why, len, "the control device refused the release of %s (status %#x)",
			 t.name, (unsigned)s);
	return s == STATUS_SUCCESS ? 0 : -1;
}

const char *mp_pair_state(void)
{
	struct sfo_pair_status st;

	return pair0(&st) == 0 ? sfo_pair_state_name(st.state) : NULL;
}

int mp_statistics(struct mp *standby, struct mp_stats *out)
{
	NDIS_STATISTICS_INFO s;
	struct sfo_pair_status st;

	if (emu_stack_query_statistics(standby->a) != NDIS_STATUS_SUCCESS ||
	    !emu_stack_statistics(standby->a, &s))
		return -1;
	out->in_packets = s.ifHCInUcastPkts + s.ifHCInMulticastPkts + s.ifHCInBroadcastPkts;
	out->in_octets = s.ifHCInOctets;
	out->in_discards = s.ifInDiscards;
	out->in_errors = s.ifInErrors;
	out->out_packets = s.ifHCOutUcastPkts + s.ifHCOutMulticastPkts + s.ifHCOutBroadcastPkts;
	out->out_octets = s.ifHCOutOctets;
	out->out_discards = s.ifOutDiscards;
	out->out_errors = s.ifOutErrors;
	out->announcements = 0;
	if (pair0(&st) == 0)
		out->announcements = st.failover.announcements;
	return 0;
}

/* The emulation's clock follows @now_ns (CLOCK_MONOTONIC): the driver's
 * timer objects due by then fire. */
void mp_clock(uint64_t now_ns)
{
	static uint64_t last_ns;

	if (!last_ns || now_ns < last_ns)
		last_ns = now_ns;
	if (now_ns - last_ns >= 1000000u) {
		unsigned ms = (unsigned)((now_ns - last_ns) / 1000000u);

		last_ns += (uint64_t)ms * 1000000u;
		emu_advance_ms(ms);
	}
}

bool mp_timer_pending(void)
{
	return emu_timer_set();
}

void mp_totals(const struct mp *standby, struct mp_totals *t)
{
	t->violations = emu_violations();
	t->live_nbls = emu_live_nbls();
	t->live_allocations = emu_live_allocations();
	t->stack_sent_ok = standby ? emu_stack_sent_ok(standby->a) : 0;
	t->stack_sent_failed = standby ? emu_stack_sent_failed(standby->a) : 0;
	t->stack_received = standby ? emu_stack_received(standby->a) : 0;
}
