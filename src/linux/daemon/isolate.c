// SPDX-License-Identifier: BSD-2-Clause
/*
 * VF isolation, the job of the Windows notify object: nothing but us may
 * configure a VF we hold. No IPv6 (same MAC as the standby means the same
 * link-local address, which would make the standby's fail DAD), no router
 * advertisements, no address of any kind; systemd-networkd is told to keep
 * off through a runtime .network file (networkd.c; NetworkManager through the
 * udev rule). Sysctls are per name: a VF renamed while held is followed.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon.h"
#include "netdev/addrctl.h"
#include "netdev/linkctl.h"
#include "netdev/sysctl.h"

int vf_isolate(struct daemon *d, int ifindex, const char *name)
{
	uint64_t t = mono_ns();
	char err[256];
	int ret;

	networkd_unmanage(d, ifindex, name);
	t = dlog_step(t, "%s: hold: networkd", name);
	ret = sfo_link_set_addrgen_none(d->rt, ifindex, err, sizeof(err));
	if (ret < 0)
		dlog(SFO_LOG_WARN, "%s: cannot stop IPv6 address generation: %s", name, err);
	t = dlog_step(t, "%s: hold: addrgen", name);
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
	t = dlog_step(t, "%s: hold: IPv6 sysctls", name);
	ret = sfo_addr_flush(d->rt, ifindex, AF_UNSPEC, err, sizeof(err));
	if (ret < 0) {
		dlog(SFO_LOG_ERR, "%s: cannot remove its addresses: %s", name, err);
		return ret;
	}
	dlog_step(t, "%s: hold: address flush", name);
	return 0;
}

void vf_unisolate(struct daemon *d, int ifindex, const char *name)
{
	char now[IF_NAMESIZE];

	networkd_forget(d, name);
	/* A VF still present goes back to the system's defaults, under the
	 * name it has now (a rename event may not have been read yet). */
	if (!if_indextoname((unsigned int)ifindex, now))
		return;
	if (strcmp(now, name) != 0)
		networkd_forget(d, now);
	sfo_ipv6_set_disabled(now, false);
	sfo_ipv6_set_accept_ra(now, true);
	sfo_ipv6_set_autoconf(now, true);
}

void vf_renamed(struct daemon *d, int ifindex, const char *name)
{
	for (size_t i = 0; i < d->n_held; i++) {
		struct held_vf *h = &d->held[i];

		if (h->ifindex != ifindex || strcmp(h->name, name) == 0)
			continue;
		dlog(SFO_LOG_INFO, "%s: held VF renamed to %s", h->name, name);
		networkd_forget(d, h->name);
		networkd_unmanage(d, ifindex, name);
		snprintf(h->name, sizeof(h->name), "%s", name);
	}
}
