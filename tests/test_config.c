/* SPDX-License-Identifier: BSD-2-Clause */
/* Tests of the configuration parser (src/core/config.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sfo/config.h"

/* Stands in for "a config the caller already had": must survive any error. */
static struct sfo_config sentinel;

static struct sfo_config *parse_ok(const char *text)
{
	struct sfo_config *cfg = NULL;
	char err[256] = "";
	int r = sfo_config_parse(text, strlen(text), "t.conf", &cfg, err, sizeof(err));

	if (r != 0)
		print_error("unexpected error %d: %s\n", r, err);
	assert_int_equal(r, 0);
	assert_non_null(cfg);
	return cfg;
}

/* Parse @len bytes that must fail with exactly @msg; *out stays untouched. */
static void expect_error_len(const char *text, size_t len, const char *msg)
{
	struct sfo_config *cfg = &sentinel;
	char err[256];
	int r;

	memset(err, 'X', sizeof(err));
	r = sfo_config_parse(text, len, "x.conf", &cfg, err, sizeof(err));
	assert_int_equal(r, -SFO_EINVAL);
	assert_ptr_equal(cfg, &sentinel);
	assert_string_equal(err, msg);
}

static void expect_error(const char *text, const char *msg)
{
	expect_error_len(text, strlen(text), msg);
}

static void test_defaults(void **state)
{
	struct sfo_config *cfg = sfo_config_new();

	(void)state;
	assert_non_null(cfg);
	assert_int_equal(cfg->manage, SFO_MANAGE_AUTO);
	assert_int_equal(cfg->announce_count, 1);
	assert_int_equal(cfg->announce_interval_ms, 200);
	assert_int_equal(cfg->bringup_delay_ms, 0);
	assert_int_equal(cfg->probe_path, 1);
	assert_int_equal(cfg->probe_interval_ms, SFO_PROBE_INTERVAL_MS_DEFAULT);
	assert_int_equal(cfg->probe_timeout_ms, SFO_PROBE_TIMEOUT_MS_DEFAULT);
	assert_int_equal(cfg->realtime_priority, 10);
	assert_int_equal(cfg->n_standby_drivers, 1);
	assert_string_equal(cfg->standby_drivers[0], "virtio_net");
	assert_int_equal(cfg->n_vf_drivers, 0);
	assert_null(cfg->vf_drivers);
	assert_int_equal(cfg->n_vf_pci_ids, 0);
	assert_null(cfg->vf_pci_ids);
	assert_int_equal(cfg->n_standbys, 0);
	assert_null(cfg->standbys);
	sfo_config_free(cfg);
	sfo_config_free(NULL);
}

static void test_empty_text(void **state)
{
	struct sfo_config *cfg = NULL;
	char err[64] = "";

	(void)state;
	assert_int_equal(sfo_config_parse(NULL, 0, "t.conf", &cfg, err, sizeof(err)), 0);
	assert_non_null(cfg);
	assert_int_equal(cfg->announce_interval_ms, 200);
	assert_string_equal(cfg->standby_drivers[0], "virtio_net");
	sfo_config_free(cfg);

	cfg = parse_ok("\n\n   \n# only a comment\n");
	assert_int_equal(cfg->n_standby_drivers, 1);
	assert_int_equal(cfg->n_standbys, 0);
	sfo_config_free(cfg);
}

static void test_global_keys(void **state)
{
	struct sfo_config *cfg = parse_ok("[global]\n"
					  "manage = listed\n"
					  "standby-drivers = virtio_net netvsc\n"
					  "vf-drivers = veth e1000e\n"
					  "vf-pci-ids = 8086:154c 15b3:*\n"
					  "announce-count = 7\n"
					  "announce-interval-ms = 150\n"
					  "bringup-delay-ms = 42\n");

	(void)state;
	assert_int_equal(cfg->manage, SFO_MANAGE_LISTED);
	assert_int_equal(cfg->n_standby_drivers, 2);
	assert_string_equal(cfg->standby_drivers[0], "virtio_net");
	assert_string_equal(cfg->standby_drivers[1], "netvsc");
	assert_int_equal(cfg->n_vf_drivers, 2);
	assert_string_equal(cfg->vf_drivers[0], "veth");
	assert_string_equal(cfg->vf_drivers[1], "e1000e");
	assert_int_equal(cfg->n_vf_pci_ids, 2);
	assert_int_equal(cfg->vf_pci_ids[0].vendor, 0x8086);
	assert_int_equal(cfg->vf_pci_ids[0].device, 0x154c);
	assert_false(cfg->vf_pci_ids[0].any_device);
	assert_int_equal(cfg->vf_pci_ids[1].vendor, 0x15b3);
	assert_true(cfg->vf_pci_ids[1].any_device);
	assert_int_equal(cfg->announce_count, 7);
	assert_int_equal(cfg->announce_interval_ms, 150);
	assert_int_equal(cfg->bringup_delay_ms, 42);
	assert_int_equal(cfg->n_standbys, 0);
	sfo_config_free(cfg);

	cfg = parse_ok("manage = auto\n");
	assert_int_equal(cfg->manage, SFO_MANAGE_AUTO);
	sfo_config_free(cfg);
}

