/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One description of a report, printed as text for people or as JSON for
 * programs, after iproute2's json_print: each call names the JSON member and
 * the text format of the same value, so the two outputs cannot disagree.
 *
 *	print_u64(p, PRINT_ANY, "mtu", "mtu %llu ", mtu);
 *
 * prints "mtu 1500 " as text and "mtu":1500 as JSON.  PRINT_JSON and
 * PRINT_TEXT print in one mode only, for values that people and programs
 * want in different units or not at all.  Text formats take the value as
 * one conversion: %s for strings, %llu / %lld for integers, %f or %g for
 * doubles.  Objects and
 * arrays structure the JSON and print nothing as text.
 */
#ifndef SFO_COMMON_JSON_PRINT_H
#define SFO_COMMON_JSON_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

enum print_mode { PRINT_MODE_TEXT, PRINT_MODE_JSON, PRINT_MODE_JSON_PRETTY };
enum print_kind { PRINT_ANY, PRINT_JSON, PRINT_TEXT };

struct printer {
	FILE *f;
	bool json;
	struct json j;
};

void print_begin(struct printer *p, FILE *f, enum print_mode mode);
/* Ends the report (JSON: its newline) and flushes; -1 on a write error. */
int print_end(struct printer *p);

/* key is NULL for the top-level object and inside arrays. */
void print_obj_open(struct printer *p, const char *key);
void print_obj_close(struct printer *p);
void print_arr_open(struct printer *p, const char *key);
void print_arr_close(struct printer *p);

/* v NULL: JSON null; as text, "-" */
void print_str(struct printer *p, enum print_kind k, const char *key, const char *fmt,
	       const char *v);
void print_u64(struct printer *p, enum print_kind k, const char *key, const char *fmt, uint64_t v);
void print_i64(struct printer *p, enum print_kind k, const char *key, const char *fmt, int64_t v);
/* JSON with @decimals digits after the point (NaN, inf: null); text: fmt with v (%f, %g) */
void print_f64(struct printer *p, enum print_kind k, const char *key, const char *fmt, int decimals,
	       double v);
/* text: fmt with "true" or "false" */
void print_bool(struct printer *p, enum print_kind k, const char *key, const char *fmt, bool v);
/* JSON only: key: null */
void print_null(struct printer *p, const char *key);
/* Text only, printf-like. */
void print_text(struct printer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
