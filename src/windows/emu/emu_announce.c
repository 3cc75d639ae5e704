// SPDX-License-Identifier: BSD-2-Clause
/*
 * NBLs the driver makes itself (a pool with NET_BUFFERs, an MDL over its
 * memory) and what it sends in them: only announcements, each checked on
 * the wire as a well-formed gratuitous ARP (broadcast request, sender =
 * target, the adapter's MAC), unsolicited neighbour advertisement (to all
 * nodes from the address itself, hop limit 255, override and not
 * solicited, its checksum right, the MAC as target link-layer address) or
 * RARP request for the MAC. Anything else is a broken rule.
 */
#include <stdlib.h>
#include <string.h>

#include "emu_internal.h"

static const UCHAR BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

PMDL NTAPI NdisAllocateMdl(NDIS_HANDLE handle, PVOID va, UINT len)
{
	PMDL mdl = calloc(1, sizeof(*mdl));

	(void)handle;
	if (!mdl)
		abort();
	mdl->MappedSystemVa = mdl->StartVa = va;
	mdl->ByteCount = len;
	emu_count_allocation(1);
	return mdl;
}

VOID NTAPI NdisFreeMdl(PMDL mdl)
{
	free(mdl);
	emu_count_allocation(-1);
}

PNET_BUFFER_LIST NTAPI NdisAllocateNetBufferAndNetBufferList(NDIS_HANDLE pool, USHORT ctx_size,
							     USHORT ctx_backfill, PMDL mdl,
							     ULONG offset, SIZE_T len)
{
	struct emu_pool *p = pool;
	struct emu_nbl *e;

	(void)ctx_backfill;
	if (!p->owner || !p->with_nb || ctx_size || offset || !mdl || len > mdl->ByteCount)
		emu_violation("NdisAllocateNetBufferAndNetBufferList: %s",
			      !p->owner || !p->with_nb
				      ? "not a pool of the driver's with NET_BUFFERs"
				      : "bad MDL, offset or length");
	e = emu_nbl_new(p, NULL, 0, NULL);
	e->nb.MdlChain = e->nb.CurrentMdl = mdl;
	e->nb.DataLength = (ULONG)len;
	e->nbl.FirstNetBuffer = &e->nb;
	return &e->nbl;
}

VOID NTAPI NdisFreeNetBufferList(PNET_BUFFER_LIST nbl)
{
	struct emu_nbl *e = emu_nbl_of(nbl, "NdisFreeNetBufferList");

	if (!emu_nbl_driver_owned(e) || !e->pool->with_nb || e->nbl.FirstNetBuffer != &e->nb)
		emu_violation("NdisFreeNetBufferList: not an NBL the driver allocated");
	emu_nbl_retire(e);
}

BOOLEAN emu_nbl_own_frame(const struct emu_nbl *e)
{
	return emu_nbl_driver_owned(e) && e->pool->with_nb;
}

static void record(struct emu_adapter *a, enum emu_announcement kind, const UCHAR *addr,
		   unsigned len)
{
	a->announced[kind]++;
	if (addr && a->n_ann_addrs < EMU_ANN_ADDRS) {
		memcpy(a->ann_addrs[a->n_ann_addrs].addr, addr, len);
		a->ann_addrs[a->n_ann_addrs++].len = len;
	}
}

static BOOLEAN arp_ok(const struct emu_adapter *a, const UCHAR *f, ULONG len, UCHAR oper)
{
	static const UCHAR head[6] = { 0, 1, 0x08, 0, 6, 4 };
	const UCHAR *arp = f + 14;

	return len >= 60 && !memcmp(f, BCAST, 6) && !memcmp(arp, head, 6) && arp[6] == 0 &&
	       arp[7] == oper && !memcmp(arp + 8, a->mac, 6);
}

static USHORT icmp6_sum(const UCHAR *ip6, const UCHAR *icmp, ULONG len)
{
	unsigned long sum = len + 58;

	for (int i = 8; i < 40; i += 2)
		sum += (unsigned long)(ip6[i] << 8 | ip6[i + 1]);
	for (ULONG i = 0; i < len; i += 2)
		sum += (unsigned long)(icmp[i] << 8 | (i + 1 < len ? icmp[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (USHORT)sum; /* 0xffff when the checksum in it is right */
}

static BOOLEAN na_ok(const struct emu_adapter *a, const UCHAR *f, ULONG len)
{
	static const UCHAR all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	static const UCHAR all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	const UCHAR *ip6 = f + 14, *na = ip6 + 40;

	return len >= 86 && !memcmp(f, all_nodes_mac, 6) && ip6[0] >> 4 == 6 && ip6[4] == 0 &&
	       ip6[5] == 32 && ip6[6] == 58 && ip6[7] == 255 && !memcmp(ip6 + 24, all_nodes, 16) &&
	       na[0] == 136 && na[1] == 0 && (na[4] & 0x20) && !(na[4] & 0x40) &&
	       !memcmp(na + 8, ip6 + 8, 16) && na[24] == 2 && na[25] == 1 &&
	       !memcmp(na + 26, a->mac, 6) && icmp6_sum(ip6, na, 32) == 0xffff;
}

/* With the emulation's lock held. */
void emu_check_own_frame(struct emu_adapter *a, const struct emu_nbl *e)
{
	ULONG len;
	const UCHAR *f = emu_nbl_bytes(&e->nbl, &len);
	USHORT type = f && len >= 14 ? (USHORT)(f[12] << 8 | f[13]) : 0;

	if (!f || len < 14 || memcmp(f + 6, a->mac, 6)) {
		emu_violation("%s: a frame of the driver's own not from its MAC", a->name);
		return;
	}
	if (type == 0x0806 && arp_ok(a, f, len, 1) && !memcmp(f + 28, f + 38, 4) &&
	    memcmp(f + 28, "\0\0\0\0", 4))
		record(a, EMU_GARP, f + 28, 4);
	else if (type == 0x8035 && arp_ok(a, f, len, 3) && !memcmp(f + 32, a->mac, 6))
		record(a, EMU_RARP, NULL, 0);
	else if (type == 0x86dd && na_ok(a, f, len))
		record(a, EMU_UNSOLICITED_NA, f + 22, 16);
	else
		emu_violation("%s: a frame of the driver's own that is no well-formed announcement",
			      a->name);
}

unsigned emu_announcements(struct emu_adapter *a, enum emu_announcement kind)
{
	unsigned n;

	emu_lock();
	n = a->announced[kind];
	emu_unlock();
	return n;
}

BOOLEAN emu_announced(struct emu_adapter *a, const UCHAR *addr, unsigned len)
{
	BOOLEAN found = FALSE;

	emu_lock();
	for (unsigned i = 0; i < a->n_ann_addrs && !found; i++)
		found = a->ann_addrs[i].len == len && !memcmp(a->ann_addrs[i].addr, addr, len);
	emu_unlock();
	return found;
}