static void test_standby_section(void **state)
{
	struct sfo_config *cfg = parse_ok("[standby eth0]\n"
					  "managed = no\n"
					  "announce-count = 3\n"
					  "announce-interval-ms = 100\n"
					  "bringup-delay-ms = 250\n"
					  "[standby ens3]\n");
	const struct sfo_standby_options *sb;

	(void)state;
	assert_int_equal(cfg->n_standbys, 2);
	sb = sfo_config_standby(cfg, "eth0");
	assert_non_null(sb);
	assert_string_equal(sb->name, "eth0");
	assert_false(sb->managed);
	assert_int_equal(sb->announce_count, 3);
	assert_int_equal(sb->announce_interval_ms, 100);
	assert_int_equal(sb->bringup_delay_ms, 250);
	/* an empty section: managed, everything inherited */
	sb = sfo_config_standby(cfg, "ens3");
	assert_non_null(sb);
	assert_true(sb->managed);
	assert_int_equal(sb->announce_count, -1);
	assert_int_equal(sb->announce_interval_ms, -1);
	assert_int_equal(sb->bringup_delay_ms, -1);
	/* global values untouched by standby keys */
	assert_int_equal(cfg->announce_count, 1);
	assert_int_equal(cfg->announce_interval_ms, 200);
	sfo_config_free(cfg);
}

static void test_probe_options(void **state)
{
	struct sfo_config *cfg =
		parse_ok("probe-path = no\nprobe-interval-ms = 20\n"
			 "probe-timeout-ms = 0\n"
			 "[standby eth0]\nprobe-path = yes\nprobe-timeout-ms = 800\n"
			 "[standby eth1]\n");
	const struct sfo_standby_options *sb;

	(void)state;
	assert_int_equal(cfg->probe_path, 0);
	assert_int_equal(cfg->probe_interval_ms, 20);
	assert_int_equal(cfg->probe_timeout_ms, 0);
	sb = sfo_config_standby(cfg, "eth0");
	assert_int_equal(sb->probe_path, 1);
	assert_int_equal(sb->probe_interval_ms, -1);
	assert_int_equal(sb->probe_timeout_ms, 800);
	sb = sfo_config_standby(cfg, "eth1");
	assert_int_equal(sb->probe_path, -1);
	sfo_config_free(cfg);
	expect_error("probe-path = maybe\n",
		     "x.conf:1: probe-path must be yes, no, true, false, 1 or 0, got 'maybe'");
	/* 0 would probe without pause */
	expect_error("[standby eth0]\nprobe-interval-ms = 0\n",
		     "x.conf:2: probe-interval-ms must be 1..60000, got '0'");
	expect_error("probe-timeout-ms = 60001\n",
		     "x.conf:1: probe-timeout-ms must be 0..60000, got '60001'");
}

static void test_realtime_priority(void **state)
{
	struct sfo_config *cfg;

	(void)state;
	cfg = parse_ok("[global]\nrealtime-priority = 0\n");
	assert_int_equal(cfg->realtime_priority, 0);
	sfo_config_free(cfg);
	cfg = parse_ok("realtime-priority = 99\n");
	assert_int_equal(cfg->realtime_priority, SFO_REALTIME_PRIORITY_MAX);
	sfo_config_free(cfg);
	cfg = parse_ok("realtime-priority = 1\n[standby eth0]\n");
	assert_int_equal(cfg->realtime_priority, 1);
	sfo_config_free(cfg);

	expect_error("realtime-priority = 100\n",
		     "x.conf:1: realtime-priority must be 0..99, got '100'");
	expect_error("realtime-priority = -1\n",
		     "x.conf:1: realtime-priority must be 0..99, got '-1'");
	expect_error("realtime-priority = fifo\n",
		     "x.conf:1: realtime-priority must be 0..99, got 'fifo'");
	expect_error("[standby eth0]\nrealtime-priority = 10\n",
		     "x.conf:2: key 'realtime-priority' not allowed in [standby eth0]");
}

