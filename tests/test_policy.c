// SPDX-License-Identifier: BSD-2-Clause
/* Which adapters are standbys and which may be VFs. */
#include "sim_fixture.h"

static enum sfo_role role_of(struct sim *s, const char *name, char *reason)
{
	struct sfo_adapter_status st;

	if (!adapter_named(s, name, &st))
		fail_msg("no adapter %s", name);
	if (reason)
		strcpy(reason, st.reason);
	return st.role;
}

static void test_default_vf_drivers(void **state)
{
	static const char *const drivers[] = { "iavf",	  "ixgbevf", "igbvf",	  "mlx5_core",
					       "bnxt_en", "ena",     "mlx4_core", "i40evf" };
	struct sim *s = sim_with(NULL);

	(void)state;
	sim_add(s, "eth0", "virtio_net", MAC_A, true);
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		char name[16];

		snprintf(name, sizeof(name), "vf%zu", i);
		sim_add(s, name, drivers[i], MAC_A, false);
		assert_true(role_of(s, name, NULL) == SFO_ROLE_VF ||
			    role_of(s, name, NULL) == SFO_ROLE_SPARE);
	}
	sim_done(s);
}

static void test_stacked_never_vf(void **state)
{
	struct sim *s = sim_with("vf-drivers = bridge bond veth\n");
	char why[SFO_REASON_MAX];
	struct sfo_adapter_info info = { .id = 9,
					 .name = "mv0",
					 .driver = "veth",
					 .kind = "macvlan",
					 .perm_mac = { 2, 0, 0, 0, 0, 0xa },
					 .mtu = 1500 };
	struct sfo_adapter_info up = { .id = 10,
				       .name = "vth",
				       .driver = "veth",
				       .kind = "veth",
				       .perm_mac = { 2, 0, 0, 0, 0, 0xa },
				       .mtu = 1500,
				       .flags = SFO_AF_STACKED };

	(void)state;
	sim_add(s, "eth0", "virtio_net", MAC_A, true);
	sim_add(s, "br0", "bridge", MAC_A, true);
	assert_int_equal(role_of(s, "br0", why), SFO_ROLE_UNMANAGED);
	assert_string_equal(why, "bridge device cannot be a VF");
	sfo_engine_adapter_update(s->eng, &info);
	assert_int_equal(role_of(s, "mv0", why), SFO_ROLE_UNMANAGED);
	assert_string_equal(why, "macvlan device cannot be a VF");
	sfo_engine_adapter_update(s->eng, &up);
	assert_int_equal(role_of(s, "vth", why), SFO_ROLE_UNMANAGED);
	assert_string_equal(why, "stacked device (has a master or lower devices)");
	/* once it leaves its master it may serve */
	up.flags = 0;
	sfo_engine_adapter_update(s->eng, &up);
	assert_int_equal(role_of(s, "vth", why), SFO_ROLE_VF);
	sfo_engine_adapter_removed(s->eng, 9);
	sfo_engine_adapter_removed(s->eng, 10);
	sim_done(s);
}

static void test_pci_id_allowlist(void **state)
{
	struct sim *s = sim_with("vf-pci-ids = 8086:154c 15b3:*\n");
	struct sfo_adapter_info a = { .id = 11,
				      .name = "p1",
				      .driver = "oddvf",
				      .pci_vendor = 0x8086,
				      .pci_device = 0x154c,
				      .perm_mac = { 2, 0, 0, 0, 0, 0xa },
				      .mtu = 1500 };
	struct sfo_adapter_info b = a, c = a;
	char why[SFO_REASON_MAX];

	(void)state;
	sim_add(s, "eth0", "virtio_net", MAC_A, true);
	b.id = 12;
	snprintf(b.name, sizeof(b.name), "p2");
	b.pci_vendor = 0x15b3;
	b.pci_device = 0x1018;
	c.id = 13;
	snprintf(c.name, sizeof(c.name), "p3");
	c.pci_device = 0x1889;
	sfo_engine_adapter_update(s->eng, &a);
	sfo_engine_adapter_update(s->eng, &b);
	sfo_engine_adapter_update(s->eng, &c);
	assert_int_equal(role_of(s, "p1", NULL), SFO_ROLE_VF);
	assert_int_equal(role_of(s, "p2", NULL), SFO_ROLE_SPARE);
	assert_int_equal(role_of(s, "p3", why), SFO_ROLE_UNMANAGED);
	assert_string_equal(why, "driver 'oddvf' (PCI 8086:1889) not in VF allowlist");
	for (uint32_t id = 11; id <= 13; id++)
		sfo_engine_adapter_removed(s->eng, id);
	sim_done(s);
}

static void test_standby_selection(void **state)
{
	struct sim *s =
		sim_with("standby-drivers = netvsc virtio_net\n[standby eth5]\nmanaged = no\n");

	(void)state;
	sim_add(s, "eth0", "netvsc", MAC_A, true);
	sim_add(s, "eth5", "virtio_net", MAC_B, true);
	sim_add(s, "lo", "", "00:00:00:00:00:00", true);
	assert_int_equal(role_of(s, "eth0", NULL), SFO_ROLE_STANDBY);
	assert_int_equal(role_of(s, "eth5", NULL), SFO_ROLE_UNMANAGED);
	assert_int_equal(role_of(s, "lo", NULL), SFO_ROLE_UNMANAGED);
	assert_int_equal(sfo_engine_pair_count(s->eng), 1);
	sim_done(s);
}

static void test_listed_mode(void **state)
{
	struct sim *s = sim_with("manage = listed\n[standby eth1]\n");

	(void)state;
	sim_add(s, "eth0", "virtio_net", MAC_A, true);
	sim_add(s, "eth1", "veth", MAC_B, true); /* named: any driver */
	assert_int_equal(role_of(s, "eth0", NULL), SFO_ROLE_UNMANAGED);
	assert_int_equal(role_of(s, "eth1", NULL), SFO_ROLE_STANDBY);
	sim_done(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_vf_drivers), cmocka_unit_test(test_stacked_never_vf),
		cmocka_unit_test(test_pci_id_allowlist),   cmocka_unit_test(test_standby_selection),
		cmocka_unit_test(test_listed_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
