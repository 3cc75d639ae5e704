// SPDX-License-Identifier: BSD-2-Clause
/*
 * Proving the path through a VF before the engine moves traffic onto it
 * (ops->probe_path): ARP requests / neighbour solicitations to the
 * standby's neighbours (gateways first), sent out of the VF from the
 * standby's MAC and addresses; the answer is caught on the VF by a packet
 * socket in the event loop, and reported with sfo_engine_path_proven().
 *
 * The VF's tc ingress program hands its frames to the standby, but packet
 * taps see them first: the answer reaches both our socket and the stack.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "netdev/addrctl.h"
#include "netdev/neigh.h"
#include "netdev/probe.h"
#include "netdev/rtnl.h"

#define PROBE_ADDRS_MAX 64
/* How long what a spell gathered is trusted. The first probes (1, 2, 4...
 * ms apart: those a ready port answers) only send frames; later ones read
 * the neighbours again at most this often, so that a neighbour the guest
 * learns meanwhile (often the one that answers) is asked soon. */
#define PROBE_FACTS_TTL_NS (50 * 1000000ull)

/* Whom to ask, from what: read from the kernel once per spell (rtnetlink
 * round trips wait for the RTNL lock), not before each probe. */
struct probe_facts {
	uint64_t gathered_ns;
	uint8_t mac[SFO_MAC_LEN];
	char name[SFO_IFNAMSIZ];
	struct sfo_neigh targets[SFO_PROBE_TARGETS_MAX];
	size_t n_targets;
	struct sfo_addr addrs[PROBE_ADDRS_MAX];
	size_t n_addrs;
};

/* A probing spell: its socket, and what it gathered. */
struct path_probe {
	int standby;
	int vf;
	bool sent; /* a probe went out in this spell */
	struct sfo_probe *probe;
	struct probe_facts facts;
};

static struct path_probe *probe_of(struct daemon *d, int vf)
{
	for (size_t i = 0; i < d->n_probes; i++)
		if (d->probes[i].vf == vf)
			return &d->probes[i];
	return NULL;
}

static struct path_probe *probe_add(struct daemon *d, int standby, int vf,
				    const struct probe_facts *facts)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct path_probe *pp;
	int ret;

	pp = realloc(d->probes, (d->n_probes + 1) * sizeof(*pp));
	if (!pp)
		return NULL;
	d->probes = pp;
	pp = &d->probes[d->n_probes];
	pp->standby = standby;
	pp->vf = vf;
	pp->sent = false;
	pp->facts = *facts;
	ret = sfo_probe_open(vf, &pp->probe);
	if (ret < 0) {
		errno = -ret;
		return NULL;
	}
	ev.data.fd = sfo_probe_fd(pp->probe);
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0) {
		ret = errno;
		sfo_probe_close(pp->probe);
		errno = ret;
		return NULL;
	}
	d->n_probes++;
	return pp;
}

static void *close_fd(void *arg)
{
	close((int)(intptr_t)arg);
	return NULL;
}

/* Closing a packet socket waits for an RCU grace period (~10 ms): a
 * short-lived thread waits instead of the event loop. */
static void close_in_background(int fd)
{
	pthread_attr_t attr;
	pthread_t t;
	int ret = -1;

	if (pthread_attr_init(&attr) == 0) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		ret = pthread_create(&t, &attr, close_fd, (void *)(intptr_t)fd);
		pthread_attr_destroy(&attr);
	}
	if (ret != 0)
		close(fd);
}

/* The standby's neighbours to ask, its MAC and its addresses.
 * 0, -ENOENT if it has no neighbour, or a negative errno. */
static int gather(struct daemon *d, int standby, struct probe_facts *f)
{
	struct sfo_link link;
	char err[256];
	int n, na, ret;

	n = sfo_neigh_probe_targets(d->rt, standby, f->targets, SFO_PROBE_TARGETS_MAX, err,
				    sizeof(err));
	if (n < 0) {
		dlog(SFO_LOG_WARN, "if%d: cannot read its neighbours: %s", standby, err);
		return n;
	}
	if (n == 0)
		return -ENOENT;
	ret = sfo_rtnl_get_link(d->rt, standby, NULL, &link, err, sizeof(err));
	na = ret < 0 ? ret
		     : sfo_addr_list(d->rt, standby, AF_UNSPEC, f->addrs, PROBE_ADDRS_MAX, err,
				     sizeof(err));
	if (na < 0) {
		dlog(SFO_LOG_WARN, "if%d: cannot read its link or addresses: %s", standby, err);
		return na;
	}
	f->n_targets = (size_t)n;
	f->n_addrs = na > PROBE_ADDRS_MAX ? PROBE_ADDRS_MAX : (size_t)na;
	memcpy(f->mac, link.addr, SFO_MAC_LEN);
	snprintf(f->name, sizeof(f->name), "%s", link.name);
	f->gathered_ns = mono_ns();
	return 0;
}

