/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Command line handling shared by all sfo-traffic modes: a table of long
 * options per mode, parsed with range checks, and error messages that name
 * the offending option.
 */
#ifndef SFO_TRAFFIC_CLI_H
#define SFO_TRAFFIC_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

/* Exit codes of every mode. */
enum {
	SFO_EXIT_OK = 0,    /* measurement completed */
	SFO_EXIT_FAIL = 1,  /* measured failure: stream broke, nothing received, ... */
	SFO_EXIT_USAGE = 2, /* bad command line or setup error (socket, bind, connect) */
};

enum opt_type {
	OPT_FLAG,    /* bool */
	OPT_UINT,    /* uint64_t, range [min, max] */
	OPT_SECONDS, /* uint64_t nanoseconds; "2", "0.5", "1.5s", "300ms"; range in ns */
	OPT_BIND,    /* struct sfo_addr, port 0 allowed */
	OPT_DEST,    /* struct sfo_addr, port 1..65535 */
	OPT_STRING,  /* const char * */
};

struct opt_def {
	const char *name; /* long name without the leading "--" */
	enum opt_type type;
	const char *metavar; /* shown in usage, e.g. "PPS" */
	const char *help;
	const char *defval; /* default shown in usage, NULL for none */
	void *dst;
	uint64_t min, max; /* OPT_UINT and OPT_SECONDS */
	bool required;
	bool seen; /* set by cli_parse() */
};

#define OPT_END              \
	{                    \
		.name = NULL \
	}

struct mode_info {
	const char *name;
	const char *summary;
	const char *details; /* extra text for --help, may be NULL */
};

/*
 * Parses argv[1..argc-1] (argv[0] is the mode name).  Returns 0 when the
 * options are valid, 1 when --help was printed (exit 0), -1 after printing an
 * error to stderr (exit SFO_EXIT_USAGE).
 */
int cli_parse(const struct mode_info *mode, struct opt_def *opts, int argc, char **argv);

/* Whether option name was given on the command line. */
bool cli_seen(const struct opt_def *opts, const char *name);

/* Prints "sfo-traffic MODE: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Mode name of the last cli_parse() call, for messages. */
const char *cli_mode(void);

#endif
