// SPDX-License-Identifier: BSD-2-Clause
/* The core's formatter and string helpers: see text.h. */
#include <stdint.h>

#include "text.h"

/* Output into a bounded buffer, counting what did not fit as well. */
struct out {
	char *buf;
	size_t len; /* capacity, NUL included */
	size_t n;   /* length of the whole text so far */
};

static void put(struct out *o, char c)
{
	if (o->n + 1 < o->len)
		o->buf[o->n] = c;
	o->n++;
}

static void put_padded(struct out *o, const char *s, size_t n, size_t width, bool left, char pad)
{
	size_t fill = width > n ? width - n : 0;

	/* zero padding goes between the sign and the digits */
	if (pad == '0' && !left && n && *s == '-') {
		put(o, '-');
		s++;
		n--;
	}
	if (!left)
		while (fill--)
			put(o, pad);
	while (n--)
		put(o, *s++);
	if (left)
		while (fill--)
			put(o, ' ');
}

/* Digits of @v in @base, with a '-' in front when @neg; returns the length. */
static size_t to_digits(char *tmp, uintmax_t v, unsigned int base, bool upper, bool neg)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char rev[24];
	size_t n = 0, k = 0;

	do {
		rev[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[k++] = '-';
	while (n)
		tmp[k++] = rev[--n];
	return k;
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static uintmax_t arg_unsigned(va_list *ap, enum length l)
{
	switch (l) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static intmax_t arg_signed(va_list *ap, enum length l)
{
	switch (l) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE: /* the signed type of size_t's width */
		return (intmax_t)(intptr_t)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, int);
	}
}

static size_t read_number(const char **f)
{
	size_t v = 0;

	while (**f >= '0' && **f <= '9')
		v = v * 10 + (size_t)(*(*f)++ - '0');
	return v;
}

int sfo_vfmt(char *buf, size_t len, const char *fmt, va_list ap_in)
{
	struct out o = { buf, len, 0 };
	va_list ap;
	int ret = 0;

	va_copy(ap, ap_in);
	for (const char *f = fmt; *f && ret == 0; f++) {
		bool left = false, has_prec = false;
		char pad = ' ', tmp[24];
		size_t width, prec = 0, n;
		enum length l = LEN_INT;
		const char *s;

		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		for (f++; *f == '-' || *f == '0'; f++) {
			if (*f == '-')
				left = true;
			else
				pad = '0';
		}
		width = read_number(&f);
		if (*f == '.') {
			f++;
			has_prec = true;
			if (*f == '*') {
				int p = va_arg(ap, int);

				f++;
				has_prec = p >= 0;
				prec = p >= 0 ? (size_t)p : 0;
			} else {
				prec = read_number(&f);
			}
		}
		if (*f == 'h') {
			l = f[1] == 'h' ? LEN_CHAR : LEN_SHORT;
			f += l == LEN_CHAR ? 2 : 1;
		} else if (*f == 'l') {
			l = f[1] == 'l' ? LEN_LLONG : LEN_LONG;
			f += l == LEN_LLONG ? 2 : 1;
		} else if (*f == 'z') {
			l = LEN_SIZE;
			f++;
		}
		if (left)
			pad = ' ';
		switch (*f) {
		case 'd':
		case 'i': {
			intmax_t v = arg_signed(&ap, l);
			uintmax_t mag = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;

			n = to_digits(tmp, mag, 10, false, v < 0);
			put_padded(&o, tmp, n, width, left, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
			n = to_digits(tmp, arg_unsigned(&ap, l), *f == 'u' ? 10 : 16, *f == 'X',
				      false);
			put_padded(&o, tmp, n, width, left, pad);
			break;
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			put_padded(&o, tmp, 1, width, left, ' ');
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			for (n = 0; s[n] && (!has_prec || n < prec); n++)
				;
			put_padded(&o, s, n, width, left, ' ');
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			ret = -1; /* unknown: stop, as the text could not be right */
			break;
		}
		if (!*f)
			break;
	}
	va_end(ap);
	if (len)
		buf[o.n < len ? o.n : len - 1] = '\0';
	return ret ? ret : (int)o.n;
}

int sfo_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = sfo_vfmt(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

size_t sfo_str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

bool sfo_str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}
