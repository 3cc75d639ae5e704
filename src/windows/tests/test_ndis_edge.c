// SPDX-License-Identifier: BSD-2-Clause
/*
 * sriovfo.sys's sources on the NDIS emulation: the stack's traffic through
 * arrival orders, hot-unplug with sends in flight, surprise removal, link
 * flaps and filter pauses; the receive settings mirrored to the VF; the
 * engine's decisions (the VF allowlist, release and resume, a VF refusing
 * the MTU, its timer) as a control path sees them. The emulation counts
 * every NDIS rule the driver breaks; each test ends with none broken, no NBL
 * and no allocation left.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ndis_fixture.h"

static const UCHAR MAC_A[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const UCHAR MAC_B[6] = { 0x52, 0x54, 0x00, 0x65, 0x43, 0x21 };
static const UCHAR UNICAST[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const UCHAR BROADCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const UCHAR MULTICAST[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };

#define DIRECTED_MULTICAST_BROADCAST 0x0b /* NDIS_PACKET_TYPE_DIRECTED|MULTICAST|BROADCAST */
#define ALL_MULTICAST		     0x04

static void assert_sends_on(struct emu_adapter *sb, struct emu_adapter *path, unsigned n)
{
	unsigned before = emu_tx_frames(path), ok = emu_stack_sent_ok(sb);

	emu_stack_send(sb, n);
	assert_int_equal(emu_tx_frames(path), before + n);
	assert_int_equal(emu_stack_sent_ok(sb), ok + n);
}

/* How many adapters the engine has in @role; the last one's status in *@out. */
static size_t engine_role(enum sfo_role role, struct sfo_adapter_status *out)
{
	struct sfo_adapter_status st;
	struct sfo_engine *eng = sfo_drv_engine_lock();
	size_t n = 0, count = eng ? sfo_engine_adapter_count(eng) : 0;

	for (size_t i = 0; i < count; i++)
		if (sfo_engine_adapter_status(eng, i, &st) == 0 && st.role == role) {
			n++;
			if (out)
				*out = st;
		}
	sfo_drv_engine_unlock();
	return n;
}

/* sfo_engine_release() (@release) or sfo_engine_resume() of pair 0's standby. */
static int release(BOOLEAN release_it)
{
	uint32_t id = fixture_pair0().standby_id;
	struct sfo_engine *eng = sfo_drv_engine_lock();
	int err = release_it ? sfo_engine_release(eng, id) : sfo_engine_resume(eng, id);

	sfo_drv_engine_unlock();
	return err;
}

/* --- arrival orders --- */

static void test_standby_alone_sends_on_standby(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);

	(void)state;
	assert_sends_on(sb, sb, 5);
	assert_int_equal(emu_stack_sent_failed(sb), 0);
}

static void test_vf_after_standby_carries_traffic(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	assert_true(emu_bound(v));
	assert_sends_on(sb, v, 10);
	assert_int_equal(emu_tx_frames(sb), 0);
}

static void test_vf_before_standby_bound_on_attach(void **state)
{
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);
	struct emu_adapter *sb;

	(void)state;
	assert_false(emu_bound(v)); /* no standby with its MAC yet */
	sb = fixture_standby("virtio0", MAC_A);
	assert_true(emu_bound(v)); /* the attach re-enumerated the bindings */
	assert_sends_on(sb, v, 3);
}

static void test_standby_itself_and_other_macs_never_bound(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *other = fixture_vf("nic1", MAC_B);

	(void)state;
	assert_int_not_equal(emu_offer(sb), NDIS_STATUS_SUCCESS);
	assert_false(emu_bound(sb));
	assert_false(emu_bound(other));
	assert_sends_on(sb, sb, 2);
}

/* Same MAC as the standby, but not a VF the allowlist knows (here a Realtek
 * NIC, then a device that is no PCI function): the engine says no, the
 * protocol refuses the bind, also when offered again. */
static void test_same_mac_adapter_not_allowed_never_bound(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *nic = fixture_adapter("nic0", MAC_A, EMU_VF);
	struct emu_adapter *soft = fixture_adapter("soft0", MAC_A, EMU_VF);
	struct emu_adapter *v;

	(void)state;
	emu_adapter_set_pci(nic, 0x10ec, 0x8168);
	emu_adapter_set_pci(soft, 0, 0);
	assert_int_equal(emu_offer(nic), NDIS_STATUS_NOT_SUPPORTED);
	assert_true(emu_log_has("(PCI 10ec:8168) not in VF allowlist"));
	assert_int_equal(emu_offer(soft), NDIS_STATUS_NOT_SUPPORTED);
	assert_false(emu_bound(nic));
	assert_false(emu_bound(soft));
	assert_int_equal(fixture_pair0().state, SFO_PAIR_NO_VF);
	assert_sends_on(sb, sb, 2);
	v = fixture_vf("vf0", MAC_A); /* an allowed VF is taken */
	assert_sends_on(sb, v, 2);
	emu_unplug(v, FALSE); /* the bindings are offered again: still refused */
	assert_false(emu_bound(nic));
	assert_false(emu_bound(soft));
	assert_sends_on(sb, sb, 2);
}

/* The default allowlist: a VF of each family the Linux edge allows by driver
 * (one id each, from config.c's kernel tables) is bound. */
