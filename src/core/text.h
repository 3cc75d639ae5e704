/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Text without a C library: the core formats its log lines and reasons
 * itself, so that it builds freestanding (a kernel has no snprintf to lend
 * it, or one whose conversions differ).
 */
#ifndef SFO_TEXT_H
#define SFO_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * printf-style checking where the compiler offers it (the core stays C11).
 * The conversions are C99's (%zu...): on Windows gcc's "printf" means
 * msvcrt's, which lacks some, so it is named gnu_printf there.
 */
#if defined(__GNUC__) && defined(_WIN32) && !defined(__clang__)
#define SFO_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#elif defined(__GNUC__)
#define SFO_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define SFO_PRINTF(fmt, args)
#endif

/*
 * snprintf() for the conversions the core uses, with the C library's
 * results: %d %i %u %x %X %c %s %%, the flags '-' and '0', a field width,
 * a precision for %s (also '*'), the length modifiers hh h l ll z. Writes
 * at most @len bytes including the NUL (none when @len is 0) and returns
 * the length the whole text has, or -1 for a conversion it does not know.
 */
int sfo_fmt(char *buf, size_t len, const char *fmt, ...) SFO_PRINTF(3, 4);
int sfo_vfmt(char *buf, size_t len, const char *fmt, va_list ap) SFO_PRINTF(3, 0);

size_t sfo_str_len(const char *s);
bool sfo_str_eq(const char *a, const char *b);

#endif /* SFO_TEXT_H */
