// SPDX-License-Identifier: BSD-2-Clause
/*
 * Announcements after each switch, on the emulation: the standby's
 * addresses learned from the stack's own ARP and neighbour discovery sends
 * (and nothing else it sends), a gratuitous ARP for each IPv4 and an
 * unsolicited NA for each IPv6 address through the path now in use (the VF
 * after a switch to it, the standby after one back), a RARP when no address
 * is known, each frame checked on the wire by the emulation and counted by
 * the engine; after a filter restart, once the module runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ndis_fixture.h"

static const UCHAR MAC_A[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const UCHAR PEER[6] = { 0x02, 0, 0, 0, 0, 0x99 };
static const UCHAR BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const UCHAR V4[4] = { 192, 0, 2, 10 };
static const UCHAR V4_FORWARDED[4] = { 198, 51, 100, 7 };
static const UCHAR V6_LINK[16] = {
	0xfe, 0x80, [8] = 0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56
};
static const UCHAR V6_GLOBAL[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
static const UCHAR V6_ROUTER[16] = { 0xfe, 0x80, [15] = 1 };
static const UCHAR UNSPECIFIED[16];

static UCHAR *eth(UCHAR *f, const UCHAR *dst, USHORT type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, MAC_A, 6);
	f[12] = (UCHAR)(type >> 8);
	f[13] = (UCHAR)type;
	return f + 14;
}

/* The stack's ARP request for the peer 192.0.2.1, from @sender. */
static void stack_arp(struct emu_adapter *sb, const UCHAR *sender)
{
	static const UCHAR head[8] = { 0, 1, 0x08, 0, 6, 4, 0, 1 };
	UCHAR f[42] = { 0 }, *arp = eth(f, BCAST, 0x0806);

	memcpy(arp, head, 8);
	memcpy(arp + 8, MAC_A, 6);
	memcpy(arp + 14, sender, 4);
	arp[24] = 192, arp[25] = 0, arp[26] = 2, arp[27] = 1;
	emu_stack_send_frame(sb, f, sizeof(f));
}

/* The stack's neighbour solicitation (135) or advertisement (136). */
static void stack_nd(struct emu_adapter *sb, UCHAR type, const UCHAR *src, const UCHAR *target)
{
	static const UCHAR solicited[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };
	UCHAR f[86] = { 0 }, *ip6 = eth(f, solicited, 0x86dd), *nd = ip6 + 40;

	ip6[0] = 0x60;
	ip6[5] = 32;
	ip6[6] = 58;
	ip6[7] = 255;
	memcpy(ip6 + 8, src, 16);
	ip6[24] = 0xff, ip6[25] = 0x02, ip6[35] = 1, ip6[36] = 0xff, ip6[39] = 1;
	nd[0] = type;
	memcpy(nd + 8, target, 16);
	emu_stack_send_frame(sb, f, sizeof(f));
}

/* A UDP datagram the host forwards: its source is someone else's. */
static void stack_forwarded_ipv4(struct emu_adapter *sb)
{
	UCHAR f[60] = { 0 }, *ip = eth(f, PEER, 0x0800);

	ip[0] = 0x45;
	ip[3] = 46;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, V4_FORWARDED, 4);
	ip[16] = 192, ip[17] = 0, ip[18] = 2, ip[19] = 1;
	emu_stack_send_frame(sb, f, sizeof(f));
}

static void stack_uses_its_addresses(struct emu_adapter *sb)
{
	static const UCHAR zero4[4];

	stack_arp(sb, V4);
	stack_arp(sb, zero4);			   /* a probe: not learned */
	stack_nd(sb, 135, UNSPECIFIED, V6_GLOBAL); /* duplicate address detection */
	stack_nd(sb, 135, V6_LINK, V6_ROUTER);	   /* resolving the router */
	stack_nd(sb, 136, V6_LINK, V6_GLOBAL);	   /* answering for its address */
	stack_forwarded_ipv4(sb);
	stack_arp(sb, V4); /* seen again: one entry */
}

