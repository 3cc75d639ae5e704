/* SPDX-License-Identifier: BSD-2-Clause */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

int timeline_init(struct timeline *t, uint64_t interval_ns, uint64_t span_ns)
{
	memset(t, 0, sizeof(*t));
	t->interval_ns = interval_ns ? interval_ns : 1;
	t->max_len = (size_t)(span_ns / t->interval_ns + 2);
	return 0;
}

void timeline_free(struct timeline *t)
{
	free(t->v);
	t->v = NULL;
	t->len = t->cap = 0;
}

static int grow(struct timeline *t, size_t len)
{
	if (len > t->max_len)
		len = t->max_len;
	if (len > t->cap) {
		size_t cap = t->cap ? t->cap : 1024;
		uint64_t *v;

		while (cap < len)
			cap *= 2;
		if (cap > t->max_len)
			cap = t->max_len;
		v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return -1;
		memset(v + t->cap, 0, (cap - t->cap) * sizeof(*v));
		t->v = v;
		t->cap = cap;
	}
	if (len > t->len)
		t->len = len;
	return 0;
}

int timeline_cover(struct timeline *t, uint64_t rel_ns)
{
	return grow(t, (size_t)(rel_ns / t->interval_ns) + 1);
}

int timeline_add(struct timeline *t, uint64_t rel_ns, uint64_t amount)
{
	size_t i = (size_t)(rel_ns / t->interval_ns);

	if (i >= t->max_len)
		i = t->max_len - 1;
	if (grow(t, i + 1) < 0)
		return -1;
	t->v[i] += amount;
	return 0;
}

void timeline_print(const struct timeline *t, struct printer *p, const char *key)
{
	size_t i;

	print_arr_open(p, key);
	for (i = 0; i < t->len; i++)
		print_u64(p, PRINT_JSON, NULL, NULL, t->v[i]);
	print_arr_close(p);
}