static void test_standby_lookup_exact(void **state)
{
	struct sfo_config *cfg = parse_ok("[standby eth0]\n[standby eth00]\n");

	(void)state;
	assert_string_equal(sfo_config_standby(cfg, "eth0")->name, "eth0");
	assert_string_equal(sfo_config_standby(cfg, "eth00")->name, "eth00");
	assert_null(sfo_config_standby(cfg, "eth"));
	assert_null(sfo_config_standby(cfg, "ETH0"));
	assert_null(sfo_config_standby(cfg, "eth0 "));
	assert_null(sfo_config_standby(cfg, ""));
	assert_null(sfo_config_standby(cfg, NULL));
	assert_null(sfo_config_standby(NULL, "eth0"));
	sfo_config_free(cfg);
}

static void test_managed_values(void **state)
{
	static const struct {
		const char *v;
		bool managed;
	} cases[] = {
		{ "yes", true }, { "true", true },   { "1", true },
		{ "no", false }, { "false", false }, { "0", false },
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sfo_config *cfg;

		snprintf(text, sizeof(text), "[standby eth0]\nmanaged = %s\n", cases[i].v);
		cfg = parse_ok(text);
		assert_int_equal(cfg->standbys[0].managed, cases[i].managed);
		sfo_config_free(cfg);
	}
	expect_error("[standby eth0]\nmanaged = Yes\n",
		     "x.conf:2: managed must be yes, no, true, false, 1 or 0, got 'Yes'");
	expect_error("[standby eth0]\nmanaged = 2\n",
		     "x.conf:2: managed must be yes, no, true, false, 1 or 0, got '2'");
	expect_error("manage = sometimes\n",
		     "x.conf:1: manage must be auto or listed, got 'sometimes'");
}

static void test_comments_and_whitespace(void **state)
{
	struct sfo_config *cfg = parse_ok("  # leading comment\r\n"
					  "; semicolon comment\n"
					  "\t[global]   # comment after a header\n"
					  "  announce-count\t=\t9   ; trailing\r\n"
					  "vf-drivers =   a#b \t  c;d  # glued '#' and ';' stay\n"
					  "[ standby  eth1 ];c\n"
					  "managed=no\n"
					  "bringup-delay-ms = 5");

	(void)state;
	assert_int_equal(cfg->announce_count, 9);
	assert_int_equal(cfg->n_vf_drivers, 2);
	assert_string_equal(cfg->vf_drivers[0], "a#b");
	assert_string_equal(cfg->vf_drivers[1], "c;d");
	assert_int_equal(cfg->n_standbys, 1);
	assert_string_equal(cfg->standbys[0].name, "eth1");
	assert_false(cfg->standbys[0].managed);
	assert_int_equal(cfg->standbys[0].bringup_delay_ms, 5); /* last line, no '\n' */
	sfo_config_free(cfg);

	/* a comment right after '=' leaves an empty value */
	expect_error("manage = # nothing\n", "x.conf:1: missing value for 'manage'");
	expect_error("manage =\n", "x.conf:1: missing value for 'manage'");
	expect_error("manage = ;\n", "x.conf:1: missing value for 'manage'");
}

static void test_global_before_header_and_merge(void **state)
{
	struct sfo_config *cfg = parse_ok("announce-count = 4\n"
					  "[standby eth0]\n"
					  "announce-count = 8\n"
					  "[global]\n"
					  "bringup-delay-ms = 10\n"
					  "[global]\n"
					  "announce-count = 5\n"
					  "announce-count = 6\n");

	(void)state;
	assert_int_equal(cfg->announce_count, 6); /* last one wins */
	assert_int_equal(cfg->bringup_delay_ms, 10);
	assert_int_equal(cfg->standbys[0].announce_count, 8);
	sfo_config_free(cfg);
}

static void test_list_append(void **state)
{
	struct sfo_config *cfg = parse_ok("vf-drivers = a b\n"
					  "standby-drivers = s1\n"
					  "vf-pci-ids = 1:2\n"
					  "[global]\n"
					  "vf-drivers = c\n"
					  "standby-drivers = s2 s3\n"
					  "vf-pci-ids = 3:4 5:6\n");

	(void)state;
	assert_int_equal(cfg->n_vf_drivers, 3);
	assert_string_equal(cfg->vf_drivers[2], "c");
	/* the first line replaced "virtio_net", the second appended */
	assert_int_equal(cfg->n_standby_drivers, 3);
	assert_string_equal(cfg->standby_drivers[0], "s1");
	assert_string_equal(cfg->standby_drivers[1], "s2");
	assert_string_equal(cfg->standby_drivers[2], "s3");
	assert_int_equal(cfg->n_vf_pci_ids, 3);
	assert_int_equal(cfg->vf_pci_ids[2].vendor, 5);
	assert_int_equal(cfg->vf_pci_ids[2].device, 6);
	sfo_config_free(cfg);
}

