/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Link-layer multicast lists: read one interface's list (/proc/net/dev_mcast)
 * and mirror a list onto another interface (SIOCADDMULTI/SIOCDELMULTI),
 * removing only the addresses this library added there.
 */
#ifndef SFO_NETDEV_MCAST_H
#define SFO_NETDEV_MCAST_H

#include <stddef.h>
#include <stdint.h>

#include "sfo/types.h"

/*
 * The 6-byte multicast addresses of @ifindex, in the caller's network
 * namespace. Stores up to @max into @list and returns how many there are
 * (may exceed @max), or a negative errno.
 */
int sfo_mcast_read(int ifindex, uint8_t (*list)[SFO_MAC_LEN], size_t max);

/* Add / delete one address on @ifindex. The kernel counts these "global"
 * references apart from the stack's own: deleting never removes a group
 * the interface's IP stack joined. */
int sfo_mcast_add(int ifindex, const uint8_t mac[SFO_MAC_LEN]);
int sfo_mcast_del(int ifindex, const uint8_t mac[SFO_MAC_LEN]);

/* The addresses we added to one interface. */
struct sfo_mcast_tracker;

struct sfo_mcast_tracker *sfo_mcast_tracker_new(void);
/* Frees the tracker; leaves the interface as it is (see sfo_mcast_release()). */
void sfo_mcast_tracker_free(struct sfo_mcast_tracker *t);

/*
 * Make @ifindex's list contain exactly @want plus what others put there:
 * add the missing addresses (remembered as ours), delete ours no longer
 * wanted. Addresses already present that we did not add are left alone.
 * A tracker follows one interface: syncing another ifindex first releases
 * the previous one. Best effort: returns 0 or the first failure.
 */
int sfo_mcast_sync(struct sfo_mcast_tracker *t, int ifindex, const uint8_t (*want)[SFO_MAC_LEN],
		   size_t n);

/* Delete every address we added (e.g. before giving the interface back). */
int sfo_mcast_release(struct sfo_mcast_tracker *t);

/* Forget our additions without touching the interface (it is gone). */
void sfo_mcast_forget(struct sfo_mcast_tracker *t);

/* How many addresses we currently own, and the @i-th (NULL if out of range). */
size_t sfo_mcast_owned_count(const struct sfo_mcast_tracker *t);
const uint8_t *sfo_mcast_owned(const struct sfo_mcast_tracker *t, size_t i);

#endif /* SFO_NETDEV_MCAST_H */
