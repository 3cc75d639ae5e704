// SPDX-License-Identifier: BSD-2-Clause
/*
 * sriov-failover.exe's commands (service/cli.c) end to end on Linux: the
 * driver's sources loaded on the NDIS emulation with a standby and its VF,
 * the CLI's requests through the driver's control device
 * (control_device.c), whose IRPs the emulation's I/O manager makes, answered
 * by control.c from the driver's engine. Checks the JSON members and values,
 * the text, release/resume moving the stack's traffic, and every refusal's
 * message and exit status; the emulation checks the NDIS and IRP rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bind_policy.h"
#include "cli.h"
#include "emu.h"
#include "emu_ctl_device.h"
#include "sriovfo_control.h"
#include "transport_inproc.h"

static const UCHAR MAC_A[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const UCHAR MAC_B[6] = { 0x52, 0x54, 0x00, 0x65, 0x43, 0x21 };

/* The engine's names of the driver's adapters: "standby" or "vf" and its id. */
#define SBY "standby1"
#define VF  "vf2"

struct fixture {
	struct emu_adapter *sby, *vf, *other;
	char *out, *err;
	int violations;
	long nbls, allocations;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->violations = emu_violations();
	f->nbls = emu_live_nbls();
	f->allocations = emu_live_allocations();
	assert_int_equal(emu_load_driver(), STATUS_SUCCESS);
	f->sby = emu_adapter_new("virtio0", MAC_A, EMU_STANDBY);
	emu_filter_attach(f->sby);
	f->vf = emu_adapter_new("vf0", MAC_A, EMU_VF);
	emu_offer(f->vf);
	assert_true(emu_bound(f->vf));
	inproc = (struct inproc_caller){ .admin = true };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(emu_ctl_handles(), 0); /* every handle closed */
	if (emu_bound(f->vf))
		emu_unplug(f->vf, FALSE);
	if (f->other && emu_bound(f->other))
		emu_unplug(f->other, FALSE);
	if (emu_filter_pause(f->sby) == NDIS_STATUS_SUCCESS)
		emu_filter_detach(f->sby);
	emu_unload_driver();
	emu_adapter_free(f->sby);
	emu_adapter_free(f->vf);
	if (f->other)
		emu_adapter_free(f->other);
	assert_int_equal(emu_violations(), f->violations);
	assert_int_equal(emu_live_nbls(), f->nbls);
	assert_int_equal(emu_live_allocations(), f->allocations);
	free(f->out);
	free(f->err);
	free(f);
	return 0;
}

/* Run "sriov-failover ARGS..." (NULL-terminated); its stdout/stderr in f->out/f->err. */
static int run(struct fixture *f, ...)
{
	char *argv[16] = { "sriov-failover" };
	size_t olen, elen;
	FILE *out, *err;
	int argc = 1, code;
	va_list ap;

	va_start(ap, f);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	free(f->out);
	free(f->err);
	out = open_memstream(&f->out, &olen);
	err = open_memstream(&f->err, &elen);
	assert_non_null(out);
	assert_non_null(err);
	code = sfo_cli_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return code;
}

#define assert_contains(hay, needle)                                   \
	do {                                                           \
		if (!strstr((hay), (needle)))                          \
			fail_msg("'%s' not in:\n%s", (needle), (hay)); \
	} while (0)

/* The stack's @n sends leave through @path. */
static void assert_sends_on(struct emu_adapter *sby, struct emu_adapter *path, unsigned n)
{
	unsigned before = emu_tx_frames(path);

	emu_stack_send(sby, n);
	assert_int_equal(emu_tx_frames(path), before + n);
}

static void test_status_json(void **state)
{
	struct fixture *f = *state;

	emu_advance_ms(2500);
	assert_int_equal(run(f, "status", "-j", NULL), CLI_OK);
	assert_string_equal(f->err, "");
	/* the members of the Linux CLI's pairs, in its order, with the engine's values */
	assert_contains(f->out, "\"pairs\":[{\"standby\":\"" SBY "\",\"standby_ifindex\":1,"
				"\"vf\":\"" VF "\",\"vf_ifindex\":2,\"state\":\"active\","
				"\"datapath\":\"" VF "\",\"reason\":");
	assert_contains(f->out, "\"since_ms\":2500,\"spares\":0,\"counters\":{\"rx_packets\":");
	assert_contains(f->out, "\"failover\":{\"to_vf\":1,\"to_standby\":0,");
	assert_contains(f->out, "\"driver\":{\"version\":");
	assert_int_equal(f->out[strlen(f->out) - 1], '\n');

	/* one pair by name, either of its adapters; pretty JSON */
	assert_int_equal(run(f, "-p", "status", VF, NULL), CLI_OK);
	assert_contains(f->out, "\"standby\": \"" SBY "\"");
	assert_int_equal(run(f, "status", "nosuch", NULL), CLI_REFUSED);
	assert_string_equal(f->out, "");
	assert_contains(f->err, "nosuch: not a managed standby or the VF of one");
}

