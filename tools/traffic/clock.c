/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include "clock.h"

#include <errno.h>
#include <sys/prctl.h>
#include <time.h>

static uint64_t read_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t mono_ns(void)
{
	return read_clock(CLOCK_MONOTONIC);
}

uint64_t real_ns(void)
{
	return read_clock(CLOCK_REALTIME);
}

int sleep_until(uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / NSEC_PER_SEC),
		.tv_nsec = (long)(deadline_ns % NSEC_PER_SEC),
	};

	/* clock_nanosleep() returns the error number instead of setting errno. */
	return clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0 ? 0 : -1;
}

void clock_map_sample(struct clock_map *m)
{
	m->mono = mono_ns();
	m->real = real_ns();
}

uint64_t clock_map_real_to_mono(const struct clock_map *m, uint64_t real)
{
	/* A stamp taken before the sample maps to an earlier monotonic time. */
	if (real <= m->real) {
		uint64_t d = m->real - real;

		return d < m->mono ? m->mono - d : 0;
	}
	return m->mono + (real - m->real);
}

void clock_tight_timer_slack(void)
{
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
}