static void assert_announced(struct emu_adapter *a, unsigned garp, unsigned na, unsigned rarp)
{
	assert_int_equal(emu_announcements(a, EMU_GARP), garp);
	assert_int_equal(emu_announcements(a, EMU_UNSOLICITED_NA), na);
	assert_int_equal(emu_announcements(a, EMU_RARP), rarp);
}

static void test_addresses_announced_through_the_path_in_use(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A), *v;

	(void)state;
	stack_uses_its_addresses(sb);
	assert_announced(sb, 0, 0, 0); /* no switch yet */
	v = fixture_vf("vf0", MAC_A);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	/* to the VF: through the VF */
	assert_announced(v, 1, 2, 0);
	assert_announced(sb, 0, 0, 0);
	assert_true(emu_announced(v, V4, 4));
	assert_true(emu_announced(v, V6_LINK, 16));
	assert_true(emu_announced(v, V6_GLOBAL, 16));
	assert_false(emu_announced(v, V4_FORWARDED, 4));
	assert_false(emu_announced(v, V6_ROUTER, 16));
	assert_int_equal(fixture_pair0().failover.announcements, 3);
	/* back to the standby (the VF unplugged): through the standby */
	emu_unplug(v, FALSE);
	assert_announced(sb, 1, 2, 0);
	assert_announced(v, 1, 2, 0);
	assert_int_equal(fixture_pair0().failover.announcements, 6);
	/* a link flap on a new VF: each switch announces once */
	v = fixture_vf("vf1", MAC_A);
	assert_announced(v, 1, 2, 0);
	emu_link(v, FALSE);
	assert_announced(sb, 2, 4, 0);
	emu_link(v, TRUE);
	assert_announced(v, 2, 4, 0);
	assert_int_equal(fixture_pair0().failover.announcements, 15); /* 5 switches */
}

/* Nothing learned: the MAC itself, as QEMU announces a migrated guest. */
static void test_no_address_known_rarp(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A), *v;

	(void)state;
	emu_stack_send(sb, 3);
	v = fixture_vf("vf0", MAC_A);
	assert_announced(v, 0, 0, 1);
	assert_int_equal(fixture_pair0().failover.announcements, 1);
	assert_int_equal(emu_tx_frames(v), 0); /* the stack's frames apart */
}

/* Sends on a VF in flight when it goes by surprise: the announcement that
 * failed there is not counted, the one through the standby is. */
static void test_failed_announcements_not_counted(void **state)
{
	struct emu_adapter *sb = fixture_standby("virtio0", MAC_A), *v;

	(void)state;
	stack_arp(sb, V4);
	v = fixture_adapter("vf0", MAC_A, EMU_VF);
	emu_hold_tx(v, TRUE);
	emu_offer(v); /* the switch's GARP is held on the VF */
	assert_int_equal(fixture_pair0().failover.announcements, 0);
	emu_unplug(v, TRUE);
	assert_announced(v, 1, 0, 0); /* on its wire, failed */
	assert_announced(sb, 1, 0, 0);
	assert_int_equal(fixture_pair0().failover.announcements, 1);
}

/* A switch in a filter restart: announced once the module runs. */
static void test_announced_after_a_restart(void **state)
{
	struct emu_adapter *sb = fixture_adapter("virtio0", MAC_A, EMU_STANDBY), *v;

	(void)state;
	emu_adapter_set_mtu(sb, 9000);
	emu_filter_attach(sb);
	stack_arp(sb, V4);
	v = fixture_vf("vf0", MAC_A); /* MTU 1500: unused */
	assert_int_equal(fixture_pair0().state, SFO_PAIR_UNUSABLE);
	emu_adapter_set_mtu(sb, 1500);
	assert_int_equal(emu_filter_pause(sb), NDIS_STATUS_SUCCESS);
	emu_filter_restart(sb);
	assert_announced(v, 0, 0, 0); /* not from inside the restart */
	emu_advance_ms(1);
	assert_announced(v, 1, 0, 0);
	assert_int_equal(fixture_pair0().state, SFO_PAIR_ACTIVE);
	assert_int_equal(fixture_pair0().failover.announcements, 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_addresses_announced_through_the_path_in_use),
		T(test_no_address_known_rarp),
		T(test_failed_announcements_not_counted),
		T(test_announced_after_a_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
