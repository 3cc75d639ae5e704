// SPDX-License-Identifier: BSD-2-Clause
/*
 * What an earlier engine (a daemon before its restart) left, handed back by
 * the edge: VFs it had released, VFs it had steered to, and its VF tallies
 * by standby. Each entry is forgotten once taken; sfo_engine_restore_done()
 * (engine.c, which knows the adapters) ends the hand-over. Used by engine.c
 * and pair.c alike.
 */
#include "core.h"

/* --- released VFs and VFs steered to: lists of ids --- */

static int id_list_add(struct sfo_engine *e, uint32_t **ids, size_t *n, uint32_t id)
{
	uint32_t *grown;

	if (!id)
		return -SFO_EINVAL;
	for (size_t i = 0; i < *n; i++)
		if ((*ids)[i] == id)
			return 0;
	grown = sfo_edge_realloc(e, *ids, *n * sizeof(*grown), (*n + 1) * sizeof(*grown));
	if (!grown)
		return -SFO_ENOMEM;
	grown[(*n)++] = id;
	*ids = grown;
	return 0;
}

static bool id_list_take(uint32_t *ids, size_t *n, uint32_t id)
{
	for (size_t i = 0; i < *n; i++) {
		if (ids[i] == id) {
			ids[i] = ids[--*n];
			return true;
		}
	}
	return false;
}

int sfo_engine_restore_release(struct sfo_engine *e, uint32_t vf_id)
{
	return id_list_add(e, &e->restored, &e->n_restored, vf_id);
}

bool sfo_restore_take_release(struct sfo_engine *e, uint32_t vf_id)
{
	return id_list_take(e->restored, &e->n_restored, vf_id);
}

int sfo_engine_restore_steering(struct sfo_engine *e, uint32_t vf_id)
{
	return id_list_add(e, &e->restored_steering, &e->n_restored_steering, vf_id);
}

bool sfo_restore_take_steering(struct sfo_engine *e, uint32_t vf_id)
{
	return id_list_take(e->restored_steering, &e->n_restored_steering, vf_id);
}

/* --- VF tallies, one per standby --- */

int sfo_engine_restore_tally(struct sfo_engine *e, uint32_t standby_id,
			     const struct sfo_vf_tally *t)
{
	struct restored_tally *rt;

	if (!standby_id)
		return -SFO_EINVAL;
	for (size_t i = 0; i < e->n_tallies; i++) {
		if (e->tallies[i].standby_id == standby_id) {
			e->tallies[i].t = *t;
			return 0;
		}
	}
	rt = sfo_edge_realloc(e, e->tallies, e->n_tallies * sizeof(*rt),
			      (e->n_tallies + 1) * sizeof(*rt));
	if (!rt)
		return -SFO_ENOMEM;
	rt[e->n_tallies].standby_id = standby_id;
	rt[e->n_tallies].t = *t;
	e->tallies = rt;
	e->n_tallies++;
	return 0;
}

bool sfo_restore_take_tally(struct sfo_engine *e, uint32_t standby_id, struct sfo_vf_tally *out)
{
	for (size_t i = 0; i < e->n_tallies; i++) {
		if (e->tallies[i].standby_id == standby_id) {
			*out = e->tallies[i].t;
			e->tallies[i] = e->tallies[--e->n_tallies];
			return true;
		}
	}
	return false;
}
