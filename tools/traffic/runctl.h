/* SPDX-License-Identifier: BSD-2-Clause */
/* Run control: stop on SIGINT/SIGTERM, the ready file, error names. */
#ifndef SFO_TRAFFIC_RUNCTL_H
#define SFO_TRAFFIC_RUNCTL_H

#include <stdbool.h>

/*
 * Installs SIGINT/SIGTERM handlers without SA_RESTART, so blocking calls
 * return EINTR and the mode can stop and still print its report; ignores
 * SIGPIPE.
 */
void run_install_signals(void);
bool run_stopped(void);

/* Removes a stale ready file before the mode starts listening. */
int ready_file_clear(const char *path);

/* Atomically creates the ready file containing "ADDR:PORT\n" of the bound socket. */
int ready_file_create(const char *path, const char *bound_addr);

/* "ENETUNREACH" etc. */
const char *errno_name(int err);

#endif