static void test_many_list_entries(void **state)
{
	/* crosses several doubling steps of the arrays */
	char text[1024];
	struct sfo_config *cfg;
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "vf-drivers = d%d\n", i);
	cfg = parse_ok(text);
	assert_int_equal(cfg->n_vf_drivers, 40);
	assert_string_equal(cfg->vf_drivers[0], "d0");
	assert_string_equal(cfg->vf_drivers[39], "d39");
	sfo_config_free(cfg);
}

static void test_pci_ids(void **state)
{
	struct sfo_config *cfg = parse_ok("vf-pci-ids = ABCD:eF01 1:* 0:0 ffff:ffff\n");

	(void)state;
	assert_int_equal(cfg->n_vf_pci_ids, 4);
	assert_int_equal(cfg->vf_pci_ids[0].vendor, 0xabcd);
	assert_int_equal(cfg->vf_pci_ids[0].device, 0xef01);
	assert_int_equal(cfg->vf_pci_ids[1].vendor, 1);
	assert_true(cfg->vf_pci_ids[1].any_device);
	assert_int_equal(cfg->vf_pci_ids[2].vendor, 0);
	assert_int_equal(cfg->vf_pci_ids[2].device, 0);
	assert_int_equal(cfg->vf_pci_ids[3].vendor, 0xffff);
	assert_int_equal(cfg->vf_pci_ids[3].device, 0xffff);
	assert_false(cfg->vf_pci_ids[3].any_device);
	sfo_config_free(cfg);

	expect_error("\n\n\n\nvf-pci-ids = 8086-154c\n",
		     "x.conf:5: bad PCI id '8086-154c' (want VENDOR:DEVICE in hex)");
	expect_error("vf-pci-ids = 1:2 12345:1\n",
		     "x.conf:1: bad PCI id '12345:1' (want VENDOR:DEVICE in hex)");
	expect_error("vf-pci-ids = 8086:\n",
		     "x.conf:1: bad PCI id '8086:' (want VENDOR:DEVICE in hex)");
	expect_error("vf-pci-ids = :1\n", "x.conf:1: bad PCI id ':1' (want VENDOR:DEVICE in hex)");
	expect_error("vf-pci-ids = *:1\n",
		     "x.conf:1: bad PCI id '*:1' (want VENDOR:DEVICE in hex)");
	expect_error("vf-pci-ids = 0x86:1\n",
		     "x.conf:1: bad PCI id '0x86:1' (want VENDOR:DEVICE in hex)");
	expect_error("vf-pci-ids = 1:2:3\n",
		     "x.conf:1: bad PCI id '1:2:3' (want VENDOR:DEVICE in hex)");
	expect_error("vf-pci-ids = 1:**\n",
		     "x.conf:1: bad PCI id '1:**' (want VENDOR:DEVICE in hex)");
}

static void test_number_ranges(void **state)
{
	struct sfo_config *cfg;

	(void)state;
	cfg = parse_ok("announce-count = 0\nannounce-interval-ms = 0\nbringup-delay-ms = 0\n");
	assert_int_equal(cfg->announce_count, 0);
	assert_int_equal(cfg->announce_interval_ms, 0);
	assert_int_equal(cfg->bringup_delay_ms, 0);
	sfo_config_free(cfg);

	cfg = parse_ok("announce-count = 255\nannounce-interval-ms = 60000\n"
		       "bringup-delay-ms = 0060000\n");
	assert_int_equal(cfg->announce_count, SFO_ANNOUNCE_COUNT_MAX);
	assert_int_equal(cfg->announce_interval_ms, SFO_INTERVAL_MS_MAX);
	assert_int_equal(cfg->bringup_delay_ms, SFO_INTERVAL_MS_MAX);
	sfo_config_free(cfg);

	expect_error("\n\nannounce-count = 300\n",
		     "x.conf:3: announce-count must be 0..255, got '300'");
	expect_error("announce-count = 256\n",
		     "x.conf:1: announce-count must be 0..255, got '256'");
	expect_error("announce-interval-ms = 60001\n",
		     "x.conf:1: announce-interval-ms must be 0..60000, got '60001'");
	expect_error("bringup-delay-ms = 60001\n",
		     "x.conf:1: bringup-delay-ms must be 0..60000, got '60001'");
}

