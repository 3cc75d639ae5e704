// SPDX-License-Identifier: BSD-2-Clause
/* Standbys by name in a parsed configuration: see config_index.h. */
#include "config_index.h"
#include "text.h"

static size_t name_hash(const char *name, size_t n)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211u;
	return (size_t)(h ^ (h >> 32));
}

/* Whether the NUL-terminated @s is exactly the @n bytes of @name. */
static bool name_is(const char *s, const char *name, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == name[i])
		i++;
	return i == n && s[i] == '\0';
}

size_t *sfo_config_slot(const struct sfo_config *cfg, const char *name, size_t n)
{
	size_t mask = cfg->n_standby_slots - 1;
	size_t i = name_hash(name, n) & mask;

	while (cfg->standby_slots[i] &&
	       !name_is(cfg->standbys[cfg->standby_slots[i] - 1].name, name, n))
		i = (i + 1) & mask;
	return &cfg->standby_slots[i];
}

const struct sfo_standby_options *sfo_config_standby(const struct sfo_config *cfg, const char *name)
{
	size_t slot;

	if (!cfg || !name || !cfg->n_standby_slots)
		return NULL;
	slot = *sfo_config_slot(cfg, name, sfo_str_len(name));
	return slot ? &cfg->standbys[slot - 1] : NULL;
}
