/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the core's cmocka tests. */
#ifndef SFO_SIM_FIXTURE_H
#define SFO_SIM_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_edge.h"

#define MAC_A "02:00:00:00:00:0a"
#define MAC_B "02:00:00:00:00:0b"

/* A sim over @conf (NULL: defaults). SFO_TRACE=1 prints its timeline. */
static inline struct sim *sim_with(const char *conf)
{
	struct sfo_config *cfg = NULL;
	char err[256];

	if (conf)
		assert_int_equal(
			sfo_config_parse(conf, strlen(conf), "test.conf", &cfg, err, sizeof(err)),
			0);
	else
		cfg = sfo_config_new();
	assert_non_null(cfg);
	struct sim *s = sim_new(cfg, getenv("SFO_TRACE") ? stderr : NULL);
	assert_non_null(s);
	return s;
}

#define assert_sim_ok(s)                                                  \
	do {                                                              \
		bool ok_ = sim_check(s);                                  \
		if (!ok_)                                                 \
			fail_msg("invariant broken: %s", (s)->violation); \
	} while (0)

#define assert_state(s, sby, want)                                               \
	do {                                                                     \
		enum sfo_pair_state got_ = sim_state(s, sby);                    \
		if (got_ != (want))                                              \
			fail_msg("state %s, want %s", sfo_pair_state_name(got_), \
				 sfo_pair_state_name(want));                     \
	} while (0)

/* Finish the sim: the engine must give back everything it took. */
static inline void sim_done(struct sim *s)
{
	if (!sim_finish(s))
		fail_msg("after shutdown: %s", s->violation);
	sim_free(s);
}

static inline const struct sfo_adapter_status *adapter_named(struct sim *s, const char *name,
							     struct sfo_adapter_status *st)
{
	size_t n = sfo_engine_adapter_count(s->eng);

	for (size_t i = 0; i < n; i++)
		if (sfo_engine_adapter_status(s->eng, i, st) == 0 &&
		    strcmp(st->info.name, name) == 0)
			return st;
	return NULL;
}

#endif /* SFO_SIM_FIXTURE_H */
