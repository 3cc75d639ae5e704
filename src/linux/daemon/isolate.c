// SPDX-License-Identifier: BSD-2-Clause
/*
 * VF isolation, the job of the Windows notify object: nothing but us may
 * configure a VF we hold. No IPv6 (same MAC as the standby means the same
 * link-local address, which would make the standby's fail DAD), no router
 * advertisements, no address of any kind; systemd-networkd is told to keep
 * off through a runtime .network file (NetworkManager through the udev rule).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "netdev/addrctl.h"
#include "netdev/linkctl.h"
#include "netdev/sysctl.h"

#define NETWORKD_STATE	 "/run/systemd/netif"
#define NETWORKD_RUNTIME "/run/systemd/network"

static void networkd_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, NETWORKD_RUNTIME "/10-sriov-failover-%s.network", name);
}

/* Only where networkd runs: a test namespace must not leave files behind. */
static void networkd_unmanage(const char *name)
{
	char path[128];
	FILE *f;

	if (access(NETWORKD_STATE, F_OK) != 0)
		return;
	mkdir(NETWORKD_RUNTIME, 0755);
	networkd_path(name, path, sizeof(path));
	f = fopen(path, "w");
	if (!f) {
		dlog(SFO_LOG_WARN, "%s: cannot write %s: %s", name, path, strerror(errno));
		return;
	}
	fprintf(f,
		"# Written by sriov-failoverd: %s is a VF it holds.\n[Match]\nName=%s\n\n"
		"[Link]\nUnmanaged=yes\n",
		name, name);
	fclose(f);
}

int vf_isolate(struct daemon *d, int ifindex, const char *name)
{
	char err[256];
	int ret;

	networkd_unmanage(name);
	ret = sfo_link_set_addrgen_none(d->rt, ifindex, err, sizeof(err));
	if (ret < 0)
		dlog(SFO_LOG_WARN, "%s: cannot stop IPv6 address generation: %s", name, err);
	/* Absent IPv6 is fine; a failure to turn it off is not. */
	ret = sfo_ipv6_set_accept_ra(name, false);
	if (!ret)
		ret = sfo_ipv6_set_autoconf(name, false);
	if (!ret)
		ret = sfo_ipv6_set_disabled(name, true);
	if (ret < 0) {
		dlog(SFO_LOG_ERR, "%s: cannot disable IPv6: %s", name, strerror(-ret));
		return ret;
	}
	ret = sfo_addr_flush(d->rt, ifindex, AF_UNSPEC, err, sizeof(err));
	if (ret < 0) {
		dlog(SFO_LOG_ERR, "%s: cannot remove its addresses: %s", name, err);
		return ret;
	}
	return 0;
}

void vf_unisolate(struct daemon *d, int ifindex, const char *name)
{
	char path[128];

	(void)d;
	(void)ifindex;
	networkd_path(name, path, sizeof(path));
	unlink(path);
	/* A VF still present goes back to the system's defaults. */
	sfo_ipv6_set_disabled(name, false);
	sfo_ipv6_set_accept_ra(name, true);
	sfo_ipv6_set_autoconf(name, true);
}
