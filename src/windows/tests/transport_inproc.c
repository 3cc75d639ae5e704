// SPDX-License-Identifier: BSD-2-Clause
/* The control device in-process (transport_inproc.h). */
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "transport.h"
#include "transport_inproc.h"

struct inproc_driver inproc;

struct ctl {
	bool write;
};

enum ctl_result ctl_open(bool write, struct ctl **out, unsigned long *detail)
{
	struct ctl *c;

	*detail = 0;
	if (!inproc.loaded)
		return CTL_NO_DRIVER;
	if (!inproc.admin)
		return CTL_DENIED;
	c = calloc(1, sizeof(*c));
	if (!c)
		return CTL_FAILED;
	c->write = write;
	inproc.opens++;
	inproc.open_handles++;
	*out = c;
	return CTL_OK;
}

static enum ctl_result result_of(NTSTATUS st)
{
	switch (st) {
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

enum ctl_result ctl_call(struct ctl *c, uint32_t code, const void *in, size_t in_len, void *out,
			 size_t out_len, unsigned long *detail)
{
	size_t len = in_len > out_len ? in_len : out_len;
	char *sysbuf;
	ULONG written = 0;
	NTSTATUS st;

	*detail = 0;
	inproc.calls++;
	/* the I/O manager: the code's required access against the handle's */
	if (((code >> 14) & SFO_CTL_FILE_WRITE_ACCESS) && !c->write)
		return CTL_DENIED;
	sysbuf = calloc(1, len ? len : 1);
	if (!sysbuf)
		return CTL_FAILED;
	if (in_len)
		memcpy(sysbuf, in, in_len);
	st = sfo_control_request(inproc.eng, inproc.now_ns, code, in_len ? sysbuf : NULL,
				 (ULONG)in_len, out_len ? sysbuf : NULL, (ULONG)out_len, &written);
	if (st == STATUS_SUCCESS && written == out_len && out_len)
		memcpy(out, sysbuf, out_len);
	free(sysbuf);
	if (st == STATUS_SUCCESS && written != out_len) {
		*detail = (unsigned long)written;
		return CTL_FAILED;
	}
	if (st != STATUS_SUCCESS)
		*detail = (unsigned long)(uint32_t)st;
	return st == STATUS_SUCCESS ? CTL_OK : result_of(st);
}

void ctl_close(struct ctl *c)
{
	inproc.open_handles--;
	free(c);
}
