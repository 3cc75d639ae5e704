/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What happened to the miniports, with CLOCK_MONOTONIC times: the last
 * EVENTS_MAX events, printed on standard error with -v and answered as
 * JSON on the control socket.
 */
#ifndef SFO_NDIS_HOST_EVENTS_H
#define SFO_NDIS_HOST_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"

#define EVENTS_MAX 256

uint64_t events_now_ns(void);
void events_verbose(bool on);
/* @what: "arrival", "bind", "link", "release", "removal", "path"...; for
 * "path", @from and @to name where the stack's frames left before and now. */
void events_add(const char *what, const char *link, const char *from, const char *to,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The last event that was not a path change (why the path changed). */
const char *events_last_cause(void);
/* "events": [{"mono_ns", "event", "link", "from", "to", "detail"}...] */
void events_json(struct json *j);

#endif
