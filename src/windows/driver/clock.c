// SPDX-License-Identifier: BSD-2-Clause
/* The engine's clock, also a control path's (the "since" of a status). */
#include "sriovfo.h"

uint64_t sfo_drv_now_ns(void)
{
	return KeQueryUnbiasedInterruptTime() * 100;
}
