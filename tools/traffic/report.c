/* SPDX-License-Identifier: BSD-2-Clause */
#include "report.h"

void report_begin(struct printer *p, const struct report_opts *o, const char *mode,
		  uint64_t start_real_ns)
{
	print_begin(p, stdout,
		    o->pretty ? PRINT_MODE_JSON_PRETTY
		    : o->json ? PRINT_MODE_JSON
			      : PRINT_MODE_TEXT);
	print_obj_open(p, NULL);
	print_str(p, PRINT_JSON, "tool", NULL, "sfo-traffic");
	print_str(p, PRINT_JSON, "version", NULL, SFO_VERSION);
	print_u64(p, PRINT_JSON, "schema", NULL, SFO_TRAFFIC_SCHEMA);
	print_str(p, PRINT_JSON, "mode", NULL, mode);
	print_u64(p, PRINT_JSON, "start_unix_ns", NULL, start_real_ns);
}

int report_end(struct printer *p)
{
	print_obj_close(p);
	return print_end(p);
}
