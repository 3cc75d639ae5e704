// SPDX-License-Identifier: BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "events.h"

struct event {
	uint64_t mono_ns;
	char what[16], link[16], from[16], to[16], detail[96];
};

static struct event ring[EVENTS_MAX];
static unsigned n_events; /* added so far: the oldest are overwritten */
static bool verbose;
static char last_cause[128] = "start";

uint64_t events_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void events_verbose(bool on)
{
	verbose = on;
}

void events_add(const char *what, const char *link, const char *from, const char *to,
		const char *fmt, ...)
{
	struct event *e = &ring[n_events++ % EVENTS_MAX];
	va_list ap;

	e->mono_ns = events_now_ns();
	snprintf(e->what, sizeof(e->what), "%s", what);
	snprintf(e->link, sizeof(e->link), "%s", link ? link : "");
	snprintf(e->from, sizeof(e->from), "%s", from ? from : "");
	snprintf(e->to, sizeof(e->to), "%s", to ? to : "");
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
	if (strcmp(what, "path") != 0)
		snprintf(last_cause, sizeof(last_cause), "%s %s", e->what, e->link);
	if (verbose)
		fprintf(stderr, "sfo-ndis-host: %llu.%06llu %s %s%s%s%s%s: %s\n",
			(unsigned long long)(e->mono_ns / 1000000000u),
			(unsigned long long)(e->mono_ns % 1000000000u / 1000u), e->what, e->link,
			*e->from ? " " : "", e->from, *e->to ? " -> " : "", e->to, e->detail);
}

const char *events_last_cause(void)
{
	return last_cause;
}

void events_json(struct json *j)
{
	unsigned first = n_events > EVENTS_MAX ? n_events - EVENTS_MAX : 0;

	json_arr_open(j, "events");
	for (unsigned i = first; i < n_events; i++) {
		const struct event *e = &ring[i % EVENTS_MAX];

		json_obj_open(j, NULL);
		json_u64(j, "mono_ns", e->mono_ns);
		json_str(j, "event", e->what);
		json_str(j, "link", e->link);
		if (*e->from || *e->to) {
			json_str(j, "from", e->from);
			json_str(j, "to", e->to);
		}
		json_str(j, "detail", e->detail);
		json_obj_close(j);
	}
	json_arr_close(j);
}
