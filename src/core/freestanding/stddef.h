/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * <stddef.h> for the engine, which is built with -nostdinc (see
 * ../meson.build): from what gcc and clang predefine, so it needs no header of
 * the compiler's, none of which may #include_next a C library's (mingw-w64's
 * do).
 */
#ifndef SFO_FREESTANDING_STDDEF_H
#define SFO_FREESTANDING_STDDEF_H

typedef __SIZE_TYPE__ size_t;
typedef __PTRDIFF_TYPE__ ptrdiff_t;

#define NULL		      ((void *)0)
#define offsetof(type, field) __builtin_offsetof(type, field)

#endif /* SFO_FREESTANDING_STDDEF_H */