static void test_default_allowlist_takes_each_family(void **state)
{
	static const USHORT ids[][2] = {
		{ 0x8086, 0x1889 }, { 0x8086, 0x57ad }, { 0x8086, 0x1520 }, { 0x15b3, 0x1004 },
		{ 0x15b3, 0xa2d3 }, { 0x14e4, 0x1819 }, { 0x1d0f, 0xec20 }, { 0x1077, 0x8090 },
		{ 0x1425, 0x6801 }, { 0x1137, 0x02b7 }, { 0x19e5, 0x375e }, { 0x1da8, 0x3803 },
		{ 0x10ee, 0x1100 }, { 0x177d, 0xa064 }, { 0x1414, 0x00ba },
	};
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);

	(void)state;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct emu_adapter *v = emu_adapter_new("vf", MAC_A, EMU_VF);
		NDIS_STATUS st;

		emu_adapter_set_pci(v, ids[i][0], ids[i][1]);
		st = emu_offer(v);
		if (st == NDIS_STATUS_SUCCESS)
			emu_unplug(v, FALSE);
		emu_adapter_free(v);
		assert_int_equal(st, NDIS_STATUS_SUCCESS);
	}
	assert_sends_on(sb, sb, 1);
}

/* The registry adds PCI ids to the allowlist (read at load): a device, a
 * vendor's every device; an entry that is none is logged and ignored. */
static void test_registry_adds_to_the_vf_allowlist(void **state)
{
	static const char ids[] = "10ec:8168\0"
				  "bogus\0"
				  "0001:2:3\0"
				  "1af5:*\0";
	struct emu_adapter *a, *b, *nic, *other;

	(void)state;
	emu_unload_driver();
	emu_registry_set_multi_sz("VfPciIds", ids, sizeof(ids));
	assert_int_equal(emu_load_driver(), STATUS_SUCCESS);
	assert_true(emu_log_has("'bogus' is not a PCI vendor:device"));
	assert_true(emu_log_has("'0001:2:3' is not a PCI vendor:device"));
	a = fixture_standby("virtio0", MAC_A);
	b = fixture_standby("virtio1", MAC_B);
	nic = fixture_adapter("nic0", MAC_A, EMU_VF);
	other = fixture_adapter("nic1", MAC_B, EMU_VF);
	emu_adapter_set_pci(nic, 0x10ec, 0x8168);
	emu_adapter_set_pci(other, 0x1af5, 0x0042);
	assert_int_equal(emu_offer(nic), NDIS_STATUS_SUCCESS);
	assert_int_equal(emu_offer(other), NDIS_STATUS_SUCCESS);
	assert_sends_on(a, nic, 2);
	assert_sends_on(b, other, 2);
}

/* --- which adapters are standbys (the filter attaches to every Ethernet one) --- */

/* The standby is virtio-net (NetKVM's): the engine hears its PCI ids and
 * "netkvm"; a VF with its MAC gets no filter module and is no standby. */
static void test_filter_only_over_virtio_net(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_adapter("vf0", MAC_A, EMU_VF);
	struct sfo_adapter_status st;

	(void)state;
	assert_true(emu_filter_attached(sb));
	emu_filter_attach(v);
	assert_false(emu_filter_attached(v));
	assert_true(emu_log_has("PCI 8086:1889 is not a standby"));
	assert_int_equal(emu_offer(v), NDIS_STATUS_SUCCESS);
	assert_sends_on(sb, v, 3);
	assert_int_equal(engine_role(SFO_ROLE_STANDBY, &st), 1);
	assert_string_equal(st.info.driver, "netkvm");
	assert_int_equal(st.info.pci_vendor, 0x1af4);
	assert_int_equal(st.info.pci_device, 0x1041);
	assert_int_equal(engine_role(SFO_ROLE_VF, &st), 1);
	assert_int_equal(st.info.pci_device, 0x1889);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
}

/* A transitional virtio-net (1af4:1000) is a standby too; an e1000-like NIC
 * (8086:100e) with the standby's MAC gets neither the filter nor a binding. */
static void test_e1000_with_the_standby_mac_gets_nothing(void **state)
{
	struct emu_adapter *sb = fixture_adapter("virtio0", MAC_A, EMU_STANDBY);
	struct emu_adapter *nic = fixture_adapter("e1000", MAC_A, EMU_VF);

	(void)state;
	emu_adapter_set_pci(sb, 0x1af4, 0x1000);
	emu_adapter_set_pci(nic, 0x8086, 0x100e);
	emu_filter_attach(sb); /* offers the waiting adapters to the protocol */
	assert_true(emu_filter_attached(sb));
	assert_false(emu_bound(nic));
	emu_filter_attach(nic);
	assert_false(emu_filter_attached(nic));
	assert_true(emu_log_has("PCI 8086:100e is not a standby"));
	assert_int_equal(emu_offer(nic), NDIS_STATUS_NOT_SUPPORTED);
	assert_false(emu_bound(nic));
	assert_int_equal(engine_role(SFO_ROLE_STANDBY, NULL), 1);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_NO_VF);
	assert_sends_on(sb, sb, 2);
}

/* Parameters\StandbyPciIds adds standbys (read at load): here a VMware
 * vmxnet3; an entry that is none is logged; virtio-net stays one. */
