/* SPDX-License-Identifier: BSD-2-Clause */
/* Clocks: CLOCK_MONOTONIC for all measurements, CLOCK_REALTIME for correlation. */
#ifndef SFO_TRAFFIC_CLOCK_H
#define SFO_TRAFFIC_CLOCK_H

#include <stdint.h>

#define NSEC_PER_SEC  1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_USEC 1000ull

uint64_t mono_ns(void);
uint64_t real_ns(void);

/*
 * Sleeps until CLOCK_MONOTONIC reaches deadline_ns (TIMER_ABSTIME).  Returns 0
 * when the deadline passed, -1 when a signal interrupted the sleep.
 */
int sleep_until(uint64_t deadline_ns);

/* Converts a CLOCK_REALTIME timestamp to CLOCK_MONOTONIC using a fresh pair of readings. */
struct clock_map {
	uint64_t mono, real;
};
void clock_map_sample(struct clock_map *m);
uint64_t clock_map_real_to_mono(const struct clock_map *m, uint64_t real);

/* Asks for 1 ns timer slack so that pacing sleeps wake up on time. */
void clock_tight_timer_slack(void);

#endif
