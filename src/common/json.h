/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Minimal streaming JSON writer: one object per report, compact (one line)
 * or, after json_pretty(), indented two spaces a level as `python3 -m
 * json.tool` does.  Keys are literals of this program; string values are
 * escaped (control characters, quotes, backslashes; invalid UTF-8 becomes
 * U+FFFD).
 */
#ifndef SFO_COMMON_JSON_H
#define SFO_COMMON_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool pretty;
	bool need_comma[JSON_MAX_DEPTH]; /* the container at this depth has members */
};

/* key is NULL for the top-level object and inside arrays. */
void json_begin(struct json *j, FILE *f);
/* Indent the document (call after json_begin); empty containers stay {} and []. */
void json_pretty(struct json *j);
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_str(struct json *j, const char *key, const char *v); /* NULL -> null */
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_f64(struct json *j, const char *key, double v, int decimals); /* NaN/inf -> null */
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* Ends the document with a newline and flushes; returns -1 on a write error. */
int json_end(struct json *j);

#endif
