// SPDX-License-Identifier: BSD-2-Clause
/*
 * The standby's IP addresses, for the announcements after a switch. A
 * filter has no address table, and the IP helper functions that have one
 * (GetUnicastIpAddressTable, NotifyUnicastIpAddressChange) are NETIO.SYS's:
 * PASSIVE_LEVEL, outside the three modules the driver may import from, and
 * keyed by interface, which the filter does not know. The stack tells its
 * addresses itself, in the frames it sends for them: the sender of its ARP
 * requests and replies (with the standby's MAC), the source of its neighbour
 * solicitations (not ::, which is duplicate address detection, for an
 * address not yet usable) and the target of its neighbour advertisements.
 * Only those: the source of other IP packets may be someone else's (a host
 * that forwards). Each stack resolves a neighbour before it talks to it and
 * answers the host's solicitations, so an address in use is soon seen. The
 * table keeps the last SFO_WIN_ADDRS_MAX of each family; an address the
 * stack dropped stays until pushed out (announcing it only refreshes the
 * switch's and neighbours' view of the standby's MAC).
 */
#include "sriovfo.h"

#define ETH_HLEN      14
#define ARP_LEN	      28
#define IP6_HLEN      40
#define ND_LEN	      24 /* type, code, checksum, flags, target */
#define ND_NS	      135
#define ND_NA	      136
#define IPPROTO_ICMP6 58

static BOOLEAN all_zero(const UCHAR *p, ULONG n)
{
	for (ULONG i = 0; i < n; i++)
		if (p[i])
			return FALSE;
	return TRUE;
}

/* Into the table (slot @next when full), unless there already. */
static void keep(UCHAR *table, ULONG len, ULONG *n, ULONG *next, const UCHAR *addr)
{
	for (ULONG i = 0; i < *n; i++)
		if (!__builtin_memcmp(table + i * len, addr, len))
			return;
	if (*n < SFO_WIN_ADDRS_MAX) {
		__builtin_memcpy(table + (*n)++ * len, addr, len);
		return;
	}
	__builtin_memcpy(table + *next * len, addr, len);
	*next = (*next + 1) % SFO_WIN_ADDRS_MAX;
}

static void learn_arp(struct sfo_standby *sb, PNET_BUFFER nb)
{
	UCHAR storage[ETH_HLEN + ARP_LEN];
	const UCHAR *f = NdisGetDataBuffer(nb, sizeof(storage), storage, 1, 0);
	const UCHAR *arp = f + ETH_HLEN;

	/* Ethernet, IPv4, 6 and 4 bytes long, from the standby's MAC, not a probe */
	if (!f || arp[0] != 0 || arp[1] != 1 || arp[2] != 0x08 || arp[3] != 0 || arp[4] != 6 ||
	    arp[5] != 4 || __builtin_memcmp(arp + 8, sb->mac, SFO_WIN_MAC_LEN) ||
	    all_zero(arp + 14, 4))
		return;
	NdisAcquireSpinLock(&sfo_drv.lock);
	keep(&sb->addrs.v4[0][0], 4, &sb->addrs.n4, &sb->addrs.next4, arp + 14);
	NdisReleaseSpinLock(&sfo_drv.lock);
}

static void learn_nd(struct sfo_standby *sb, PNET_BUFFER nb)
{
	UCHAR storage[ETH_HLEN + IP6_HLEN + ND_LEN];
	const UCHAR *f = NdisGetDataBuffer(nb, sizeof(storage), storage, 1, 0);
	const UCHAR *ip6 = f + ETH_HLEN, *nd = ip6 + IP6_HLEN, *addr;

	if (!f || ip6[0] >> 4 != 6 || ip6[6] != IPPROTO_ICMP6 || ip6[7] != 255)
		return; /* neighbour discovery always has hop limit 255 */
	if (nd[0] == ND_NS)
		addr = ip6 + 8; /* its source */
	else if (nd[0] == ND_NA)
		addr = nd + 8; /* its target */
	else
		return;
	if (all_zero(addr, 16) || addr[0] == 0xff)
		return;
	NdisAcquireSpinLock(&sfo_drv.lock);
	keep(&sb->addrs.v6[0][0], 16, &sb->addrs.n6, &sb->addrs.next6, addr);
	NdisReleaseSpinLock(&sfo_drv.lock);
}

void sfo_addr_learn(struct sfo_standby *sb, PNET_BUFFER_LIST nbls)
{
	for (PNET_BUFFER_LIST nbl = nbls; nbl; nbl = nbl->Next) {
		PNET_BUFFER nb = nbl->FirstNetBuffer;
		UCHAR storage[ETH_HLEN];
		const UCHAR *eth = nb ? NdisGetDataBuffer(nb, ETH_HLEN, storage, 1, 0) : NULL;

		if (!eth)
			continue;
		if (eth[12] == 0x08 && eth[13] == 0x06)
			learn_arp(sb, nb);
		else if (eth[12] == 0x86 && eth[13] == 0xdd)
			learn_nd(sb, nb);
	}
}