static void test_status_text(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "status", NULL), CLI_OK);
	assert_contains(f->out, SBY ": VF " VF ", active, datapath on " VF " (");
	assert_contains(f->out, "  switches: 1 to VF, 0 to standby;");
}

static void test_adapters(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "adapters", "--json", NULL), CLI_OK);
	assert_contains(f->out, "{\"name\":\"" SBY "\",\"ifindex\":1,\"role\":\"standby\","
				"\"driver\":\"netkvm\",\"kind\":\"\","
				"\"mac\":\"52:54:00:12:34:56\",\"reason\":");
	assert_contains(f->out, "{\"name\":\"" VF "\",\"ifindex\":2,\"role\":\"vf\"");
	assert_int_equal(run(f, "adapters", NULL), CLI_OK);
	assert_contains(f->out, "NAME             IFINDEX ROLE");
	assert_contains(f->out, VF " ");
}

static void test_release_resume_events(void **state)
{
	struct fixture *f = *state;

	assert_sends_on(f->sby, f->vf, 3);
	assert_int_equal(run(f, "release", VF, NULL), CLI_OK);
	assert_string_equal(f->out, VF ": released\n");
	assert_sends_on(f->sby, f->sby, 3); /* the datapath moved */
	assert_int_equal(run(f, "status", "-j", NULL), CLI_OK);
	assert_contains(f->out, "\"datapath\":\"" SBY "\"");

	/* the last event is the release's transition away from active */
	emu_advance_ms(40);
	assert_int_equal(run(f, "events", "-n", "1", "-j", NULL), CLI_OK);
	assert_contains(f->out, "{\"events\":[{\"ms_ago\":40,\"mono_ns\":");
	assert_contains(f->out, "\"standby\":\"" SBY "\",\"from\":\"active\",\"to\":");
	assert_null(strstr(strstr(f->out, "\"from\"") + 1, "\"from\"")); /* one event only */

	assert_int_equal(run(f, "resume", SBY, "-j", NULL), CLI_OK);
	assert_string_equal(f->out, "{}\n");
	emu_advance_ms(1000);
	assert_sends_on(f->sby, f->vf, 3);
	assert_int_equal(run(f, "status", "-j", NULL), CLI_OK);
	assert_contains(f->out, "\"state\":\"active\",\"datapath\":\"" VF "\"");
	assert_contains(f->out, "\"to_vf\":2,\"to_standby\":1");
	assert_int_equal(run(f, "events", NULL), CLI_OK);
	assert_contains(f->out, "s ago  " SBY "     ");
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "release", "nosuch", NULL), CLI_REFUSED);
	assert_contains(f->err, "nosuch: no such adapter");
	/* an adapter no standby has the MAC of is refused by the driver: unknown too */
	f->other = emu_adapter_new("other0", MAC_B, EMU_VF);
	assert_int_equal(emu_offer(f->other), NDIS_STATUS_NOT_SUPPORTED);
	assert_int_equal(run(f, "resume", "vf3", NULL), CLI_REFUSED);
	assert_contains(f->err, "vf3: no such adapter");
	assert_int_equal(run(f, "release", "a-name-longer-than-thirty-one-bytes", NULL), CLI_USAGE);
	assert_contains(f->err, "longer than 31 bytes");
	assert_sends_on(f->sby, f->vf, 2); /* nothing moved */

	inproc.admin = false;
	assert_int_equal(run(f, "status", NULL), CLI_NO_DRIVER);
	assert_contains(f->err, "access denied");
	assert_string_equal(f->out, "");
}

