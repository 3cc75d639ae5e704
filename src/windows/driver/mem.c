// SPDX-License-Identifier: BSD-2-Clause
/* The driver's memory, the engine's too: non-paged pool through NDIS, zeroed. */
#include "sriovfo.h"

void *sfo_win_alloc(SIZE_T size)
{
	void *p;

	if (size > 0xffffffffu)
		return NULL;
	p = NdisAllocateMemoryWithTagPriority(sfo_drv.filter_driver, (UINT)size, SFO_WIN_POOL_TAG,
					      SFO_NDIS_PRIORITY_NORMAL);
	if (p)
		__builtin_memset(p, 0, size);
	return p;
}

void sfo_win_free(void *p)
{
	NdisFreeMemory(p, 0, 0);
}
