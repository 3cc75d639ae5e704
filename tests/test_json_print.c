// SPDX-License-Identifier: BSD-2-Clause
/* The shared JSON writer (compact and indented) and json_print's text-or-JSON reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "json_print.h"

/* One report, described once: a header, a list of two items, an empty list. */
static char *report(enum print_mode mode)
{
	struct printer p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	print_begin(&p, f, mode);
	print_obj_open(&p, NULL);
	print_str(&p, PRINT_ANY, "name", "%s:", "eth0");
	print_u64(&p, PRINT_ANY, "mtu", " mtu %llu", 1500);
	print_i64(&p, PRINT_JSON, "delta", NULL, -3);
	print_f64(&p, PRINT_ANY, "loss", " loss %.1f%%", 2, 0.25);
	print_bool(&p, PRINT_JSON, "up", NULL, true);
	print_null(&p, "vf");
	print_text(&p, "\n");
	print_arr_open(&p, "items");
	for (int i = 0; i < 2; i++) {
		print_obj_open(&p, NULL);
		print_u64(&p, PRINT_ANY, "id", "  item %llu", (uint64_t)i);
		print_str(&p, PRINT_ANY, "why", " (%s)\n", i ? NULL : "first \"one\"");
		print_obj_close(&p);
	}
	print_arr_close(&p);
	print_arr_open(&p, "none");
	print_arr_close(&p);
	print_obj_open(&p, "empty");
	print_obj_close(&p);
	print_obj_close(&p);
	assert_int_equal(print_end(&p), 0);
	fclose(f);
	return buf;
}

static void test_text(void **state)
{
	char *s = report(PRINT_MODE_TEXT);

	(void)state;
	assert_string_equal(s, "eth0: mtu 1500 loss 0.2%\n"
			       "  item 0 (first \"one\")\n"
			       "  item 1 (-)\n");
	free(s);
}

static void test_json(void **state)
{
	char *s = report(PRINT_MODE_JSON);

	(void)state;
	assert_string_equal(s, "{\"name\":\"eth0\",\"mtu\":1500,\"delta\":-3,\"loss\":0.25,"
			       "\"up\":true,\"vf\":null,\"items\":[{\"id\":0,\"why\":"
			       "\"first \\\"one\\\"\"},{\"id\":1,\"why\":null}],\"none\":[],"
			       "\"empty\":{}}\n");
	free(s);
}

/* As python3 -m json.tool (json.dumps(indent=2)) prints it. */
static void test_json_pretty(void **state)
{
	char *s = report(PRINT_MODE_JSON_PRETTY);

	(void)state;
	assert_string_equal(s, "{\n"
			       "  \"name\": \"eth0\",\n"
			       "  \"mtu\": 1500,\n"
			       "  \"delta\": -3,\n"
			       "  \"loss\": 0.25,\n"
			       "  \"up\": true,\n"
			       "  \"vf\": null,\n"
			       "  \"items\": [\n"
			       "    {\n"
			       "      \"id\": 0,\n"
			       "      \"why\": \"first \\\"one\\\"\"\n"
			       "    },\n"
			       "    {\n"
			       "      \"id\": 1,\n"
			       "      \"why\": null\n"
			       "    }\n"
			       "  ],\n"
			       "  \"none\": [],\n"
			       "  \"empty\": {}\n"
			       "}\n");
	free(s);
}

/* An empty top-level object, as release/resume answer. */
static void test_empty_object(void **state)
{
	for (int mode = PRINT_MODE_JSON; mode <= PRINT_MODE_JSON_PRETTY; mode++) {
		struct printer p;
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		(void)state;
		print_begin(&p, f, (enum print_mode)mode);
		print_obj_open(&p, NULL);
		print_text(&p, "not in JSON\n");
		print_obj_close(&p);
		print_end(&p);
		fclose(f);
		assert_string_equal(buf, "{}\n");
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_pretty),
		cmocka_unit_test(test_empty_object),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