static void test_driver_not_loaded(void **state)
{
	char *argv[] = { "sriov-failover", "adapters", NULL };
	char *out = NULL, *err = NULL;
	size_t olen, elen;
	FILE *o = open_memstream(&out, &olen), *e = open_memstream(&err, &elen);

	(void)state;
	assert_false(emu_ctl_registered());
	assert_int_equal(sfo_cli_main(2, argv, o, e), CLI_NO_DRIVER);
	fclose(o);
	fclose(e);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "sriovfo.sys is not loaded"));
	free(out);
	free(err);
}

static void test_usage(void **state)
{
	struct fixture *f = *state;
	unsigned calls = inproc.calls;

	assert_int_equal(run(f, NULL), CLI_USAGE);
	assert_contains(f->err, "Usage: sriov-failover");
	assert_int_equal(run(f, "--help", NULL), CLI_OK);
	assert_contains(f->out, "release NAME");
	assert_int_equal(run(f, "bogus", NULL), CLI_USAGE);
	assert_contains(f->err, "unknown command or wrong arguments: 'bogus'");
	assert_int_equal(run(f, "events", "-n", "0", NULL), CLI_USAGE);
	assert_contains(f->err, "positive whole number, got '0'");
	assert_int_equal(run(f, "release", NULL), CLI_USAGE);
	assert_int_equal(run(f, "adapters", "x", NULL), CLI_USAGE);
	assert_int_equal(run(f, "status", "-x", NULL), CLI_USAGE);
	assert_contains(f->err, "unknown option '-x'");
	assert_int_equal(inproc.calls, calls); /* none reached the driver */
}

/* The device as the driver registers it, and the I/O manager's checks before a request. */
static void test_device(void **state)
{
	struct sfo_ctl_target t = { .version = SFO_CTL_VERSION, .name = VF };
	struct fixture *f = *state;
	struct emu_handle *h;
	ULONG got;

	assert_true(emu_ctl_registered());
	assert_string_equal(emu_ctl_name(), "\\Device\\sriovfo");
	assert_string_equal(emu_ctl_link(), "\\DosDevices\\sriovfo");
	/* a handle opened for reading only: release refused before the driver sees it */
	assert_int_equal(emu_ctl_open(TRUE, FALSE, &h), STATUS_SUCCESS);
	assert_int_equal(emu_ctl_ioctl(h, SFO_IOCTL_RELEASE, &t, sizeof(t), NULL, 0, &got),
			 (NTSTATUS)0xC0000022);
	assert_sends_on(f->sby, f->vf, 1);
	/* not METHOD_BUFFERED: refused by the driver */
	assert_int_equal(emu_ctl_ioctl(h, SFO_IOCTL_PAIR | 3u, &t, sizeof(t), NULL, 0, &got),
			 STATUS_INVALID_DEVICE_REQUEST);
	assert_int_equal(emu_ctl_ioctl(h, SFO_CTL_CODE(0x8ffu, 0u), NULL, 0, NULL, 0, &got),
			 SFO_CTL_ST_INVALID_REQUEST);
	emu_ctl_close(h);
}

/* The service's binding policy: what it keeps above each kind of adapter. */
static void test_bind_policy(void **state)
{
	(void)state;
	/* a VF: our protocol only, TCP/IP and every other component off, our filter too */
	assert_int_equal(sfo_bind_want(SFO_ROLE_VF, "SFO_SRIOVFOP"), BIND_ENABLE);
	assert_int_equal(sfo_bind_want(SFO_ROLE_VF, "ms_tcpip"), BIND_DISABLE);
	assert_int_equal(sfo_bind_want(SFO_ROLE_VF, "ms_tcpip6"), BIND_DISABLE);
	assert_int_equal(sfo_bind_want(SFO_ROLE_VF, "ms_lltdio"), BIND_DISABLE);
	assert_int_equal(sfo_bind_want(SFO_ROLE_VF, "sfo_sriovfo"), BIND_DISABLE);
	assert_int_equal(sfo_bind_want(SFO_ROLE_SPARE, "ms_tcpip"), BIND_DISABLE);
	assert_int_equal(sfo_bind_want(SFO_ROLE_SPARE, "sfo_sriovfop"), BIND_ENABLE);
	assert_int_equal(sfo_bind_want(SFO_ROLE_VF, "sfo_sriovfopx"), BIND_DISABLE);
	/* a standby: our filter on, TCP/IP left as it is */
	assert_int_equal(sfo_bind_want(SFO_ROLE_STANDBY, "SFO_SRIOVFO"), BIND_ENABLE);
	assert_int_equal(sfo_bind_want(SFO_ROLE_STANDBY, "ms_tcpip"), BIND_LEAVE);
	/* any other adapter: our filter off, the rest left */
	assert_int_equal(sfo_bind_want(SFO_ROLE_UNMANAGED, "sfo_sriovfo"), BIND_DISABLE);
	assert_int_equal(sfo_bind_want(SFO_ROLE_CANDIDATE, "sfo_sriovfo"), BIND_DISABLE);
	assert_int_equal(sfo_bind_want(SFO_ROLE_UNMANAGED, "ms_tcpip"), BIND_LEAVE);
	assert_int_equal(sfo_bind_want(SFO_ROLE_CANDIDATE, "ms_tcpip"), BIND_LEAVE);
}

