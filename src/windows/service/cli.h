/* SPDX-License-Identifier: BSD-2-Clause */
/* The commands of sriov-failover.exe (status, adapters, events, release, resume). */
#ifndef SFO_WIN_CLI_H
#define SFO_WIN_CLI_H

#include <stdio.h>

enum cli_exit { CLI_OK, CLI_REFUSED, CLI_USAGE, CLI_NO_DRIVER };

/* Run the command in @argv (argv[0] the program); reports to @out, errors to @err. */
int sfo_cli_main(int argc, char **argv, FILE *out, FILE *err);

#endif
