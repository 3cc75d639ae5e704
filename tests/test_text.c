// SPDX-License-Identifier: BSD-2-Clause
/* The core's own formatter against the C library's snprintf, and its string helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../src/core/text.h"

/* Format with both, at every buffer length up to the whole text and one
 * more: same text, same truncation, same return value. */
#define SAME_AS_LIBC(...)                                                       \
	do {                                                                    \
		char want[200], got[200];                                       \
		int wn = snprintf(want, sizeof(want), __VA_ARGS__);             \
		assert_true(wn >= 0 && (size_t)wn < sizeof(want));              \
		for (size_t len = 0; len <= (size_t)wn + 1; len++) {            \
			memset(want, 'W', sizeof(want));                        \
			memset(got, 'W', sizeof(got));                          \
			assert_int_equal(snprintf(want, len, __VA_ARGS__), wn); \
			assert_int_equal(sfo_fmt(got, len, __VA_ARGS__), wn);   \
			assert_memory_equal(got, want, sizeof(got));            \
		}                                                               \
	} while (0)

static void test_conversions(void **state)
{
	(void)state;
	SAME_AS_LIBC("plain text");
	SAME_AS_LIBC("%s", "");
	SAME_AS_LIBC("%s: %s -> %s (%s)", "eth0", "binding", "active", "vf0 carrier up");
	SAME_AS_LIBC("%d %d %d %i", 0, -1, 2147483647, -2147483647 - 1);
	SAME_AS_LIBC("%u %u", 0u, 4294967295u);
	SAME_AS_LIBC("0x%x 0x%X %x", 0xdeadbeefu, 0xabcu, 0u);
	SAME_AS_LIBC("%02x:%02x:%02x:%02x:%02x:%02x", 0x52, 0x54, 0, 0x12, 0xab, 0xf);
	SAME_AS_LIBC("PCI %04x:%04x", 0x8086, 0x1515);
	SAME_AS_LIBC("%zu multicast, %zu", (size_t)0, SIZE_MAX);
	SAME_AS_LIBC("%lu %ld %llu %lld", 123456789ul, -42l, 18446744073709551615ull,
		     -9223372036854775807ll - 1);
	SAME_AS_LIBC("%hhu %hd", (unsigned char)200, (short)-7000);
	SAME_AS_LIBC("[%5d|%-5d|%05d|%3s|%-3s|]", -42, 42, -42, "a", "b");
	SAME_AS_LIBC("%.3s|%.*s|%.*s|%.0s", "abcdef", 2, "xyz", -1, "all", "none");
	SAME_AS_LIBC("%c%c 100%%", 'o', 'k');
	SAME_AS_LIBC("error %d", -22);
}

/* Formats the checker would refuse: what the core must never be given. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
static void test_unknown_conversion(void **state)
{
	char buf[16];
	const char *fmt = "a%fb";

	(void)state;
	assert_int_equal(sfo_fmt(buf, sizeof(buf), fmt, 1.0), -1);
	assert_string_equal(buf, "a");
	assert_int_equal(sfo_fmt(buf, sizeof(buf), "%"), -1);
	assert_int_equal(sfo_fmt(NULL, 0, "%s", "x"), 1);
}
#pragma GCC diagnostic pop

static void test_strings(void **state)
{
	(void)state;
	assert_int_equal(sfo_str_len(""), 0);
	assert_int_equal(sfo_str_len("virtio_net"), 10);
	assert_true(sfo_str_eq("", ""));
	assert_true(sfo_str_eq("iavf", "iavf"));
	assert_false(sfo_str_eq("iavf", "iavf2"));
	assert_false(sfo_str_eq("iavf2", "iavf"));
	assert_false(sfo_str_eq("", "a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_unknown_conversion),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
