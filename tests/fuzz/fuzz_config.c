/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: parse arbitrary bytes as a configuration. Sanitizers
 * catch memory errors, leaks and UB; the asserts check the result's
 * invariants and the error contract.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sfo/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sfo_config *cfg = NULL;
	char err[128];
	int r;

	memset(err, 'X', sizeof(err));
	r = sfo_config_parse((const char *)data, size, "fuzz.conf", &cfg, err, sizeof(err));
	assert(memchr(err, '\0', sizeof(err)) || r == 0);
	if (r != 0) {
		assert(cfg == NULL);
		assert(strncmp(err, "fuzz.conf:", 10) == 0);
		return 0;
	}
	assert(cfg != NULL);
	assert(cfg->announce_count <= SFO_ANNOUNCE_COUNT_MAX);
	assert(cfg->announce_interval_ms <= SFO_INTERVAL_MS_MAX);
	assert(cfg->bringup_delay_ms <= SFO_INTERVAL_MS_MAX);
	assert(cfg->n_standby_drivers > 0);
	for (size_t i = 0; i < cfg->n_standby_drivers; i++)
		assert(strlen(cfg->standby_drivers[i]) > 0);
	for (size_t i = 0; i < cfg->n_vf_drivers; i++)
		assert(strlen(cfg->vf_drivers[i]) > 0);
	for (size_t i = 0; i < cfg->n_standbys; i++) {
		const struct sfo_standby_options *sb = &cfg->standbys[i];

		assert(strlen(sb->name) > 0 && strlen(sb->name) <= 15);
		assert(sfo_config_standby(cfg, sb->name) == sb);
		assert(sb->announce_count >= -1 && sb->announce_count <= SFO_ANNOUNCE_COUNT_MAX);
		assert(sb->announce_interval_ms >= -1 &&
		       sb->announce_interval_ms <= SFO_INTERVAL_MS_MAX);
		assert(sb->bringup_delay_ms >= -1 && sb->bringup_delay_ms <= SFO_INTERVAL_MS_MAX);
	}
	sfo_config_free(cfg);
	return 0;
}
