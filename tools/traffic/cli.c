/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *current_mode = "";

const char *cli_mode(void)
{
	return current_mode;
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sfo-traffic %s: ", current_mode);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void print_seconds(FILE *f, uint64_t ns)
{
	fprintf(f, "%g", (double)ns / 1e9);
}

static void usage(const struct mode_info *mode, const struct opt_def *opts, FILE *f)
{
	const struct opt_def *o;

	fprintf(f, "usage: sfo-traffic %s", mode->name);
	for (o = opts; o->name; o++) {
		const char *open = o->required ? "" : "[";
		const char *close = o->required ? "" : "]";

		if (o->type == OPT_FLAG)
			fprintf(f, " %s--%s%s", open, o->name, close);
		else
			fprintf(f, " %s--%s %s%s", open, o->name, o->metavar, close);
	}
	fprintf(f, "\n\n%s\n\noptions:\n", mode->summary);
	for (o = opts; o->name; o++) {
		char left[64];

		if (o->type == OPT_FLAG)
			snprintf(left, sizeof(left), "--%s", o->name);
		else
			snprintf(left, sizeof(left), "--%s %s", o->name, o->metavar);
		fprintf(f, "  %-26s %s", left, o->help);
		if (o->required)
			fprintf(f, " (required)");
		else if (o->defval)
			fprintf(f, " (default %s)", o->defval);
		if (o->type == OPT_UINT)
			fprintf(f, " [%" PRIu64 "..%" PRIu64 "]", o->min, o->max);
		if (o->type == OPT_SECONDS) {
			fprintf(f, " [");
			print_seconds(f, o->min);
			fprintf(f, "..");
			print_seconds(f, o->max);
			fprintf(f, " s]");
		}
		fputc('\n', f);
	}
	fprintf(f, "  %-26s %s\n", "--help", "show this help");
	if (mode->details)
		fprintf(f, "\n%s\n", mode->details);
}

static int parse_uint(struct opt_def *o, const char *v)
{
	char *end;
	uint64_t x;

	if (*v < '0' || *v > '9') {
		cli_error("--%s: '%s' is not a non-negative integer", o->name, v);
		return -1;
	}
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || *end) {
		cli_error("--%s: '%s' is not a non-negative integer", o->name, v);
		return -1;
	}
	if (x < o->min || x > o->max) {
		cli_error("--%s: %" PRIu64 " is out of range %" PRIu64 "..%" PRIu64, o->name, x,
			  o->min, o->max);
		return -1;
	}
	*(uint64_t *)o->dst = x;
	return 0;
}

static int parse_seconds(struct opt_def *o, const char *v)
{
	double x, scale = 1e9;
	char *end;

	if ((*v < '0' || *v > '9') && *v != '.') {
		cli_error("--%s: '%s' is not a duration (e.g. 2, 0.5, 300ms)", o->name, v);
		return -1;
	}
	errno = 0;
	x = strtod(v, &end);
	if (!strcmp(end, "ms"))
		scale = 1e6;
	else if (*end && strcmp(end, "s") != 0)
		end = NULL;
	if (errno || !end || !isfinite(x)) {
		cli_error("--%s: '%s' is not a duration (e.g. 2, 0.5, 300ms)", o->name, v);
		return -1;
	}
	x *= scale;
	if (x < (double)o->min || x > (double)o->max) {
		cli_error("--%s: %s is out of range %g..%g s", o->name, v, (double)o->min / 1e9,
			  (double)o->max / 1e9);
		return -1;
	}
	*(uint64_t *)o->dst = (uint64_t)llround(x);
	return 0;
}

static int parse_value(struct opt_def *o, const char *v)
{
	char err[128];

	switch (o->type) {
	case OPT_UINT:
		return parse_uint(o, v);
	case OPT_SECONDS:
		return parse_seconds(o, v);
	case OPT_BIND:
	case OPT_DEST:
		if (addr_parse(v, o->type == OPT_BIND, o->dst, err, sizeof(err)) < 0) {
			cli_error("--%s: '%s': %s", o->name, v, err);
			return -1;
		}
		return 0;
	case OPT_STRING:
		if (!*v) {
			cli_error("--%s: empty value", o->name);
			return -1;
		}
		*(const char **)o->dst = v;
		return 0;
	case OPT_FLAG:
		break;
	}
	return -1;
}

static struct opt_def *find_opt(struct opt_def *opts, const char *name, size_t len)
{
	for (; opts->name; opts++)
		if (strlen(opts->name) == len && !strncmp(opts->name, name, len))
			return opts;
	return NULL;
}

bool cli_seen(const struct opt_def *opts, const char *name)
{
	for (; opts->name; opts++)
		if (!strcmp(opts->name, name))
			return opts->seen;
	return false;
}

int cli_parse(const struct mode_info *mode, struct opt_def *opts, int argc, char **argv)
{
	struct opt_def *o;
	int i;

	current_mode = mode->name;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *name, *eq, *val = NULL;
		size_t len;

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			usage(mode, opts, stdout);
			return 1;
		}
		if (strncmp(arg, "--", 2) != 0 || !arg[2]) {
			cli_error("unexpected argument '%s' (see 'sfo-traffic %s --help')", arg,
				  mode->name);
			return -1;
		}
		name = arg + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		o = find_opt(opts, name, len);
		if (!o) {
			cli_error("unknown option '--%.*s' (see 'sfo-traffic %s --help')", (int)len,
				  name, mode->name);
			return -1;
		}
		if (o->seen) {
			cli_error("--%s given more than once", o->name);
			return -1;
		}
		o->seen = true;
		if (o->type == OPT_FLAG) {
			if (eq) {
				cli_error("--%s takes no value", o->name);
				return -1;
			}
			*(bool *)o->dst = true;
			continue;
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			cli_error("--%s needs a value (%s)", o->name, o->metavar);
			return -1;
		}
		if (parse_value(o, val) < 0)
			return -1;
	}
	for (o = opts; o->name; o++) {
		if (o->required && !o->seen) {
			cli_error("--%s %s is required (see 'sfo-traffic %s --help')", o->name,
				  o->metavar, mode->name);
			return -1;
		}
	}
	return 0;
}