static void test_registry_adds_standby_pci_ids(void **state)
{
	static const char ids[] = "15ad:07b0\0"
				  "vmxnet3\0";
	struct emu_adapter *vmx, *virtio, *v;
	struct sfo_adapter_status st;
	int err;

	(void)state;
	emu_unload_driver();
	emu_registry_set_multi_sz("StandbyPciIds", ids, sizeof(ids));
	assert_int_equal(emu_load_driver(), STATUS_SUCCESS);
	assert_true(emu_log_has("Parameters\\StandbyPciIds: 'vmxnet3' is not a PCI vendor:device"));
	vmx = fixture_adapter("vmx0", MAC_A, EMU_STANDBY);
	emu_adapter_set_pci(vmx, 0x15ad, 0x07b0);
	emu_filter_attach(vmx);
	assert_true(emu_filter_attached(vmx));
	virtio = fixture_standby("virtio1", MAC_B);
	assert_true(emu_filter_attached(virtio));
	v = fixture_vf("vf0", MAC_A);
	assert_sends_on(vmx, v, 2);
	assert_int_equal(engine_role(SFO_ROLE_STANDBY, NULL), 2);
	assert_int_equal(engine_role(SFO_ROLE_VF, &st), 1);
	assert_int_equal(st.standby_id, fixture_pair0().standby_id);
	sfo_drv_engine_lock();
	err = sfo_engine_adapter_info(sfo_drv.engine, st.standby_id, &st.info);
	sfo_drv_engine_unlock();
	assert_int_equal(err, 0);
	assert_string_equal(st.info.driver, "StandbyPciIds");
	assert_int_equal(st.info.pci_device, 0x07b0);
}

/* Attach parameters before revision 3 have no device object to read the
 * PCI ids from: declined, with the reason in the log. */
static void test_attach_without_device_object_declined(void **state)
{
	struct emu_adapter *sb = fixture_adapter("virtio0", MAC_A, EMU_STANDBY);

	(void)state;
	emu_adapter_set_attach_revision(sb, 2);
	emu_filter_attach(sb);
	assert_false(emu_filter_attached(sb));
	assert_true(emu_log_has("filter attach declined: no physical device object "
				"(attach parameters revision 2)"));
	assert_int_equal(engine_role(SFO_ROLE_STANDBY, NULL), 0);
}

static void test_second_vf_taken_when_first_goes(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v0 = fixture_vf("vf0", MAC_A);
	struct emu_adapter *v1 = fixture_vf("vf1", MAC_A);

	(void)state;
	assert_true(emu_bound(v0));
	assert_false(emu_bound(v1)); /* one VF per standby */
	assert_sends_on(sb, v0, 2);
	emu_unplug(v0, FALSE);
	assert_true(emu_bound(v1)); /* offered again when the first went */
	assert_sends_on(sb, v1, 2);
}

static void test_two_standbys_each_with_its_vf(void **state)
{
	struct emu_adapter *a = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *b = fixture_standby("virtio1", MAC_B);
	struct emu_adapter *va = fixture_vf("vf-a", MAC_A);
	struct emu_adapter *vb = fixture_vf("vf-b", MAC_B);

	(void)state;
	assert_sends_on(a, va, 4);
	assert_sends_on(b, vb, 6);
	assert_int_equal(emu_tx_frames(va), 4);
}

/* --- unplug --- */

static void test_orderly_unplug_with_sends_in_flight_loses_none(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	emu_hold_tx(v, TRUE);
	emu_stack_send(sb, 8);
	assert_int_equal(emu_tx_in_flight(v), 8);
	emu_unplug(v, FALSE); /* the pause waits for the 8 */
	assert_int_equal(emu_tx_frames(v), 8);
	assert_int_equal(emu_stack_sent_ok(sb), 8);
	assert_int_equal(emu_stack_sent_failed(sb), 0);
	assert_sends_on(sb, sb, 5); /* and the standby carries on */
}

static void test_surprise_removal_resends_on_standby(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	emu_hold_tx(v, TRUE);
	emu_stack_send(sb, 6);
	emu_unplug(v, TRUE); /* the 6 fail on the VF */
	assert_int_equal(emu_tx_frames(v), 0);
	assert_int_equal(emu_tx_frames(sb), 6);
	assert_int_equal(emu_stack_sent_ok(sb), 6);
	assert_int_equal(emu_stack_sent_failed(sb), 0);
}

static void test_new_vf_after_unplug_takes_over(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v0 = fixture_vf("vf0", MAC_A);
	struct emu_adapter *v1;

	(void)state;
	emu_unplug(v0, FALSE);
	assert_sends_on(sb, sb, 3);
	v1 = fixture_vf("vf1", MAC_A);
	assert_sends_on(sb, v1, 3);
}

/* --- pended opens and closes --- */

/* While NDIS opens the binding the engine holds the VF (BINDING, the traffic
 * on the standby); it serves once the open completes; a failed open is
 * forgotten; a pended close completes the unbind. */
static void test_pended_open_and_close(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v, *w;

	(void)state;
	emu_pend_open_close(TRUE);
	v = fixture_adapter("vf0", MAC_A, EMU_VF);
	assert_int_equal(emu_offer(v), NDIS_STATUS_PENDING);
	assert_false(emu_bound(v));
	assert_int_equal(fixture_pair0().state, SFO_PAIR_BINDING);
	assert_sends_on(sb, sb, 2);
	emu_complete_open(v, NDIS_STATUS_SUCCESS);
	assert_true(emu_bound(v));
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_sends_on(sb, v, 2);
	emu_unplug(v, FALSE);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_NO_VF);
	w = fixture_adapter("vf1", MAC_A, EMU_VF);
	assert_int_equal(emu_offer(w), NDIS_STATUS_PENDING);
	emu_complete_open(w, NDIS_STATUS_FAILURE);
	assert_false(emu_bound(w));
	assert_int_equal(fixture_pair0().state, SFO_PAIR_NO_VF);
	assert_sends_on(sb, sb, 2);
}

