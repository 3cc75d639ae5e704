// SPDX-License-Identifier: BSD-2-Clause
/* One line per event on stderr (journald adds time and unit). */
#include <stdarg.h>
#include <stdio.h>

#include "daemon.h"

static bool log_verbose;

void dlog_init(bool verbose)
{
	log_verbose = verbose;
	setvbuf(stderr, NULL, _IOLBF, 0);
}

void dlog(enum sfo_log_level lvl, const char *fmt, ...)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
	uint64_t t = mono_ns();
	va_list ap;

	if (lvl == SFO_LOG_DEBUG && !log_verbose)
		return;
	fprintf(stderr, "[%llu.%06llu] %s", (unsigned long long)(t / 1000000000ull),
		(unsigned long long)(t / 1000 % 1000000), prefix[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t dlog_step(uint64_t since, const char *fmt, ...)
{
	uint64_t now = mono_ns();
	char what[160];
	va_list ap;

	if (!log_verbose)
		return now;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	dlog(SFO_LOG_DEBUG, "%s: %llu us", what, (unsigned long long)((now - since) / 1000));
	return mono_ns();
}
