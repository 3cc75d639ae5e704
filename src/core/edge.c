// SPDX-License-Identifier: BSD-2-Clause
/*
 * What the engine takes from its edge besides the datapath: memory, the
 * clock and a place for its log lines, which it formats itself (text.c).
 * Both engine.c and pair.c use these; neither calls the other's helpers.
 */
#include "core.h"
#include "text.h"

void *sfo_edge_alloc(struct sfo_engine *e, size_t size)
{
	return e->ops->alloc(e->ctx, size);
}

void sfo_edge_free(struct sfo_engine *e, void *ptr)
{
	if (ptr)
		e->ops->free(e->ctx, ptr);
}

void *sfo_edge_realloc(struct sfo_engine *e, void *ptr, size_t old_size, size_t size)
{
	void *n = sfo_edge_alloc(e, size);

	if (!n)
		return NULL;
	if (ptr)
		memcpy(n, ptr, old_size < size ? old_size : size);
	sfo_edge_free(e, ptr);
	return n;
}

uint64_t sfo_edge_now(struct sfo_engine *e)
{
	return e->ops->now_ns(e->ctx);
}

void sfo_edge_log(struct sfo_engine *e, enum sfo_log_level lvl, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!e->ops->log)
		return;
	va_start(ap, fmt);
	sfo_vfmt(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e->ops->log(e->ctx, lvl, msg);
}