/* The spell's socket and facts, gathered now if missing or stale: NULL with
 * *err set when there is nobody to ask (-ENOENT) or they cannot be had. */
static struct path_probe *probe_ready(struct daemon *d, int standby, int vf, int *err)
{
	struct path_probe *pp = probe_of(d, vf);
	struct probe_facts facts;
	uint64_t t = mono_ns();
	int ret;

	/* gathered at a spell's start, again only once stale; the first probe
	 * goes out with what probe_prepare gathered, however old (a VF's link
	 * may take seconds to come up): the next one, 1 ms later, asks anew */
	if (!pp || (pp->sent && mono_ns() - pp->facts.gathered_ns >= PROBE_FACTS_TTL_NS)) {
		ret = gather(d, standby, &facts);
		if (ret == -ENOENT) /* nobody to ask: the engine uses the VF unproven */
			pathprobe_stop(d, vf);
		if (ret < 0) {
			*err = ret;
			return NULL;
		}
		if (pp)
			pp->facts = facts;
		t = dlog_step(t, "if%d: probe: neighbours and addresses", vf);
	}
	if (!pp) {
		pp = probe_add(d, standby, vf, &facts);
		if (!pp) {
			*err = -errno;
			dlog(SFO_LOG_WARN, "if%d: cannot listen for answers: %s", vf,
			     strerror(errno));
			return NULL;
		}
		dlog_step(t, "if%d: probe: socket", vf);
	}
	return pp;
}

void pathprobe_prepare(struct daemon *d, int standby, int vf)
{
	int err;

	probe_ready(d, standby, vf, &err);
}

int pathprobe_send(struct daemon *d, int standby, int vf)
{
	struct path_probe *pp;
	int ret;

	pp = probe_ready(d, standby, vf, &ret);
	if (!pp)
		return ret;
	ret = sfo_probe_send(pp->probe, pp->facts.mac, pp->facts.addrs, pp->facts.n_addrs,
			     pp->facts.targets, pp->facts.n_targets);
	pp->sent = true;
	if (ret == -ENOENT) { /* neighbours, but no address of ours to ask them from */
		pathprobe_stop(d, vf);
		return -ENOENT;
	}
	if (ret < 0)
		dlog(SFO_LOG_WARN, "if%d: cannot send a probe: %s", vf, strerror(-ret));
	else
		dlog(SFO_LOG_DEBUG, "%s: probing the path through if%d (%d neighbour(s))",
		     pp->facts.name, vf, ret);
	return ret < 0 ? ret : 0;
}

void pathprobe_stop(struct daemon *d, int vf)
{
	struct path_probe *pp = probe_of(d, vf);
	int fd;

	if (!pp)
		return;
	fd = sfo_probe_release_fd(pp->probe);
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
	close_in_background(fd);
	*pp = d->probes[--d->n_probes];
}

bool pathprobe_receive(struct daemon *d, int fd)
{
	char who[64], detail[96];
	struct path_probe *pp = NULL;
	int ret, vf;

	for (size_t i = 0; i < d->n_probes && !pp; i++)
		if (sfo_probe_fd(d->probes[i].probe) == fd)
			pp = &d->probes[i];
	if (!pp)
		return false;
	ret = sfo_probe_receive(pp->probe, who, sizeof(who));
	if (ret < 0)
		dlog(SFO_LOG_WARN, "if%d: cannot read answers: %s", pp->vf, strerror(-ret));
	if (ret <= 0)
		return true;
	vf = pp->vf; /* the engine stops the probe: pp goes */
	snprintf(detail, sizeof(detail), "%s answered", who);
	sfo_engine_path_proven(d->eng, (uint32_t)vf, detail);
	return true;
}

void pathprobe_close_all(struct daemon *d)
{
	for (size_t i = 0; i < d->n_probes; i++)
		sfo_probe_close(d->probes[i].probe);
	free(d->probes);
	d->probes = NULL;
	d->n_probes = 0;
}
