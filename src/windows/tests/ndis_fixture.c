// SPDX-License-Identifier: BSD-2-Clause
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ndis_fixture.h"

#define MAX_ADAPTERS 8
static struct emu_adapter *adapters[MAX_ADAPTERS];
static BOOLEAN filtered[MAX_ADAPTERS];
static int n_adapters, violations_before;
static long nbls_before, allocations_before; /* a failed test may leave some */

int fixture_setup(void **state)
{
	(void)state;
	n_adapters = 0;
	violations_before = emu_violations();
	nbls_before = emu_live_nbls();
	allocations_before = emu_live_allocations();
	emu_registry_set_multi_sz(NULL, NULL, 0); /* a test's registry values end with it */
	return emu_load_driver() == STATUS_SUCCESS ? 0 : -1;
}

struct emu_adapter *fixture_adapter(const char *name, const UCHAR *mac, enum emu_kind kind)
{
	struct emu_adapter *a = emu_adapter_new(name, mac, kind);

	assert_true(n_adapters < MAX_ADAPTERS);
	filtered[n_adapters] = kind == EMU_STANDBY;
	adapters[n_adapters++] = a;
	return a;
}

struct emu_adapter *fixture_standby(const char *name, const UCHAR *mac)
{
	struct emu_adapter *a = fixture_adapter(name, mac, EMU_STANDBY);

	emu_filter_attach(a);
	return a;
}

struct emu_adapter *fixture_vf(const char *name, const UCHAR *mac)
{
	struct emu_adapter *a = fixture_adapter(name, mac, EMU_VF);

	emu_offer(a);
	return a;
}

int fixture_teardown(void **state)
{
	(void)state;
	for (int i = 0; i < n_adapters; i++)
		if (emu_bound(adapters[i]))
			emu_unplug(adapters[i], FALSE);
	for (int i = 0; i < n_adapters; i++)
		if (filtered[i] && emu_filter_attached(adapters[i]) &&
		    emu_filter_pause(adapters[i]) == NDIS_STATUS_SUCCESS)
			emu_filter_detach(adapters[i]);
	emu_unload_driver();
	for (int i = 0; i < n_adapters; i++)
		emu_adapter_free(adapters[i]);
	assert_int_equal(emu_live_nbls(), nbls_before);
	assert_int_equal(emu_live_allocations(), allocations_before);
	assert_int_equal(emu_violations(), violations_before);
	return 0;
}

struct sfo_pair_status fixture_pair0(void)
{
	struct sfo_pair_status st = { 0 };
	struct sfo_engine *eng = sfo_drv_engine_lock();
	int err = eng ? sfo_engine_pair_status(eng, 0, &st) : -SFO_ENOENT;

	sfo_drv_engine_unlock();
	assert_int_equal(err, 0); /* after the unlock: an assert leaves the test */
	return st;
}
