/* SPDX-License-Identifier: BSD-2-Clause */
/* sriov-failover.exe as the Windows service "sriov-failover" (service.c). */
#ifndef SFO_WIN_SERVICE_H
#define SFO_WIN_SERVICE_H

#define SFO_SERVICE_NAME "sriov-failover"

/* Hand the process to the service control manager until the service stops;
 * the process's exit status. */
int sfo_service_run(void);

#endif