static struct sfo_adapter_status adapter_status(enum sfo_role role, const UCHAR *mac,
						uint16_t vendor, uint16_t device)
{
	struct sfo_adapter_status st = { .role = role };

	memcpy(st.info.perm_mac, mac, SFO_MAC_LEN);
	st.info.pci_vendor = vendor;
	st.info.pci_device = device;
	return st;
}

/* Which of the driver's adapters a Windows network adapter is. */
static void test_bind_match(void **state)
{
	/* the standby, its VF, the filter's module on the VF (the VF's MAC, no
	 * PCI ids, whatever role the engine gave it), another NIC */
	const struct sfo_adapter_status a[] = {
		adapter_status(SFO_ROLE_UNMANAGED, MAC_A, 0, 0),
		adapter_status(SFO_ROLE_STANDBY, MAC_A, 0, 0),
		adapter_status(SFO_ROLE_VF, MAC_A, 0x8086, 0x154c),
		adapter_status(SFO_ROLE_UNMANAGED, MAC_B, 0x10ec, 0x8168),
	};
	struct bind_nic virtio = { .pci_vendor = 0x1af4, .pci_device = 0x1000 };
	struct bind_nic vf = { .pci_vendor = 0x8086, .pci_device = 0x154c };
	struct bind_nic other = { .pci_vendor = 0x10ec, .pci_device = 0x8168 };
	struct bind_nic stranger = { .pci_vendor = 0x10ec, .pci_device = 0x8168 };
	uint16_t ven = 0, dev = 0;

	(void)state;
	memcpy(virtio.mac, MAC_A, 6);
	memcpy(vf.perm_mac, MAC_A, 6); /* its current MAC another */
	memcpy(other.mac, MAC_B, 6);
	memcpy(stranger.mac, (UCHAR[6]){ 2, 0, 0, 0, 0, 9 }, 6);
	assert_int_equal(sfo_bind_match(a, 4, &virtio), 1); /* the standby, not the module */
	assert_int_equal(sfo_bind_match(a, 4, &vf), 2);	    /* by its PCI ids */
	assert_int_equal(sfo_bind_match(a, 4, &other), 3);
	assert_int_equal(sfo_bind_match(a, 4, &stranger), -1);
	other.pci_device = 0x8169; /* same MAC, another device: not it */
	assert_int_equal(sfo_bind_match(a, 4, &other), -1);
	assert_int_equal(sfo_bind_match(a, 0, &vf), -1);

	assert_true(
		sfo_bind_pci_ids("PCI\\VEN_8086&DEV_154C&SUBSYS_00000000&REV_01\\3&1", &ven, &dev));
	assert_int_equal(ven, 0x8086);
	assert_int_equal(dev, 0x154c);
	assert_true(sfo_bind_pci_ids("pci\\ven_1af4&dev_1041", &ven, &dev));
	assert_int_equal(dev, 0x1041);
	assert_false(sfo_bind_pci_ids("ROOT\\NET\\0000", &ven, &dev));
	assert_false(sfo_bind_pci_ids("PCI\\VEN_80&DEV_154C", &ven, &dev));
	assert_false(sfo_bind_pci_ids("PCI\\DEV_154C", &ven, &dev));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adapters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_resume_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device, setup, teardown),
		cmocka_unit_test(test_driver_not_loaded),
		cmocka_unit_test(test_bind_policy),
		cmocka_unit_test(test_bind_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
