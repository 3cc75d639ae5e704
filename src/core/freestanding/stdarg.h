/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * <stdarg.h> for the engine, built with -nostdinc: see stddef.h here. The
 * builtins follow the target's calling convention (System V or Windows x64).
 */
#ifndef SFO_FREESTANDING_STDARG_H
#define SFO_FREESTANDING_STDARG_H

typedef __builtin_va_list va_list;

#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type)   __builtin_va_arg(ap, type)
#define va_copy(dst, src)  __builtin_va_copy(dst, src)
#define va_end(ap)	   __builtin_va_end(ap)

#endif /* SFO_FREESTANDING_STDARG_H */
