/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A cmocka fixture for tests of the driver on the NDIS emulation: the driver
 * loaded before each test, the adapters a test made unplugged, detached and
 * freed after it, and nothing left (no NDIS rule broken, no NBL, no
 * allocation).
 */
#ifndef SFO_NDIS_FIXTURE_H
#define SFO_NDIS_FIXTURE_H

#include "emu.h"
#include "sriovfo.h"

int fixture_setup(void **state);
int fixture_teardown(void **state);
/* An adapter freed by the teardown; standby() attaches the filter over it,
 * vf() offers it to the driver's protocol. */
struct emu_adapter *fixture_adapter(const char *name, const UCHAR *mac, enum emu_kind kind);
struct emu_adapter *fixture_standby(const char *name, const UCHAR *mac);
struct emu_adapter *fixture_vf(const char *name, const UCHAR *mac);
/* The engine's view of its first pair, as a control path takes it. */
struct sfo_pair_status fixture_pair0(void);

#endif
