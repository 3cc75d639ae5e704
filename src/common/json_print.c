/* SPDX-License-Identifier: BSD-2-Clause */
#include "json_print.h"

#include <stdarg.h>

void print_begin(struct printer *p, FILE *f, enum print_mode mode)
{
	p->f = f;
	p->json = mode != PRINT_MODE_TEXT;
	json_begin(&p->j, f);
	if (mode == PRINT_MODE_JSON_PRETTY)
		json_pretty(&p->j);
}

int print_end(struct printer *p)
{
	if (p->json)
		return json_end(&p->j);
	return fflush(p->f) == 0 && !ferror(p->f) ? 0 : -1;
}

void print_obj_open(struct printer *p, const char *key)
{
	if (p->json)
		json_obj_open(&p->j, key);
}

void print_obj_close(struct printer *p)
{
	if (p->json)
		json_obj_close(&p->j);
}

void print_arr_open(struct printer *p, const char *key)
{
	if (p->json)
		json_arr_open(&p->j, key);
}

void print_arr_close(struct printer *p)
{
	if (p->json)
		json_arr_close(&p->j);
}

/* Whether this call prints in the printer's mode. */
static bool wanted(const struct printer *p, enum print_kind k)
{
	return k == PRINT_ANY || (k == PRINT_JSON) == p->json;
}

/* The text formats are the callers' literals, checked where they are written. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

void print_str(struct printer *p, enum print_kind k, const char *key, const char *fmt,
	       const char *v)
{
	if (!wanted(p, k))
		return;
	if (p->json)
		json_str(&p->j, key, v);
	else
		fprintf(p->f, fmt, v ? v : "-");
}

void print_u64(struct printer *p, enum print_kind k, const char *key, const char *fmt, uint64_t v)
{
	if (!wanted(p, k))
		return;
	if (p->json)
		json_u64(&p->j, key, v);
	else
		fprintf(p->f, fmt, (unsigned long long)v);
}

void print_i64(struct printer *p, enum print_kind k, const char *key, const char *fmt, int64_t v)
{
	if (!wanted(p, k))
		return;
	if (p->json)
		json_i64(&p->j, key, v);
	else
		fprintf(p->f, fmt, (long long)v);
}

void print_f64(struct printer *p, enum print_kind k, const char *key, const char *fmt, int decimals,
	       double v)
{
	if (!wanted(p, k))
		return;
	if (p->json)
		json_f64(&p->j, key, v, decimals);
	else
		fprintf(p->f, fmt, v);
}

void print_bool(struct printer *p, enum print_kind k, const char *key, const char *fmt, bool v)
{
	if (!wanted(p, k))
		return;
	if (p->json)
		json_bool(&p->j, key, v);
	else
		fprintf(p->f, fmt, v ? "true" : "false");
}

void print_null(struct printer *p, const char *key)
{
	if (p->json)
		json_null(&p->j, key);
}

void print_text(struct printer *p, const char *fmt, ...)
{
	va_list ap;

	if (p->json)
		return;
	va_start(ap, fmt);
	vfprintf(p->f, fmt, ap);
	va_end(ap);
}