static void test_number_syntax(void **state)
{
	static const char *const bad[] = {
		"-1",
		"+1",
		"1.5",
		"0x10",
		"1e3",
		"12a",
		"1 2",
		"4294967297",
		"18446744073709551617",
		"99999999999999999999999999999999999999",
	};
	char text[128], msg[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "announce-count = %s\n", bad[i]);
		snprintf(msg, sizeof(msg), "x.conf:1: announce-count must be 0..255, got '%s'",
			 bad[i]);
		expect_error(text, msg);
	}
	/* quoted value cut at 40 bytes */
	expect_error("bringup-delay-ms = 12345678901234567890123456789012345678901234567890\n",
		     "x.conf:1: bringup-delay-ms must be 0..60000, got "
		     "'1234567890123456789012345678901234567890...'");
}

static void test_standby_number_ranges(void **state)
{
	struct sfo_config *cfg = parse_ok("[standby a]\nannounce-count = 255\n"
					  "announce-interval-ms = 60000\nbringup-delay-ms = 0\n");

	(void)state;
	assert_int_equal(cfg->standbys[0].announce_count, 255);
	assert_int_equal(cfg->standbys[0].announce_interval_ms, 60000);
	assert_int_equal(cfg->standbys[0].bringup_delay_ms, 0);
	sfo_config_free(cfg);
	expect_error("[standby a]\nannounce-count = 256\n",
		     "x.conf:2: announce-count must be 0..255, got '256'");
	expect_error("[standby a]\nbringup-delay-ms = -1\n",
		     "x.conf:2: bringup-delay-ms must be 0..60000, got '-1'");
}

static void test_unknown_key(void **state)
{
	(void)state;
	expect_error("[global]\n\n\n\n\n\nanounce-count = 3\n",
		     "x.conf:7: unknown key 'anounce-count' in [global]");
	expect_error("[standby eth0]\nfoo = 1\n", "x.conf:2: unknown key 'foo' in [standby eth0]");
	expect_error("Manage = auto\n", "x.conf:1: unknown key 'Manage' in [global]");
	expect_error("announce count = 1\n", "x.conf:1: unknown key 'announce count' in [global]");
}

static void test_key_wrong_section(void **state)
{
	(void)state;
	expect_error("managed = yes\n", "x.conf:1: key 'managed' not allowed in [global]");
	expect_error("[standby eth0]\nmanage = auto\n",
		     "x.conf:2: key 'manage' not allowed in [standby eth0]");
	expect_error("[standby eth0]\nvf-drivers = x\n",
		     "x.conf:2: key 'vf-drivers' not allowed in [standby eth0]");
}

static void test_expected_key_value(void **state)
{
	(void)state;
	expect_error("manage = auto\nmanage auto\n", "x.conf:2: expected 'key = value'");
	expect_error("= auto\n", "x.conf:1: expected 'key = value'");
	expect_error("  =\n", "x.conf:1: expected 'key = value'");
	expect_error("manage # = auto\n", "x.conf:1: unknown key 'manage #' in [global]");
}

static void test_sections(void **state)
{
	(void)state;
	expect_error("[foo]\n", "x.conf:1: unknown section [foo]");
	expect_error("[]\n", "x.conf:1: unknown section []");
	expect_error("[global eth0]\n", "x.conf:1: unknown section [global eth0]");
	expect_error("[standbyeth0]\n", "x.conf:1: unknown section [standbyeth0]");
	expect_error("[standby]\n", "x.conf:1: section [standby] needs exactly one adapter name");
	expect_error("[standby a b]\n",
		     "x.conf:1: section [standby] needs exactly one adapter name");
	expect_error("\n\n\n\n\n[global\n", "x.conf:6: unterminated section header");
	expect_error("[standby eth0 # ]\n",
		     "x.conf:1: section [standby] needs exactly one adapter name");
	expect_error("[global] x\n", "x.conf:1: unexpected text after section header");
	expect_error("[global]]\n", "x.conf:1: unexpected text after section header");
}

static void test_duplicate_section(void **state)
{
	(void)state;
	expect_error("[standby eth0]\n"
		     "managed = no\n"
		     "[standby eth1]\n"
		     "[global]\n"
		     "\n\n\n\n"
		     "[standby  eth0 ]\n",
		     "x.conf:9: duplicate section [standby eth0]");
}

