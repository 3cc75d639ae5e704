/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The configuration's standbys by name: an open-addressing hash table of
 * their indexes (struct sfo_config's standby_slots, at most half full).
 * The engine looks names up (freestanding); the parser fills the table.
 */
#ifndef SFO_CONFIG_INDEX_H
#define SFO_CONFIG_INDEX_H

#include <sfo/config.h>

/* The slot holding the @n bytes of @name, or the empty slot where it would
 * go. The table must have slots. */
size_t *sfo_config_slot(const struct sfo_config *cfg, const char *name, size_t n);

#endif /* SFO_CONFIG_INDEX_H */