/* --- pause and restart without unbind --- */

/* The traffic leaves the VF for the pause and comes back with the restart;
 * a packet filter the stack set while one was in flight, which the pause
 * kept from the VF, reaches it then. */
static void test_vf_pause_and_restart_without_unbind(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	emu_hold_oids(v, TRUE);
	emu_stack_set_packet_filter(sb, DIRECTED_MULTICAST_BROADCAST); /* in flight */
	emu_stack_set_packet_filter(sb, 0x09); /* due after it: directed, broadcast */
	emu_hold_tx(v, TRUE);
	emu_stack_send(sb, 2);
	emu_binding_pause(v); /* waits for the 2 sends and the OID */
	emu_hold_tx(v, FALSE);
	emu_hold_oids(v, FALSE);
	assert_int_equal(emu_stack_sent_ok(sb), 2);
	assert_int_equal(emu_packet_filter(v), DIRECTED_MULTICAST_BROADCAST);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_DRAINING);
	assert_sends_on(sb, sb, 2);
	emu_binding_restart(v);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_int_equal(emu_packet_filter(v), 0x09);
	assert_sends_on(sb, v, 2);
}

/* The standby's filter detaches and attaches again (a stack rebind): the VF
 * binding stays, unpaired meanwhile, and the engine pairs it again. */
static void test_filter_detach_and_attach_again_keeps_the_vf(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	emu_stack_set_packet_filter(sb, DIRECTED_MULTICAST_BROADCAST);
	assert_sends_on(sb, v, 2);
	assert_int_equal(emu_filter_pause(sb), NDIS_STATUS_SUCCESS);
	emu_filter_detach(sb);
	assert_true(emu_bound(v));
	emu_receive(v, UNICAST, FALSE); /* nobody's: back to the VF */
	assert_int_equal(emu_rx_outstanding(v), 0);
	emu_filter_attach(sb);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_sends_on(sb, v, 2);
	emu_stack_set_packet_filter(sb, 0x01);
	assert_int_equal(emu_packet_filter(v), 0x01);
}

/* --- link --- */

/* The engine moves the traffic on the link event itself: no timer is set
 * while the VF has no link (nothing polls). */
static void test_link_flap_falls_back_and_returns_at_once(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_sends_on(sb, v, 2);
		assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
		emu_link(v, FALSE);
		assert_int_equal(fixture_pair0().state, SFO_PAIR_FALLBACK);
		assert_false(emu_timer_set());
		assert_sends_on(sb, sb, 2);
		emu_link(v, TRUE);
	}
	assert_sends_on(sb, v, 1);
	assert_int_equal(fixture_pair0().failover.to_standby, 3);
	assert_int_equal(fixture_pair0().failover.to_vf, 4);
}

/* --- the engine's decisions, seen from a control path --- */

/* The standby's flags as the engine heard them last. */
static uint32_t standby_flags(void)
{
	struct sfo_adapter_status st;

	assert_int_equal(engine_role(SFO_ROLE_STANDBY, &st), 1);
	return st.info.flags;
}

/* The standby's own link reaches the engine as its carrier (and the stack,
 * passed up); as on Linux the engine keeps the traffic on a VF with link
 * while the standby has none, and the standby alone still sends. */
static void test_standby_link_followed_and_passed_up(void **state)
{
	struct emu_adapter *sb = fixture_adapter("virtio0", MAC_A, EMU_STANDBY);
	struct emu_adapter *v;

	(void)state;
	emu_link(sb, FALSE); /* down before the filter attaches */
	emu_filter_attach(sb);
	assert_int_equal(standby_flags(), SFO_AF_UP);
	assert_sends_on(sb, sb, 2);
	emu_link(sb, TRUE);
	assert_int_equal(standby_flags(), SFO_AF_UP | SFO_AF_CARRIER);
	assert_true(emu_stack_link_up(sb));
	v = fixture_vf("vf0", MAC_A);
	assert_sends_on(sb, v, 2);
	emu_link(sb, FALSE);
	assert_int_equal(standby_flags(), SFO_AF_UP);
	assert_false(emu_stack_link_up(sb));
	/* three link states and, at the pairing, the offloads both have */
	assert_int_equal(emu_stack_offload_indications(sb), 1);
	assert_int_equal(emu_stack_statuses(sb), 3 + 1);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_sends_on(sb, v, 3);
	emu_unplug(v, FALSE); /* back on the standby, link or not */
	assert_sends_on(sb, sb, 2);
	emu_link(sb, TRUE);
	assert_int_equal(standby_flags(), SFO_AF_UP | SFO_AF_CARRIER);
	assert_true(emu_stack_link_up(sb));
}

static void test_release_and_resume_through_the_engine(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	assert_sends_on(sb, v, 2);
	emu_hold_tx(v, TRUE);
	emu_stack_send(sb, 3); /* in flight on the VF across the release */
	assert_int_equal(release(TRUE), 0);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_DRAINING);
	assert_sends_on(sb, sb, 2);
	emu_link(v, FALSE); /* a released VF stays unused, whatever happens */
	emu_link(v, TRUE);
	assert_sends_on(sb, sb, 1);
	emu_hold_tx(v, FALSE);
	assert_int_equal(emu_stack_sent_ok(sb), 2 + 3 + 2 + 1);
	assert_int_equal(release(FALSE), 0);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_sends_on(sb, v, 2);
}

