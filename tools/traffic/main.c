/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sfo-traffic: measures what a guest experiences while its NIC fails over.
 * Dispatches to one mode per sub-command.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "modes.h"
#include "report.h"

struct mode_entry {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct mode_entry modes[] = {
	{ "udp-recv", mode_udp_recv, "receive a sequenced UDP stream: loss, gaps, timeline" },
	{ "udp-send", mode_udp_send, "send a sequenced UDP stream at a fixed packet rate" },
	{ "tcp-sink", mode_tcp_sink, "accept one TCP stream and discard it" },
	{ "tcp-stream", mode_tcp_stream, "send a TCP stream: survival, stalls, retransmits" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: sfo-traffic MODE [options]\n"
		   "       sfo-traffic MODE --help\n\nmodes:\n");
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(f, "  %-12s %s\n", modes[i].name, modes[i].summary);
	fprintf(f, "\nexit status: 0 ok, 1 measured failure, 2 usage or setup error.\n"
		   "See sfo-traffic(1) for the JSON schema.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return SFO_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return SFO_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("sfo-traffic %s\n", SFO_VERSION);
		return SFO_EXIT_OK;
	}
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(argv[1], modes[i].name))
			return modes[i].run(argc - 1, argv + 1);
	fprintf(stderr, "sfo-traffic: unknown mode '%s' (see 'sfo-traffic --help')\n", argv[1]);
	return SFO_EXIT_USAGE;
}
