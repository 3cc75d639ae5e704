// SPDX-License-Identifier: BSD-2-Clause
/*
 * The control device's request handling (driver/control.c) on an engine:
 * the answers carry the engine's reports, release and resume move the
 * datapath, and every malformed request is refused with its own status.
 * The engine here is driven by the simulated edge (src/sim).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control.h"
#include "sim_edge.h"

#define MAC_A "02:00:00:00:00:0a"

struct fixture {
	struct sim *s;
	uint32_t sby, vf;
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
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	assert_true(sim_finish(f->s));
	sim_free(f->s);
	free(f);
	return 0;
}

static NTSTATUS call(struct fixture *f, ULONG code, const void *in, ULONG in_len, void *out,
		     ULONG out_len, ULONG *written)
{
	return sfo_control_request(f->s->eng, f->s->now_ns, code, in, in_len, out, out_len,
				   written);
}

static NTSTATUS target(struct fixture *f, ULONG code, const char *name)
{
	struct sfo_ctl_target t = { .version = SFO_CTL_VERSION };
	ULONG written = 1;
	NTSTATUS st;

	snprintf(t.name, sizeof(t.name), "%s", name);
	st = call(f, code, &t, sizeof(t), NULL, 0, &written);
	assert_int_equal(written, 0);
	return st;
}

static void test_pair(void **state)
{
	struct fixture *f = *state;
	struct sfo_ctl_query q = { .version = SFO_CTL_VERSION, .index = 0 };
	struct sfo_ctl_pair out;
	struct sfo_pair_status want;
	ULONG written;

	sim_advance_ms(f->s, 1500);
	memset(&out, 0xee, sizeof(out));
	assert_int_equal(call(f, SFO_IOCTL_PAIR, &q, sizeof(q), &out, sizeof(out), &written),
			 STATUS_SUCCESS);
	assert_int_equal(written, sizeof(out));
	assert_int_equal(out.version, SFO_CTL_VERSION);
	assert_int_equal(out.count, 1);
	assert_int_equal(out.now_ns, f->s->now_ns);
	assert_true(sim_pair(f->s, f->sby, &want));
	assert_string_equal(out.pair.standby_name, "eth0");
	assert_string_equal(out.pair.vf_name, "vf0");
	assert_int_equal(out.pair.vf_id, f->vf);
	assert_int_equal(out.pair.datapath_id, f->vf);
	assert_int_equal(out.pair.state, SFO_PAIR_ACTIVE);
	assert_int_equal(out.pair.since_ns, want.since_ns);
	assert_int_equal(out.pair.failover.to_vf, want.failover.to_vf);

	q.index = 1;
	assert_int_equal(call(f, SFO_IOCTL_PAIR, &q, sizeof(q), &out, sizeof(out), &written),
			 SFO_CTL_ST_NO_MORE_ENTRIES);
	assert_int_equal(written, 0);
}

static void test_adapters(void **state)
{
	struct fixture *f = *state;
	struct sfo_ctl_query q = { .version = SFO_CTL_VERSION };
	struct sfo_ctl_adapter out;
	ULONG written;
	int standbys = 0, vfs = 0;

	for (q.index = 0; q.index < 2; q.index++) {
		assert_int_equal(
			call(f, SFO_IOCTL_ADAPTER, &q, sizeof(q), &out, sizeof(out), &written),
			STATUS_SUCCESS);
		assert_int_equal(out.count, 2);
		if (out.adapter.role == SFO_ROLE_STANDBY) {
			assert_string_equal(out.adapter.info.name, "eth0");
			standbys++;
		} else {
			assert_int_equal(out.adapter.role, SFO_ROLE_VF);
			assert_int_equal(out.adapter.standby_id, f->sby);
			assert_string_equal(out.adapter.info.name, "vf0");
			vfs++;
		}
	}
	assert_int_equal(standbys, 1);
	assert_int_equal(vfs, 1);
	assert_int_equal(call(f, SFO_IOCTL_ADAPTER, &q, sizeof(q), &out, sizeof(out), &written),
			 SFO_CTL_ST_NO_MORE_ENTRIES);
}

static void test_events_and_release_resume(void **state)
{
	struct fixture *f = *state;
	struct sfo_ctl_query q = { .version = SFO_CTL_VERSION };
	struct sfo_ctl_events *ev = malloc(sizeof(*ev));
	ULONG written;
	uint32_t before;

	assert_non_null(ev);
	assert_int_equal(call(f, SFO_IOCTL_EVENTS, &q, sizeof(q), ev, sizeof(*ev), &written),
			 STATUS_SUCCESS);
	assert_int_equal(written, sizeof(*ev));
	assert_true(ev->count > 0);
	before = ev->count;
	assert_int_equal(ev->ev[before - 1].to, SFO_PAIR_ACTIVE);
	assert_string_equal(ev->ev[before - 1].standby_name, "eth0");

	/* release by the VF's name: traffic to the standby, logged */
	assert_int_equal(target(f, SFO_IOCTL_RELEASE, "vf0"), STATUS_SUCCESS);
	sim_settle(f->s);
	assert_int_equal(f->s->nic[f->sby].steer, 0);
	assert_int_not_equal(sim_state(f->s, f->sby), SFO_PAIR_ACTIVE);
	assert_int_equal(call(f, SFO_IOCTL_EVENTS, &q, sizeof(q), ev, sizeof(*ev), &written),
			 STATUS_SUCCESS);
	assert_true(ev->count > before);
	assert_int_equal(ev->ev[ev->count - 1].from, SFO_PAIR_ACTIVE);

	/* resume by the standby's name: back on the VF */
	assert_int_equal(target(f, SFO_IOCTL_RESUME, "eth0"), STATUS_SUCCESS);
	sim_settle(f->s);
	sim_advance_ms(f->s, 1000);
	assert_int_equal(sim_state(f->s, f->sby), SFO_PAIR_ACTIVE);
	assert_int_equal(f->s->nic[f->sby].steer, f->vf);
	free(ev);
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	struct sfo_ctl_query q = { .version = SFO_CTL_VERSION };
	struct sfo_ctl_pair out;
	struct sfo_ctl_target t = { .version = SFO_CTL_VERSION };
	ULONG written = 7;

	/* unknown code, short buffers, wrong version, no engine */
	assert_int_equal(call(f, SFO_CTL_CODE(0x8ffu, SFO_CTL_FILE_READ_ACCESS), &q, sizeof(q),
			      &out, sizeof(out), &written),
			 SFO_CTL_ST_INVALID_REQUEST);
	assert_int_equal(written, 0);
	assert_int_equal(call(f, SFO_IOCTL_PAIR, &q, sizeof(q), &out, sizeof(out) - 1, &written),
			 SFO_CTL_ST_BUFFER_TOO_SMALL);
	assert_int_equal(call(f, SFO_IOCTL_PAIR, &q, sizeof(q) - 1, &out, sizeof(out), &written),
			 SFO_CTL_ST_BUFFER_TOO_SMALL);
	assert_int_equal(call(f, SFO_IOCTL_PAIR, NULL, 0, &out, sizeof(out), &written),
			 SFO_CTL_ST_BUFFER_TOO_SMALL);
	q.version = SFO_CTL_VERSION + 1;
	assert_int_equal(call(f, SFO_IOCTL_PAIR, &q, sizeof(q), &out, sizeof(out), &written),
			 SFO_CTL_ST_REVISION_MISMATCH);
	assert_int_equal(sfo_control_request(NULL, 0, SFO_IOCTL_PAIR, &q, sizeof(q), &out,
					     sizeof(out), &written),
			 SFO_CTL_ST_NOT_READY);
	q.version = SFO_CTL_VERSION;
	q.index = 1;
	assert_int_equal(call(f, SFO_IOCTL_EVENTS, &q, sizeof(q), &out, sizeof(out), &written),
			 SFO_CTL_ST_BUFFER_TOO_SMALL);

	/* release/resume: unknown, unterminated, empty, unmanaged names, wrong version */
	assert_int_equal(target(f, SFO_IOCTL_RELEASE, "nosuch"), SFO_CTL_ST_NOT_FOUND);
	assert_int_equal(target(f, SFO_IOCTL_RESUME, ""), SFO_CTL_ST_INVALID_PARAMETER);
	memset(t.name, 'x', sizeof(t.name));
	assert_int_equal(call(f, SFO_IOCTL_RELEASE, &t, sizeof(t), NULL, 0, &written),
			 SFO_CTL_ST_INVALID_PARAMETER);
	assert_int_equal(call(f, SFO_IOCTL_RELEASE, &t, sizeof(t) - 1, NULL, 0, &written),
			 SFO_CTL_ST_BUFFER_TOO_SMALL);
	t.version = 0;
	strcpy(t.name, "vf0");
	assert_int_equal(call(f, SFO_IOCTL_RELEASE, &t, sizeof(t), NULL, 0, &written),
			 SFO_CTL_ST_REVISION_MISMATCH);
	sim_add(f->s, "eth9", "e1000", "02:00:00:00:00:99", true);
	assert_int_equal(target(f, SFO_IOCTL_RELEASE, "eth9"), SFO_CTL_ST_NOT_MANAGED);
	/* none of it moved the datapath */
	assert_int_equal(f->s->nic[f->sby].steer, f->vf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adapters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_and_release_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