static void test_names(void **state)
{
	struct sfo_config *cfg = parse_ok("standby-drivers = 1234567890123456789012345678901\n"
					  "[standby 123456789012345]\n");

	(void)state;
	assert_string_equal(cfg->standby_drivers[0], "1234567890123456789012345678901");
	assert_string_equal(cfg->standbys[0].name, "123456789012345");
	sfo_config_free(cfg);

	expect_error("\n\n\nvf-drivers = ok 12345678901234567890123456789012\n",
		     "x.conf:4: driver name '12345678901234567890123456789012' too long (max 31)");
	expect_error("standby-drivers = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		     "x.conf:1: driver name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' too long "
		     "(max 31)");
	expect_error("[standby 1234567890123456]\n",
		     "x.conf:1: adapter name '1234567890123456' too long (max 15)");
	expect_error("[standby a/b]\n", "x.conf:1: bad adapter name 'a/b' ('/' not allowed)");
}

static void test_nul_byte(void **state)
{
	static const char text[] = "manage = auto\n# ok\nmanage = a\0uto\n";
	static const char text2[] = "[standby eth0]\n\0";

	(void)state;
	expect_error_len(text, sizeof(text) - 1, "x.conf:3: NUL byte in line");
	expect_error_len(text2, sizeof(text2) - 1, "x.conf:2: NUL byte in line");
	/* in a comment too */
	expect_error_len("#\0\n", 3, "x.conf:1: NUL byte in line");
}

static void test_long_line(void **state)
{
	char text[2048];
	struct sfo_config *cfg;

	(void)state;
	/* 1024 bytes before the newline: accepted (a '\r' counts) */
	memset(text, ' ', sizeof(text));
	memcpy(text, "manage = listed", 15);
	text[1023] = '\r';
	text[1024] = '\n';
	text[1025] = '\0';
	cfg = parse_ok(text);
	assert_int_equal(cfg->manage, SFO_MANAGE_LISTED);
	sfo_config_free(cfg);

	/* 1025 bytes: rejected, with its line number */
	memcpy(text, "\n#", 2);
	memset(text + 2, '#', 1024);
	text[1026] = '\n';
	text[1027] = '\0';
	expect_error(text, "x.conf:2: line too long (max 1024 bytes)");
	/* also without a final newline */
	text[1026] = '\0';
	expect_error(text, "x.conf:2: line too long (max 1024 bytes)");
}

static void test_error_buffer(void **state)
{
	struct sfo_config *cfg = &sentinel;
	const char *text = "[foo]\n";
	char err[10];

	(void)state;
	/* truncated, still terminated */
	memset(err, 'X', sizeof(err));
	assert_int_equal(sfo_config_parse(text, strlen(text), "x.conf", &cfg, err, sizeof(err)),
			 -SFO_EINVAL);
	assert_string_equal(err, "x.conf:1:");
	memset(err, 'X', sizeof(err));
	assert_int_equal(sfo_config_parse(text, strlen(text), "a-long-file-name.conf", &cfg, err,
					  sizeof(err)),
			 -SFO_EINVAL);
	assert_string_equal(err, "a-long-fi");
	/* no buffer at all */
	assert_int_equal(sfo_config_parse(text, strlen(text), "x.conf", &cfg, NULL, 0),
			 -SFO_EINVAL);
	err[0] = 'X';
	assert_int_equal(sfo_config_parse(text, strlen(text), "x.conf", &cfg, err, 0), -SFO_EINVAL);
	assert_int_equal(err[0], 'X');
	assert_ptr_equal(cfg, &sentinel);
}

static void test_bad_arguments(void **state)
{
	struct sfo_config *cfg = &sentinel;
	char err[64];

	(void)state;
	assert_int_equal(sfo_config_parse("x", 1, "x.conf", NULL, err, sizeof(err)), -SFO_EINVAL);
	assert_int_equal(sfo_config_parse(NULL, 1, "x.conf", &cfg, err, sizeof(err)), -SFO_EINVAL);
	assert_ptr_equal(cfg, &sentinel);
	/* no file name */
	assert_int_equal(sfo_config_parse("[x]", 3, NULL, &cfg, err, sizeof(err)), -SFO_EINVAL);
	assert_string_equal(err, "<config>:1: unknown section [x]");
	assert_int_equal(sfo_config_load(NULL, &cfg, err, sizeof(err)), -SFO_EINVAL);
	assert_ptr_equal(cfg, &sentinel);
}

