/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The engine's reports (include/sfo/engine.h) as text or JSON, written once
 * for every edge: the Linux daemon renders them for its CLI, and
 * sriov-failover.exe renders what sriovfo.sys's control device returns, so
 * both print the same members with the same names.
 *
 * @now_ns is the engine's clock when the report was read: the "how long ago"
 * members count from it.
 */
#ifndef SFO_COMMON_REPORT_H
#define SFO_COMMON_REPORT_H

#include <sfo/engine.h>

#include "json_print.h"

/* One pair: opens its object (inside the "pairs" array) and prints the
 * engine's members; the edge adds its own, then closes it (print_obj_close). */
void report_pair_open(struct printer *pr, const struct sfo_pair_status *p, uint64_t now_ns);
/* The text header of the adapter table (nothing in JSON). */
void report_adapters_head(struct printer *pr);
/* One adapter, an object of the "adapters" array. */
void report_adapter(struct printer *pr, const struct sfo_adapter_status *st);
/* One transition, an object of the "events" array. */
void report_event(struct printer *pr, const struct sfo_event *ev, uint64_t now_ns);

#endif