/* The standby's MTU is 9000, the VF's 1500: bound, never used, the reason in
 * the pair's status; once the standby is back at 1500 the VF serves. */
static void test_vf_refusing_the_mtu_stays_unused(void **state)
{
	struct emu_adapter *sb = fixture_adapter("virtio0", MAC_A, EMU_STANDBY);
	struct emu_adapter *v;
	struct sfo_pair_status st;

	(void)state;
	emu_adapter_set_mtu(sb, 9000);
	emu_filter_attach(sb);
	v = fixture_vf("vf0", MAC_A);
	assert_true(emu_bound(v));
	st = fixture_pair0();
	assert_int_equal(st.state, SFO_PAIR_UNUSABLE);
	assert_non_null(strstr(st.reason, "refused MTU 9000"));
	assert_sends_on(sb, sb, 3);
	emu_adapter_set_mtu(sb, 1500); /* the miniport restarts with it */
	assert_int_equal(emu_filter_pause(sb), NDIS_STATUS_SUCCESS);
	emu_filter_restart(sb);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_sends_on(sb, v, 3);
}

/* A VF's MTU (its miniport's *JumboPacket) changes only when the miniport
 * restarts, its binding paused and restarted: the driver checks the one it
 * comes back with against the standby's, and never sets one. */
static void test_vf_mtu_checked_at_its_restart(void **state)
{
	struct emu_adapter *sb = fixture_adapter("virtio0", MAC_A, EMU_STANDBY), *v;
	struct sfo_pair_status st;

	(void)state;
	emu_adapter_set_mtu(sb, 9000);
	emu_filter_attach(sb);
	v = fixture_adapter("vf0", MAC_A, EMU_VF);
	emu_adapter_set_mtu(v, 9000);
	emu_offer(v);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_sends_on(sb, v, 2);
	emu_binding_pause(v);
	emu_adapter_set_mtu(v, 1500);
	emu_binding_restart(v);
	st = fixture_pair0();
	assert_int_equal(st.state, SFO_PAIR_UNUSABLE);
	assert_non_null(strstr(st.reason, "refused MTU 9000"));
	assert_sends_on(sb, sb, 2);
	emu_binding_pause(v);
	emu_adapter_set_mtu(v, 9000);
	emu_binding_restart(v);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_sends_on(sb, v, 2);
}

/* The stack is offered what both adapters have while a VF is paired; an NBL
 * it built before that (asking for what the standby alone has) still goes
 * to the VF only if the VF's configuration has each offload it asks for,
 * else down the standby; a change of the VF's configuration counts from its
 * indication. */
static void test_sends_needing_offloads_the_vf_lacks_go_on_standby(void **state)
{
	/* TcpIpChecksumNetBufferListInfo: IsIPv4|TcpChecksum, IsIPv6|TcpChecksum;
	 * TcpLargeSendNetBufferListInfo: LSO v2 (Type 1), MSS 1448, IPv4 */
	const ULONG_PTR v4_tcp = 0x1 | 0x4, v6_tcp = 0x2 | 0x4;
	const ULONG_PTR lso2_v4 = (1ul << 30) | 1448;
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A), *v;
	unsigned on_vf, on_sb;

	(void)state;
	v = fixture_adapter("vf0", MAC_A, EMU_VF);
	emu_adapter_set_offloads(v, EMU_TXO_V4_TCP_CSUM | EMU_TXO_V4_UDP_CSUM | EMU_TXO_V4_IP_CSUM);
	emu_offer(v);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	on_vf = emu_tx_frames(v);
	on_sb = emu_tx_frames(sb);
	emu_stack_send(sb, 2);				     /* no offload: the VF */
	emu_stack_send_offloaded(sb, 3, v4_tcp, 0);	     /* one it has: the VF */
	emu_stack_send_built_before(sb, 2, v4_tcp, lso2_v4); /* LSO: the standby */
	emu_stack_send_built_before(sb, 1, v6_tcp, 0);	     /* IPv6 checksum: the standby */
	assert_int_equal(emu_tx_frames(v), on_vf + 5);
	assert_int_equal(emu_tx_frames(sb), on_sb + 3);
	assert_int_equal(emu_stack_sent_ok(sb), 8);
	/* the VF turns LSO v2 on (its indication): the stack is offered it and
	 * its large sends go to the VF */
	emu_adapter_set_offloads(v, EMU_TXO_ALL);
	emu_stack_send_offloaded(sb, 2, v4_tcp, lso2_v4);
	assert_int_equal(emu_tx_frames(v), on_vf + 7);
	/* and off again: not even its checksum sends built before */
	emu_adapter_set_offloads(v, 0);
	emu_stack_send_built_before(sb, 1, v4_tcp, 0);
	assert_int_equal(emu_tx_frames(v), on_vf + 7);
	assert_int_equal(emu_tx_frames(sb), on_sb + 4);
}

/* What the stack is told it may offload: the standby's own; at a VF's
 * pairing what both have (the VF's checksums and LSO v2 IPv4 only, the
 * smaller LSO size, the larger minimum segment count), in the indication and
 * in the answer to OID_TCP_OFFLOAD_CURRENT_CONFIG; a change of the standby's
 * own while paired, intersected too; the standby's own again at the unplug. */
