/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fields of NDIS structures read and written at their byte offsets, where a
 * buffer from the stack holds a structure of a revision our headers may not
 * declare (NDIS_OFFLOAD, NDIS_RECEIVE_SCALE_PARAMETERS). The buffer need not
 * be aligned. Freestanding: the driver and the emulation both use it.
 */
#ifndef SFO_NDIS_FIELD_H
#define SFO_NDIS_FIELD_H

#include "ndis6.h"

static inline ULONG ndis_field_u32(const UCHAR *p, ULONG off)
{
	ULONG v;

	__builtin_memcpy(&v, p + off, sizeof(v));
	return v;
}

static inline USHORT ndis_field_u16(const UCHAR *p, ULONG off)
{
	USHORT v;

	__builtin_memcpy(&v, p + off, sizeof(v));
	return v;
}

static inline void ndis_field_set_u32(UCHAR *p, ULONG off, ULONG v)
{
	__builtin_memcpy(p + off, &v, sizeof(v));
}

static inline void ndis_field_set_u16(UCHAR *p, ULONG off, USHORT v)
{
	__builtin_memcpy(p + off, &v, sizeof(v));
}

#endif