static void test_byte_order_mark(void **state)
{
	struct sfo_config *cfg = parse_ok("\xEF\xBB\xBF[global]\nmanage = listed\n");

	(void)state;
	assert_int_equal(cfg->manage, SFO_MANAGE_LISTED);
	sfo_config_free(cfg);
	/* only at the very start */
	expect_error("\n\xEF\xBB\xBF[global]\n", "x.conf:2: expected 'key = value'");
}

static void test_error_discards_everything(void **state)
{
	/* lots allocated before the error: ASan/LSan reports a leak if any */
	struct sfo_config *cfg = &sentinel;
	const char *text = "vf-drivers = a b c d e\nvf-pci-ids = 1:2 3:4 5:*\n"
			   "standby-drivers = x y z\n[standby a]\n[standby b]\n[standby c]\n"
			   "[global]\nvf-pci-ids = zz\n";
	char err[128];

	(void)state;
	assert_int_equal(sfo_config_parse(text, strlen(text), "x.conf", &cfg, err, sizeof(err)),
			 -SFO_EINVAL);
	assert_ptr_equal(cfg, &sentinel);
	assert_string_equal(err, "x.conf:8: bad PCI id 'zz' (want VENDOR:DEVICE in hex)");
}

static void temp_path(char *buf, size_t len, const char *tag)
{
	const char *dir = getenv("TMPDIR");

	snprintf(buf, len, "%s/sfo-test-config-%ld-%s.conf", dir && *dir ? dir : "/tmp",
		 (long)getpid(), tag);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_load_file(void **state)
{
	const char *text = "manage = listed\n[standby eth0]\nannounce-count = 2\n";
	struct sfo_config *cfg = NULL;
	char path[512], err[600], msg[600];

	(void)state;
	temp_path(path, sizeof(path), "ok");
	write_file(path, text, strlen(text));
	assert_int_equal(sfo_config_load(path, &cfg, err, sizeof(err)), 0);
	assert_non_null(cfg);
	assert_int_equal(cfg->manage, SFO_MANAGE_LISTED);
	assert_int_equal(sfo_config_standby(cfg, "eth0")->announce_count, 2);
	sfo_config_free(cfg);

	/* errors carry the path as file name */
	write_file(path, "\nbogus\n", 7);
	cfg = &sentinel;
	assert_int_equal(sfo_config_load(path, &cfg, err, sizeof(err)), -SFO_EINVAL);
	snprintf(msg, sizeof(msg), "%s:2: expected 'key = value'", path);
	assert_string_equal(err, msg);
	assert_ptr_equal(cfg, &sentinel);
	assert_int_equal(remove(path), 0);

	/* missing file */
	assert_int_equal(sfo_config_load(path, &cfg, err, sizeof(err)), -SFO_ENOENT);
	snprintf(msg, sizeof(msg), "%s: cannot open: No such file or directory", path);
	assert_string_equal(err, msg);
	assert_ptr_equal(cfg, &sentinel);

	/* Linux opens a directory but cannot read it */
	temp_path(path, sizeof(path), "dir");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(sfo_config_load(path, &cfg, err, sizeof(err)), -SFO_EINVAL);
	snprintf(msg, sizeof(msg), "%s: cannot read: Is a directory", path);
	assert_string_equal(err, msg);
	assert_ptr_equal(cfg, &sentinel);
	assert_int_equal(rmdir(path), 0);
}

static void test_load_size_cap(void **state)
{
	const size_t cap = 1024 * 1024;
	char *data = malloc(cap + 1);
	struct sfo_config *cfg = NULL;
	char path[512], err[600], msg[600];

	(void)state;
	assert_non_null(data);
	/* exactly 1 MiB of 64-byte comment lines: accepted */
	for (size_t i = 0; i < cap + 1; i++)
		data[i] = (i % 64 == 63) ? '\n' : '#';
	temp_path(path, sizeof(path), "big");
	write_file(path, data, cap);
	assert_int_equal(sfo_config_load(path, &cfg, err, sizeof(err)), 0);
	sfo_config_free(cfg);

	/* one byte more: refused */
	write_file(path, data, cap + 1);
	cfg = &sentinel;
	assert_int_equal(sfo_config_load(path, &cfg, err, sizeof(err)), -SFO_EINVAL);
	snprintf(msg, sizeof(msg), "%s: file too large (max 1048576 bytes)", path);
	assert_string_equal(err, msg);
	assert_ptr_equal(cfg, &sentinel);
	assert_int_equal(remove(path), 0);
	free(data);
}

/* The largest file there can be: 58254 sections of 18 bytes, 1 MiB. */
#define MANY_STANDBYS (SFO_CONFIG_FILE_MAX / 18)

static char *many_standbys_text(size_t extra, size_t *len)
{
	char *text = malloc(SFO_CONFIG_FILE_MAX + extra + 1);
	size_t n = 0;

	assert_non_null(text);
	for (unsigned int i = 0; i < MANY_STANDBYS; i++)
		n += (size_t)sprintf(text + n, "[standby x%06u]\n", i);
	assert_true(n <= SFO_CONFIG_FILE_MAX);
	*len = n;
	return text;
}

static void test_many_standbys(void **state)
{
	struct sfo_config *cfg = NULL;
	char err[256], name[16];
	size_t len;
	char *text = many_standbys_text(32, &len);

	(void)state;
	assert_int_equal(sfo_config_parse(text, len, "t.conf", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg->n_standbys, MANY_STANDBYS);
	for (unsigned int i = 0; i < MANY_STANDBYS; i++) {
		snprintf(name, sizeof(name), "x%06u", i);
		assert_ptr_equal(sfo_config_standby(cfg, name), &cfg->standbys[i]);
	}
	assert_null(sfo_config_standby(cfg, "x999999"));
	sfo_config_free(cfg);

	/* the same, then the first one again: found at the last line */
	len += (size_t)sprintf(text + len, "[standby x000000]\n");
	cfg = &sentinel;
	assert_int_equal(sfo_config_parse(text, len, "t.conf", &cfg, err, sizeof(err)),
			 -SFO_EINVAL);
	assert_ptr_equal(cfg, &sentinel);
	assert_string_equal(err, "t.conf:58255: duplicate section [standby x000000]");
	free(text);
}

static void test_add_standby(void **state)
{
	struct sfo_config *cfg = sfo_config_new();
	struct sfo_standby_options *sb = NULL, *again = NULL;
	char name[16];

	(void)state;
	assert_non_null(cfg);
	assert_null(sfo_config_standby(cfg, "eth0"));
	assert_int_equal(sfo_config_add_standby(cfg, "eth0", &sb), 0);
	assert_string_equal(sb->name, "eth0");
	assert_true(sb->managed);
	assert_int_equal(sb->announce_count, -1);
	assert_int_equal(sb->announce_interval_ms, -1);
	assert_int_equal(sb->bringup_delay_ms, -1);
	sb->announce_count = 3;
	assert_int_equal(sfo_config_add_standby(cfg, "eth0", &again), -SFO_EEXIST);
	assert_ptr_equal(again, sb);
	assert_int_equal(again->announce_count, 3);
	/* past the index's first sizes: everything still found */
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "e%d", i);
		assert_int_equal(sfo_config_add_standby(cfg, name, NULL), 0);
	}
	assert_int_equal(cfg->n_standbys, 101);
	assert_int_equal(sfo_config_standby(cfg, "eth0")->announce_count, 3);
	assert_string_equal(sfo_config_standby(cfg, "e99")->name, "e99");
	assert_int_equal(sfo_config_add_standby(cfg, "", NULL), -SFO_EINVAL);
	assert_int_equal(sfo_config_add_standby(cfg, "a/b", NULL), -SFO_EINVAL);
	assert_int_equal(sfo_config_add_standby(cfg, "1234567890123456", NULL), -SFO_EINVAL);
	assert_int_equal(sfo_config_add_standby(cfg, NULL, NULL), -SFO_EINVAL);
	assert_int_equal(cfg->n_standbys, 101);
	sfo_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_text),
		cmocka_unit_test(test_global_keys),
		cmocka_unit_test(test_standby_section),
		cmocka_unit_test(test_probe_options),
		cmocka_unit_test(test_realtime_priority),
		cmocka_unit_test(test_standby_lookup_exact),
		cmocka_unit_test(test_managed_values),
		cmocka_unit_test(test_comments_and_whitespace),
		cmocka_unit_test(test_global_before_header_and_merge),
		cmocka_unit_test(test_list_append),
		cmocka_unit_test(test_many_list_entries),
		cmocka_unit_test(test_pci_ids),
		cmocka_unit_test(test_number_ranges),
		cmocka_unit_test(test_number_syntax),
		cmocka_unit_test(test_standby_number_ranges),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_key_wrong_section),
		cmocka_unit_test(test_expected_key_value),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_duplicate_section),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_byte_order_mark),
		cmocka_unit_test(test_error_discards_everything),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_load_size_cap),
		cmocka_unit_test(test_many_standbys),
		cmocka_unit_test(test_add_standby),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
