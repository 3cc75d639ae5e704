/* SPDX-License-Identifier: BSD-2-Clause */
#include "report.h"

void report_json_begin(struct json *j, const char *mode, uint64_t start_real_ns)
{
	json_obj_open(j, NULL);
	json_str(j, "tool", "sfo-traffic");
	json_str(j, "version", SFO_VERSION);
	json_u64(j, "schema", SFO_TRAFFIC_SCHEMA);
	json_str(j, "mode", mode);
	json_u64(j, "start_unix_ns", start_real_ns);
}
