// SPDX-License-Identifier: BSD-2-Clause
/*
 * The control device through the Win32 API: CreateFile on \\.\sriovfo with
 * the access the request needs, DeviceIoControl, the Win32 errors the
 * driver's statuses become (sriovfo_control.h) mapped back.
 */
#include <stdlib.h>
#include <windows.h>

#include "sriovfo_control.h"
#include "transport.h"

struct ctl {
	HANDLE h;
};

static enum ctl_result result_of(DWORD err)
{
	switch (err) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
		return CTL_NO_DRIVER;
	case ERROR_ACCESS_DENIED:
		return CTL_DENIED;
	case ERROR_REVISION_MISMATCH:
		return CTL_MISMATCH;
	case ERROR_NOT_READY:
		return CTL_NOT_READY;
	case ERROR_NO_MORE_ITEMS:
		return CTL_NO_MORE;
	case ERROR_NOT_FOUND:
		return CTL_NOT_FOUND;
	case ERROR_BAD_COMMAND:
		return CTL_NOT_MANAGED;
	default:
		return CTL_FAILED;
	}
}

enum ctl_result ctl_open(bool write, struct ctl **out, unsigned long *detail)
{
	struct ctl *c = calloc(1, sizeof(*c));

	*detail = 0;
	if (!c) {
		*detail = ERROR_NOT_ENOUGH_MEMORY;
		return CTL_FAILED;
	}
	c->h = CreateFileA(SFO_CTL_DEVICE_PATH, GENERIC_READ | (write ? GENERIC_WRITE : 0),
			   FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
			   FILE_ATTRIBUTE_NORMAL, NULL);
	if (c->h == INVALID_HANDLE_VALUE) {
		*detail = GetLastError();
		free(c);
		return result_of(*detail);
	}
	*out = c;
	return CTL_OK;
}

enum ctl_result ctl_call(struct ctl *c, uint32_t code, const void *in, size_t in_len, void *out,
			 size_t out_len, unsigned long *detail)
{
	DWORD got = 0;

	*detail = 0;
	if (DeviceIoControl(c->h, code, (void *)in, (DWORD)in_len, out, (DWORD)out_len, &got,
			    NULL)) {
		if (got == out_len)
			return CTL_OK;
		*detail = ERROR_INVALID_DATA; /* an answer of another size: not ours */
		return CTL_FAILED;
	}
	*detail = GetLastError();
	return result_of(*detail);
}

void ctl_close(struct ctl *c)
{
	CloseHandle(c->h);
	free(c);
}