static void test_stack_offered_only_what_both_have(void **state)
{
	const unsigned vf_has =
		EMU_TXO_V4_TCP_CSUM | EMU_TXO_V4_UDP_CSUM | EMU_TXO_V4_IP_CSUM | EMU_TXO_LSO2_V4;
	const ULONG_PTR v6_tcp = 0x2 | 0x4, lso2_v4 = (1ul << 30) | 1448;
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A), *v;
	ULONG max[2], segs[2];
	unsigned got;

	(void)state;
	assert_int_equal(emu_stack_offloads(sb, max, segs), EMU_TXO_ALL);
	assert_int_equal(max[0], 65536);
	v = fixture_adapter("vf0", MAC_A, EMU_VF);
	emu_adapter_set_offloads(v, vf_has);
	emu_adapter_set_lso(v, 32000, 4);
	emu_offer(v);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_int_equal(emu_stack_offload_indications(sb), 1);
	assert_int_equal(emu_stack_offloads(sb, max, segs), vf_has);
	assert_int_equal(max[0], 32000);
	assert_int_equal(segs[0], 4);
	assert_int_equal(max[1], 0); /* LSO v2 IPv6: the VF has none */
	assert_int_equal(emu_stack_query_offload(sb), NDIS_STATUS_SUCCESS);
	assert_true(emu_stack_offload_answer(sb, &got, max));
	assert_int_equal(got, vf_has);
	assert_int_equal(max[0], 32000);
	emu_stack_send_offloaded(sb, 2, 0x1 | 0x4, lso2_v4);
	assert_int_equal(emu_tx_frames(v), 2);
	/* the standby's own LSO shrinks below the VF's: the smaller again */
	emu_adapter_set_lso(sb, 16000, 2);
	assert_int_equal(emu_stack_offloads(sb, max, segs), vf_has);
	assert_int_equal(max[0], 16000);
	assert_int_equal(segs[0], 4);
	/* the VF leaves: the standby's own */
	emu_unplug(v, FALSE);
	assert_int_equal(emu_stack_offloads(sb, max, segs), EMU_TXO_ALL);
	assert_int_equal(max[0], 16000);
	assert_int_equal(max[1], 16000);
	assert_int_equal(segs[0], 2);
	assert_int_equal(emu_stack_query_offload(sb), NDIS_STATUS_SUCCESS);
	assert_true(emu_stack_offload_answer(sb, &got, max));
	assert_int_equal(got, EMU_TXO_ALL);
	emu_stack_send_offloaded(sb, 1, v6_tcp, 0);
	assert_int_equal(emu_stack_sent_ok(sb), 3);
}

/* A VF that leaves while the standby's filter is paused: the stack is told
 * the standby's own at the filter's restart, not from the paused module. */
static void test_offloads_told_at_restart_after_a_change_while_paused(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A), *v;
	ULONG max[2], segs[2];

	(void)state;
	v = fixture_adapter("vf0", MAC_A, EMU_VF);
	emu_adapter_set_offloads(v, EMU_TXO_V4_TCP_CSUM);
	emu_offer(v);
	assert_int_equal(emu_stack_offloads(sb, max, segs), EMU_TXO_V4_TCP_CSUM);
	assert_int_equal(emu_filter_pause(sb), NDIS_STATUS_SUCCESS);
	emu_unplug(v, FALSE);
	assert_int_equal(emu_stack_offload_indications(sb), 1);
	emu_filter_restart(sb);
	assert_int_equal(emu_stack_offload_indications(sb), 2);
	assert_int_equal(emu_stack_offloads(sb, max, segs), EMU_TXO_ALL);
}

/* A bring-up delay (set through the control path) runs on the engine's
 * timer: an NDIS timer object that fires when the clock gets there. */
static void test_engine_timer_fires_through_the_timer_object(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v;
	struct sfo_engine *eng;

	(void)state;
	eng = sfo_drv_engine_lock();
	sfo_drv.cfg.bringup_delay_ms = 100;
	sfo_engine_set_config(eng, &sfo_drv.cfg);
	sfo_drv_engine_unlock();
	v = fixture_vf("vf0", MAC_A);
	assert_true(emu_timer_set());
	assert_int_equal(fixture_pair0().state, SFO_PAIR_BINDING);
	emu_advance_ms(99);
	assert_sends_on(sb, sb, 2);
	emu_advance_ms(1);
	assert_false(emu_timer_set());
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_sends_on(sb, v, 2);
}

/* The timer's function has started on another processor when the driver
 * unloads (it waits on the lock, say): the unload waits for it to end
 * before it frees the timer object, and the function finds no engine. */
static void test_unload_waits_for_a_running_timer_function(void **state)
{
	int violations = emu_violations();
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v;
	struct sfo_engine *eng;

	(void)state;
	eng = sfo_drv_engine_lock();
	sfo_drv.cfg.bringup_delay_ms = 100;
	sfo_engine_set_config(eng, &sfo_drv.cfg);
	sfo_drv_engine_unlock();
	v = fixture_vf("vf0", MAC_A);
	assert_true(emu_timer_fire_elsewhere());
	assert_int_equal(emu_timer_running(), 1);
	emu_unplug(v, FALSE);
	assert_int_equal(emu_filter_pause(sb), NDIS_STATUS_SUCCESS);
	emu_filter_detach(sb);
	emu_unload_driver(); /* no violation: the function ran before the free */
	assert_int_equal(emu_timer_running(), 0);
	assert_int_equal(emu_violations(), violations);
	assert_int_equal(emu_load_driver(), STATUS_SUCCESS); /* for the teardown */
}

