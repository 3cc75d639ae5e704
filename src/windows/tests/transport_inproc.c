// SPDX-License-Identifier: BSD-2-Clause
/* The control device in-process (transport_inproc.h). */
#include <stdlib.h>

#include "emu_ctl_device.h"
#include "sriovfo_control.h"
#include "transport.h"
#include "transport_inproc.h"

#define STATUS_ACCESS_DENIED	     ((NTSTATUS)0xC0000022)
#define STATUS_OBJECT_NAME_NOT_FOUND ((NTSTATUS)0xC0000034)

struct inproc_caller inproc;

struct ctl {
	struct emu_handle *h;
};

static enum ctl_result result_of(NTSTATUS st)
{
	switch (st) {
	case STATUS_SUCCESS:
		return CTL_OK;
	case STATUS_OBJECT_NAME_NOT_FOUND:
		return CTL_NO_DRIVER;
	case STATUS_ACCESS_DENIED:
		return CTL_DENIED;
	case SFO_CTL_ST_REVISION_MISMATCH:
		return CTL_MISMATCH;
	case SFO_CTL_ST_NOT_READY:
		return CTL_NOT_READY;
	case SFO_CTL_ST_NO_MORE_ENTRIES:
		return CTL_NO_MORE;
	case SFO_CTL_ST_NOT_FOUND:
		return CTL_NOT_FOUND;
	case SFO_CTL_ST_NOT_MANAGED:
		return CTL_NOT_MANAGED;
	default:
		return CTL_FAILED;
	}
}

enum ctl_result ctl_open(bool write, struct ctl **out, unsigned long *detail)
{
	struct ctl *c = calloc(1, sizeof(*c));
	NTSTATUS st;

	*detail = 0;
	if (!c)
		return CTL_FAILED;
	st = emu_ctl_open(inproc.admin, write, &c->h);
	if (st != STATUS_SUCCESS) {
		free(c);
		*detail = (uint32_t)st;
		return result_of(st);
	}
	*out = c;
	return CTL_OK;
}

enum ctl_result ctl_call(struct ctl *c, uint32_t code, const void *in, size_t in_len, void *out,
			 size_t out_len, unsigned long *detail)
{
	ULONG got = 0;
	NTSTATUS st;

	*detail = 0;
	inproc.calls++;
	st = emu_ctl_ioctl(c->h, code, in, (ULONG)in_len, out, (ULONG)out_len, &got);
	if (st == STATUS_SUCCESS && got != out_len) {
		*detail = got;
		return CTL_FAILED;
	}
	if (st != STATUS_SUCCESS)
		*detail = (uint32_t)st;
	return result_of(st);
}

void ctl_close(struct ctl *c)
{
	emu_ctl_close(c->h);
	free(c);
}
