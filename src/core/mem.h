/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The only functions the engine (libsfo-core) takes from outside itself,
 * declared here because a freestanding build has no <string.h>. Compilers
 * also call them for struct copies and clears. Every environment has them:
 * the C library in user space, ntoskrnl.exe's exports in a Windows driver,
 * lib/string.c in the Linux kernel. tests/check_core_symbols.py checks that
 * the library needs these and nothing else.
 */
#ifndef SFO_MEM_H
#define SFO_MEM_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif /* SFO_MEM_H */
