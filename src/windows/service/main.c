// SPDX-License-Identifier: BSD-2-Clause
/*
 * sriov-failover.exe: "service" runs it as the Windows service (service.c),
 * every other command is the command line (cli.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "service.h"

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "service"))
		return sfo_service_run();
	return sfo_cli_main(argc, argv, stdout, stderr);
}
