// SPDX-License-Identifier: BSD-2-Clause
/*
 * The control device's requests, answered from the engine: one pair, one
 * adapter or the event log per request, release and resume by adapter name.
 * Every size and version is checked before anything is read or written.
 */
#include "control.h"

/* The query's index, once its size and version are checked. */
static NTSTATUS read_query(const void *in, ULONG in_len, uint32_t *index)
{
	const struct sfo_ctl_query *q = in;

	if (!in || in_len < sizeof(*q))
		return SFO_CTL_ST_BUFFER_TOO_SMALL;
	if (q->version != SFO_CTL_VERSION)
		return SFO_CTL_ST_REVISION_MISMATCH;
	*index = q->index;
	return STATUS_SUCCESS;
}

static NTSTATUS answer_pair(struct sfo_engine *eng, uint64_t now_ns, uint32_t index,
			    struct sfo_ctl_pair *out)
{
	size_t count = sfo_engine_pair_count(eng);

	if (index >= count)
		return SFO_CTL_ST_NO_MORE_ENTRIES;
	__builtin_memset(out, 0, sizeof(*out));
	if (sfo_engine_pair_status(eng, index, &out->pair) < 0)
		return SFO_CTL_ST_NO_MORE_ENTRIES;
	out->version = SFO_CTL_VERSION;
	out->count = (uint32_t)count;
	out->now_ns = now_ns;
	return STATUS_SUCCESS;
}

static NTSTATUS answer_adapter(struct sfo_engine *eng, uint32_t index, struct sfo_ctl_adapter *out)
{
	size_t count = sfo_engine_adapter_count(eng);

	if (index >= count)
		return SFO_CTL_ST_NO_MORE_ENTRIES;
	__builtin_memset(out, 0, sizeof(*out));
	if (sfo_engine_adapter_status(eng, index, &out->adapter) < 0)
		return SFO_CTL_ST_NO_MORE_ENTRIES;
	out->version = SFO_CTL_VERSION;
	out->count = (uint32_t)count;
	return STATUS_SUCCESS;
}

static NTSTATUS answer_events(struct sfo_engine *eng, uint64_t now_ns, struct sfo_ctl_events *out)
{
	__builtin_memset(out, 0, sizeof(*out));
	out->version = SFO_CTL_VERSION;
	out->now_ns = now_ns;
	out->count = (uint32_t)sfo_engine_events(eng, out->ev, SFO_EVENT_RING_SIZE);
	return STATUS_SUCCESS;
}

static BOOLEAN same_name(const char *a, const char *b)
{
	size_t i = 0;

	for (; a[i] && a[i] == b[i]; i++)
		;
	return a[i] == b[i];
}

/* The id of the adapter named @name; 0 if the engine knows none. */
static uint32_t adapter_by_name(struct sfo_engine *eng, const char *name)
{
	size_t n = sfo_engine_adapter_count(eng);
	struct sfo_adapter_status st;

	for (size_t i = 0; i < n; i++)
		if (sfo_engine_adapter_status(eng, i, &st) == 0 && same_name(st.info.name, name))
			return st.info.id;
	return 0;
}

static NTSTATUS release_or_resume(struct sfo_engine *eng, ULONG code, const void *in, ULONG in_len)
{
	const struct sfo_ctl_target *t = in;
	char name[SFO_NAME_MAX];
	uint32_t id;
	size_t len = 0;
	int ret;

	if (!in || in_len < sizeof(*t))
		return SFO_CTL_ST_BUFFER_TOO_SMALL;
	if (t->version != SFO_CTL_VERSION)
		return SFO_CTL_ST_REVISION_MISMATCH;
	/* copied first: with METHOD_BUFFERED nothing else writes it, but the
	 * name must be NUL-terminated within the structure */
	for (; len < SFO_NAME_MAX && t->name[len]; len++)
		name[len] = t->name[len];
	if (!len || len == SFO_NAME_MAX)
		return SFO_CTL_ST_INVALID_PARAMETER;
	name[len] = 0;
	id = adapter_by_name(eng, name);
	if (!id)
		return SFO_CTL_ST_NOT_FOUND;
	ret = code == SFO_IOCTL_RELEASE ? sfo_engine_release(eng, id) : sfo_engine_resume(eng, id);
	return ret < 0 ? SFO_CTL_ST_NOT_MANAGED : STATUS_SUCCESS;
}

NTSTATUS sfo_control_request(struct sfo_engine *eng, uint64_t now_ns, ULONG code, const void *in,
			     ULONG in_len, void *out, ULONG out_len, ULONG *written)
{
	ULONG need;
	uint32_t index = 0;
	NTSTATUS st;

	*written = 0;
	switch (code) {
	case SFO_IOCTL_PAIR:
		need = sizeof(struct sfo_ctl_pair);
		break;
	case SFO_IOCTL_ADAPTER:
		need = sizeof(struct sfo_ctl_adapter);
		break;
	case SFO_IOCTL_EVENTS:
		need = sizeof(struct sfo_ctl_events);
		break;
	case SFO_IOCTL_RELEASE:
	case SFO_IOCTL_RESUME:
		need = 0;
		break;
	default:
		return SFO_CTL_ST_INVALID_REQUEST;
	}
	if (!eng)
		return SFO_CTL_ST_NOT_READY;
	if (!need)
		return release_or_resume(eng, code, in, in_len);
	if (!out || out_len < need)
		return SFO_CTL_ST_BUFFER_TOO_SMALL;
	st = read_query(in, in_len, &index);
	if (st != STATUS_SUCCESS)
		return st;
	if (code == SFO_IOCTL_PAIR)
		st = answer_pair(eng, now_ns, index, out);
	else if (code == SFO_IOCTL_ADAPTER)
		st = answer_adapter(eng, index, out);
	else if (index != 0)
		st = SFO_CTL_ST_INVALID_PARAMETER;
	else
		st = answer_events(eng, now_ns, out);
	if (st == STATUS_SUCCESS)
		*written = need;
	return st;
}
