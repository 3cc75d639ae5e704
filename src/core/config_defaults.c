// SPDX-License-Identifier: BSD-2-Clause
/*
 * The configuration's defaults, freestanding: the hosted parser starts from
 * them (sfo_config_new()), and an edge without the parser (a kernel driver)
 * fills its own struct sfo_config with them.
 */
#include <sfo/config.h>

#include "mem.h"

void sfo_config_defaults(struct sfo_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->manage = SFO_MANAGE_AUTO;
	cfg->announce_count = 1;
	cfg->announce_interval_ms = 200;
	cfg->bringup_delay_ms = 0;
	cfg->probe_path = 1;
	cfg->probe_interval_ms = SFO_PROBE_INTERVAL_MS_DEFAULT;
	cfg->probe_timeout_ms = SFO_PROBE_TIMEOUT_MS_DEFAULT;
	cfg->realtime_priority = SFO_REALTIME_PRIORITY_DEFAULT;
}