/* --- receive --- */

static void test_vf_receives_indicated_as_standby_and_returned(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	emu_stack_hold_rx(sb, TRUE);
	for (int i = 0; i < 7; i++)
		emu_receive(v, UNICAST, FALSE);
	assert_int_equal(emu_stack_received(sb), 7);
	assert_int_equal(emu_rx_outstanding(v), 7); /* held by the stack */
	emu_stack_return(sb);
	assert_int_equal(emu_rx_outstanding(v), 0);
}

static void test_vf_receives_with_resources_flag(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	emu_stack_hold_rx(sb, TRUE); /* the stack cannot keep them anyway */
	for (int i = 0; i < 3; i++)
		emu_receive(v, UNICAST, TRUE);
	assert_int_equal(emu_stack_received(sb), 3);
	assert_int_equal(emu_rx_outstanding(v), 0);
}

static void test_standby_group_frames_dropped_only_while_on_vf(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v;

	(void)state;
	emu_receive(sb, BROADCAST, FALSE);
	emu_receive(sb, MULTICAST, TRUE);
	assert_int_equal(emu_stack_received(sb), 2); /* no VF: all delivered */
	v = fixture_vf("vf0", MAC_A);
	emu_receive(sb, BROADCAST, FALSE);
	emu_receive(sb, MULTICAST, TRUE);
	emu_receive(sb, UNICAST, FALSE); /* unicast on the standby: always */
	emu_receive(sb, UNICAST, TRUE);
	assert_int_equal(emu_stack_received(sb), 4);
	emu_receive(v, BROADCAST, FALSE); /* the VF's copy is the one delivered */
	assert_int_equal(emu_stack_received(sb), 5);
	assert_int_equal(emu_rx_outstanding(sb), 0);
}

