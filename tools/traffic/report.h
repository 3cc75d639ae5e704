/* SPDX-License-Identifier: BSD-2-Clause */
/* Fields common to every report, and the limits shared by the modes. */
#ifndef SFO_TRAFFIC_REPORT_H
#define SFO_TRAFFIC_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "json_print.h"

#ifndef SFO_VERSION
#define SFO_VERSION "unknown"
#endif

#define SFO_TRAFFIC_SCHEMA 1

/* Every run is bounded: --duration is at most one hour. */
#define MAX_DURATION_NS (3600 * NSEC_PER_SEC)
#define MIN_DURATION_NS NSEC_PER_MSEC

/* How a mode prints its report: text by default, --json, --pretty. */
struct report_opts {
	bool json, pretty;
};

/* The --json and --pretty entries of a mode's option table (cli.h), for report_opts r. */
#define REPORT_OPT_DEFS(r)                                                                      \
	{                                                                                       \
		"json", OPT_FLAG, NULL, "print the report as one JSON object on one line",      \
		NULL,	&(r).json                                                               \
	},                                                                                      \
	{                                                                                       \
		"pretty", OPT_FLAG, NULL, "print the report as indented JSON (implies --json)", \
			NULL, &(r).pretty                                                       \
	}

/*
 * Starts the report on standard output: text, or JSON (indented with pretty),
 * whose object begins with "tool", "version", "schema", "mode", "start_unix_ns".
 * Each mode then describes its report once with json_print's print_* calls, so
 * that its text and its JSON cannot disagree.
 */
void report_begin(struct printer *p, const struct report_opts *o, const char *mode,
		  uint64_t start_real_ns);

/* Ends the report; -1 on a write error. */
int report_end(struct printer *p);

/* Milliseconds as a double, for reports. */
static inline double ns_to_ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

#endif
