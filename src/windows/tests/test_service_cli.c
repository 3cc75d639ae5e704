// SPDX-License-Identifier: BSD-2-Clause
/*
 * sriov-failover.exe's commands (service/cli.c) end to end on Linux: the
 * CLI, its requests over the in-process transport, the driver's request
 * handling (driver/control.c) and an engine the simulated edge drives, with
 * a standby eth0 and its VF vf0. Checks the JSON members and values, the
 * text, release/resume moving the datapath, and every refusal's message and
 * exit status.
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
#include "sim_edge.h"
#include "transport_inproc.h"

#define MAC_A "02:00:00:00:00:0a"

struct fixture {
	struct sim *s;
	uint32_t sby, vf;
	char *out, *err;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sfo_config *cfg = sfo_config_new();

	assert_non_null(f);
	assert_non_null(cfg);
	f->s = sim_new(cfg, NULL);
	assert_non_null(f->s);
	f->sby = sim_add(f->s, "eth0", "virtio_net", MAC_A, true);
	f->vf = sim_add(f->s, "vf0", "iavf", MAC_A, false);
	assert_int_equal(sim_state(f->s, f->sby), SFO_PAIR_ACTIVE);
	inproc = (struct inproc_driver){ .loaded = true, .admin = true, .eng = f->s->eng };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(inproc.open_handles, 0); /* every handle closed */
	assert_true(sim_finish(f->s));
	sim_free(f->s);
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
	inproc.now_ns = f->s->now_ns;
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

static void test_status_json(void **state)
{
	struct fixture *f = *state;
	char want[256];

	sim_advance_ms(f->s, 2500);
	assert_int_equal(run(f, "status", "-j", NULL), CLI_OK);
	assert_string_equal(f->err, "");
	/* the members of the Linux CLI's pairs, in its order, with the engine's values */
	snprintf(want, sizeof(want),
		 "\"pairs\":[{\"standby\":\"eth0\",\"standby_ifindex\":%u,\"vf\":\"vf0\","
		 "\"vf_ifindex\":%u,\"state\":\"active\",\"datapath\":\"vf0\",\"reason\":",
		 f->sby, f->vf);
	assert_contains(f->out, want);
	assert_contains(f->out, "\"since_ms\":2500,\"spares\":0,\"counters\":{\"rx_packets\":");
	assert_contains(f->out, "\"failover\":{\"to_vf\":1,\"to_standby\":0,");
	assert_contains(f->out, "\"driver\":{\"version\":");
	assert_int_equal(f->out[strlen(f->out) - 1], '\n');

	/* one pair by name, either of its adapters; pretty JSON */
	assert_int_equal(run(f, "-p", "status", "vf0", NULL), CLI_OK);
	assert_contains(f->out, "\"standby\": \"eth0\"");
	assert_int_equal(run(f, "status", "nosuch", NULL), CLI_REFUSED);
	assert_string_equal(f->out, "");
	assert_contains(f->err, "nosuch: not a managed standby or the VF of one");
}

static void test_status_text(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "status", NULL), CLI_OK);
	assert_contains(f->out, "eth0: VF vf0, active, datapath on vf0 (");
	assert_contains(f->out, "  switches: 1 to VF, 0 to standby;");
}

static void test_adapters(void **state)
{
	struct fixture *f = *state;
	char want[160];

	assert_int_equal(run(f, "adapters", "--json", NULL), CLI_OK);
	snprintf(want, sizeof(want),
		 "{\"name\":\"eth0\",\"ifindex\":%u,\"role\":\"standby\",\"driver\":\"virtio_net\","
		 "\"kind\":\"\",\"mac\":\"02:00:00:00:00:0a\",\"reason\":",
		 f->sby);
	assert_contains(f->out, want);
	snprintf(want, sizeof(want), "{\"name\":\"vf0\",\"ifindex\":%u,\"role\":\"vf\"", f->vf);
	assert_contains(f->out, want);
	assert_int_equal(run(f, "adapters", NULL), CLI_OK);
	assert_contains(f->out, "NAME             IFINDEX ROLE");
	assert_contains(f->out, "vf0 ");
}

static void test_release_resume_events(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "release", "vf0", NULL), CLI_OK);
	assert_string_equal(f->out, "vf0: released\n");
	sim_settle(f->s);
	assert_int_equal(f->s->nic[f->sby].steer, 0); /* the datapath moved */
	assert_int_equal(run(f, "status", "-j", NULL), CLI_OK);
	assert_contains(f->out, "\"datapath\":\"eth0\"");

	/* the last event is the release's transition away from active */
	assert_int_equal(run(f, "events", "-n", "1", "-j", NULL), CLI_OK);
	assert_contains(f->out, "{\"events\":[{\"ms_ago\":0,\"mono_ns\":");
	assert_contains(f->out, "\"standby\":\"eth0\",\"from\":\"active\",\"to\":");
	assert_null(strstr(strstr(f->out, "\"from\"") + 1, "\"from\"")); /* one event only */

	assert_int_equal(run(f, "resume", "eth0", "-j", NULL), CLI_OK);
	assert_string_equal(f->out, "{}\n");
	sim_settle(f->s);
	sim_advance_ms(f->s, 1000);
	assert_int_equal(f->s->nic[f->sby].steer, f->vf);
	assert_int_equal(run(f, "status", "-j", NULL), CLI_OK);
	assert_contains(f->out, "\"state\":\"active\",\"datapath\":\"vf0\"");
	assert_contains(f->out, "\"to_vf\":2,\"to_standby\":1");
	assert_int_equal(run(f, "events", NULL), CLI_OK);
	assert_contains(f->out, "s ago  eth0         ");
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "release", "nosuch", NULL), CLI_REFUSED);
	assert_contains(f->err, "nosuch: no such adapter");
	sim_add(f->s, "eth9", "e1000", "02:00:00:00:00:99", true);
	assert_int_equal(run(f, "resume", "eth9", NULL), CLI_REFUSED);
	assert_contains(f->err, "eth9: not a managed standby or the VF of one");
	assert_int_equal(run(f, "release", "a-name-longer-than-thirty-one-bytes", NULL), CLI_USAGE);
	assert_contains(f->err, "longer than 31 bytes");
	assert_int_equal(f->s->nic[f->sby].steer, f->vf); /* nothing moved */

	inproc.admin = false;
	assert_int_equal(run(f, "status", NULL), CLI_NO_DRIVER);
	assert_contains(f->err, "access denied");
	inproc.loaded = false;
	assert_int_equal(run(f, "adapters", NULL), CLI_NO_DRIVER);
	assert_contains(f->err, "sriovfo.sys is not loaded");
	inproc = (struct inproc_driver){ .loaded = true, .admin = true };
	assert_int_equal(run(f, "events", NULL), CLI_REFUSED);
	assert_contains(f->err, "no failover engine running");
	assert_string_equal(f->out, "");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adapters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_resume_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage, setup, teardown),
		cmocka_unit_test(test_bind_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