static void test_chains_split_and_mended(void **state)
{
	const UCHAR burst[5][6] = {
		{ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb }, { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	emu_receive_burst(sb, burst, 5, TRUE); /* runs cut out and mended */
	assert_int_equal(emu_stack_received(sb), 2);
	emu_receive_burst(sb, burst, 5, FALSE); /* group frames returned */
	assert_int_equal(emu_stack_received(sb), 4);
	assert_int_equal(emu_rx_outstanding(sb), 0);
	emu_receive_burst(v, burst, 5, TRUE); /* all of the VF's delivered */
	emu_stack_hold_rx(sb, TRUE);
	emu_receive_burst(v, burst, 5, FALSE);
	assert_int_equal(emu_stack_received(sb), 14);
	assert_int_equal(emu_rx_outstanding(v), 5);
	emu_stack_return(sb);
	assert_int_equal(emu_rx_outstanding(v), 0);
}

/* --- filter pause --- */

static void test_filter_pause_waits_for_indicated_receives(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	emu_stack_hold_rx(sb, TRUE);
	emu_receive(v, UNICAST, FALSE);
	assert_int_equal(emu_filter_pause(sb), NDIS_STATUS_PENDING);
	assert_false(emu_filter_paused(sb));
	emu_stack_return(sb);
	assert_true(emu_filter_paused(sb));
	emu_filter_restart(sb);
	assert_sends_on(sb, v, 2);
}

static void test_filter_pause_waits_for_vf_sends(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	emu_hold_tx(v, TRUE);
	emu_stack_send(sb, 4);
	assert_int_equal(emu_filter_pause(sb), NDIS_STATUS_PENDING);
	emu_hold_tx(v, FALSE);
	assert_true(emu_filter_paused(sb));
	assert_int_equal(emu_stack_sent_ok(sb), 4);
	emu_filter_restart(sb);
	assert_sends_on(sb, v, 1);
}

/* --- receive settings mirrored to the VF --- */

static void test_rx_mode_mirrored_to_vf(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	assert_int_equal(emu_stack_set_packet_filter(sb, DIRECTED_MULTICAST_BROADCAST),
			 NDIS_STATUS_SUCCESS);
	assert_int_equal(emu_stack_set_multicast(sb, 3), NDIS_STATUS_SUCCESS);
	assert_int_equal(emu_packet_filter(sb), DIRECTED_MULTICAST_BROADCAST);
	assert_int_equal(emu_packet_filter(v), DIRECTED_MULTICAST_BROADCAST);
	assert_int_equal(emu_multicast_count(sb), 3);
	assert_int_equal(emu_multicast_count(v), 3);
	assert_int_equal(emu_stack_set_packet_filter(sb, 0x20), NDIS_STATUS_SUCCESS); /* promisc */
	assert_int_equal(emu_packet_filter(v), 0x20);
}

static void test_rx_mode_replayed_to_each_new_vf(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v0, *v1;

	(void)state;
	emu_stack_set_packet_filter(sb, DIRECTED_MULTICAST_BROADCAST);
	emu_stack_set_multicast(sb, 2);
	v0 = fixture_vf("vf0", MAC_A);
	assert_int_equal(emu_packet_filter(v0), DIRECTED_MULTICAST_BROADCAST);
	assert_int_equal(emu_multicast_count(v0), 2);
	emu_unplug(v0, FALSE);
	emu_stack_set_multicast(sb, 5); /* changed while no VF is there */
	v1 = fixture_vf("vf1", MAC_A);
	assert_int_equal(emu_packet_filter(v1), DIRECTED_MULTICAST_BROADCAST);
	assert_int_equal(emu_multicast_count(v1), 5);
}

static void test_long_multicast_list_is_all_multicast_on_vf(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	emu_stack_set_packet_filter(sb, DIRECTED_MULTICAST_BROADCAST);
	assert_int_equal(emu_stack_set_multicast(sb, 40), NDIS_STATUS_SUCCESS);
	assert_int_equal(emu_multicast_count(sb), 40);
	assert_int_equal(emu_multicast_count(v), 0);
	assert_int_equal(emu_packet_filter(v), DIRECTED_MULTICAST_BROADCAST | ALL_MULTICAST);
	emu_stack_set_multicast(sb, 4); /* back under the limit */
	assert_int_equal(emu_multicast_count(v), 4);
	assert_int_equal(emu_packet_filter(v), DIRECTED_MULTICAST_BROADCAST);
}

static void test_mirror_in_flight_sends_the_latest_after(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	emu_hold_oids(v, TRUE);
	emu_stack_set_packet_filter(sb, 0x01);
	emu_stack_set_packet_filter(sb, 0x03);
	emu_stack_set_packet_filter(sb, DIRECTED_MULTICAST_BROADCAST);
	assert_int_equal(emu_oids_in_flight(v), 1); /* one at a time */
	emu_hold_oids(v, FALSE);
	emu_complete_oids(v);
	assert_int_equal(emu_packet_filter(v), DIRECTED_MULTICAST_BROADCAST);
	assert_int_equal(emu_oids_in_flight(v), 0);
}

static void test_standby_oid_that_pends_mirrored_when_done(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	emu_hold_oids(sb, TRUE);
	assert_int_equal(emu_stack_set_packet_filter(sb, DIRECTED_MULTICAST_BROADCAST),
			 NDIS_STATUS_PENDING);
	assert_int_equal(emu_packet_filter(v), 0); /* not before the standby took it */
	emu_hold_oids(sb, FALSE);
	emu_complete_oids(sb);
	assert_false(emu_stack_oid_pending(sb));
	assert_int_equal(emu_stack_oid_status(sb), NDIS_STATUS_SUCCESS);
	assert_int_equal(emu_packet_filter(sb), DIRECTED_MULTICAST_BROADCAST);
	assert_int_equal(emu_packet_filter(v), DIRECTED_MULTICAST_BROADCAST);
}

static void test_unplug_waits_for_mirrored_oid(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A);
	struct emu_adapter *v = fixture_vf("vf0", MAC_A);

	(void)state;
	emu_hold_oids(v, TRUE);
	emu_stack_set_packet_filter(sb, DIRECTED_MULTICAST_BROADCAST);
	assert_int_equal(emu_oids_in_flight(v), 1);
	emu_unplug(v, FALSE); /* the pause pends until the OID completes */
	assert_int_equal(emu_packet_filter(v), DIRECTED_MULTICAST_BROADCAST);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_standby_alone_sends_on_standby),
		T(test_vf_after_standby_carries_traffic),
		T(test_vf_before_standby_bound_on_attach),
		T(test_standby_itself_and_other_macs_never_bound),
		T(test_same_mac_adapter_not_allowed_never_bound),
		T(test_default_allowlist_takes_each_family),
		T(test_registry_adds_to_the_vf_allowlist),
		T(test_filter_only_over_virtio_net),
		T(test_e1000_with_the_standby_mac_gets_nothing),
		T(test_registry_adds_standby_pci_ids),
		T(test_attach_without_device_object_declined),
		T(test_second_vf_taken_when_first_goes),
		T(test_two_standbys_each_with_its_vf),
		T(test_orderly_unplug_with_sends_in_flight_loses_none),
		T(test_surprise_removal_resends_on_standby),
		T(test_new_vf_after_unplug_takes_over),
		T(test_pended_open_and_close),
		T(test_vf_pause_and_restart_without_unbind),
		T(test_filter_detach_and_attach_again_keeps_the_vf),
		T(test_link_flap_falls_back_and_returns_at_once),
		T(test_standby_link_followed_and_passed_up),
		T(test_release_and_resume_through_the_engine),
		T(test_vf_refusing_the_mtu_stays_unused),
		T(test_vf_mtu_checked_at_its_restart),
		T(test_sends_needing_offloads_the_vf_lacks_go_on_standby),
		T(test_stack_offered_only_what_both_have),
		T(test_offloads_told_at_restart_after_a_change_while_paused),
		T(test_engine_timer_fires_through_the_timer_object),
		T(test_unload_waits_for_a_running_timer_function),
		T(test_vf_receives_indicated_as_standby_and_returned),
		T(test_vf_receives_with_resources_flag),
		T(test_standby_group_frames_dropped_only_while_on_vf),
		T(test_chains_split_and_mended),
		T(test_filter_pause_waits_for_indicated_receives),
		T(test_filter_pause_waits_for_vf_sends),
		T(test_rx_mode_mirrored_to_vf),
		T(test_rx_mode_replayed_to_each_new_vf),
		T(test_long_multicast_list_is_all_multicast_on_vf),
		T(test_mirror_in_flight_sends_the_latest_after),
		T(test_standby_oid_that_pends_mirrored_when_done),
		T(test_unplug_waits_for_mirrored_oid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
