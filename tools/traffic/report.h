/* SPDX-License-Identifier: BSD-2-Clause */
/* Fields common to every report, and the limits shared by the modes. */
#ifndef SFO_TRAFFIC_REPORT_H
#define SFO_TRAFFIC_REPORT_H

#include <stdint.h>

#include "clock.h"
#include "json.h"

#ifndef SFO_VERSION
#define SFO_VERSION "unknown"
#endif

#define SFO_TRAFFIC_SCHEMA 1

/* Every run is bounded: --duration is at most one hour. */
#define MAX_DURATION_NS (3600 * NSEC_PER_SEC)
#define MIN_DURATION_NS NSEC_PER_MSEC

/* Opens the report object with "tool", "version", "schema", "mode", "start_unix_ns". */
void report_json_begin(struct json *j, const char *mode, uint64_t start_real_ns);

/* Milliseconds as a double, for reports. */
static inline double ns_to_ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

#endif
