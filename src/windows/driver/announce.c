// SPDX-License-Identifier: BSD-2-Clause
/*
 * After each switch the engine asks for announcements (ops->announce): the
 * network learns where the standby's MAC lives now. As the Linux edge sends
 * them on the standby's device, so they leave through the path in use, the
 * frames go where the stack's sends go at that moment: through the VF the
 * engine steers to, or down the standby. For each address the stack was
 * seen using (addr_learn.c): a gratuitous ARP (a broadcast request whose
 * sender and target are the address) or an unsolicited neighbour
 * advertisement (to all nodes, override flag, the MAC as target link-layer
 * address); with no address known, one RARP request for the MAC (QEMU's
 * self-announce), which the switches learn from all the same. The frames
 * are built and sent after the lock, from NBLs of the module's own pool;
 * each that went out successfully is counted to the engine
 * (sfo_engine_announced) when it completes.
 */
#include "sriovfo.h"

#define GARP_LEN   60 /* ARP, padded to the Ethernet minimum */
#define NA_LEN	   86 /* 14 + 40 IPv6 + 24 NA + 8 target link-layer option */
#define FRAME_MAX  NA_LEN
#define FRAMES_MAX (2 * SFO_WIN_ADDRS_MAX)

/* One announcement: its bytes and MDL, the NBL carrying them. */
struct frame {
	UCHAR data[FRAME_MAX];
	PMDL mdl;
};

static VOID NTAPI restarted(PVOID system1, PVOID ctx, PVOID system2, PVOID system3)
{
	(void)system1;
	(void)ctx;
	(void)system2;
	(void)system3;
	sfo_announce_due();
}

BOOLEAN sfo_announce_init(struct sfo_standby *sb)
{
	NET_BUFFER_LIST_POOL_PARAMETERS pp;
	NDIS_TIMER_CHARACTERISTICS tc;

	__builtin_memset(&pp, 0, sizeof(pp));
	pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	pp.Header.Size = sizeof(pp);
	pp.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
	pp.fAllocateNetBuffer = TRUE;
	pp.PoolTag = SFO_WIN_POOL_TAG;
	sb->frame_pool = NdisAllocateNetBufferListPool(sb->filter, &pp);
	if (!sb->frame_pool)
		return FALSE;
	__builtin_memset(&tc, 0, sizeof(tc));
	tc.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
	tc.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
	tc.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
	tc.AllocationTag = SFO_WIN_POOL_TAG;
	tc.TimerFunction = restarted;
	if (NdisAllocateTimerObject(sfo_drv.filter_driver, &tc, &sb->announce_timer) ==
	    NDIS_STATUS_SUCCESS)
		return TRUE;
	NdisFreeNetBufferListPool(sb->frame_pool);
	sb->frame_pool = NULL;
	return FALSE;
}

/* Paused, detached (PASSIVE_LEVEL): nothing of the module's is out. A timer
 * function already started on another processor is waited for, as the
 * engine's timer at unload (engine_edge.c). */
void sfo_announce_fini(struct sfo_standby *sb)
{
	if (sb->announce_timer) {
		NdisCancelTimerObject(sb->announce_timer);
		KeFlushQueuedDpcs();
		NdisFreeTimerObject(sb->announce_timer);
	}
	if (sb->frame_pool)
		NdisFreeNetBufferListPool(sb->frame_pool);
}

/* NDIS has the module running only once its restart handler returned: the
 * announcements its restart asked for leave a moment later, from a timer. */
void sfo_announce_after_restart(struct sfo_standby *sb)
{
	LARGE_INTEGER due;
	BOOLEAN due_now;

	NdisAcquireSpinLock(&sfo_drv.lock);
	due_now = sb->announce_due;
	NdisReleaseSpinLock(&sfo_drv.lock);
	due.QuadPart = -10000; /* 1 ms, relative */
	if (due_now)
		NdisSetTimerObject(sb->announce_timer, due, 0, NULL);
}

void sfo_announce_request_locked(struct sfo_standby *sb)
{
	sb->announce_due = TRUE;
}

static UCHAR *eth_header(UCHAR *p, const UCHAR *dst, const UCHAR *src, USHORT type)
{
	__builtin_memcpy(p, dst, 6);
	__builtin_memcpy(p + 6, src, 6);
	p[12] = (UCHAR)(type >> 8);
	p[13] = (UCHAR)type;
	return p + 14;
}

/* ARP (oper 1, request) or RARP (oper 3): Ethernet/IPv4 addresses. */
static ULONG arp_frame(UCHAR *f, const UCHAR *mac, USHORT type, USHORT oper, const UCHAR *spa,
		       const UCHAR *tha, const UCHAR *tpa)
{
	static const UCHAR bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const UCHAR head[6] = { 0, 1, 0x08, 0, 6, 4 };
	UCHAR *p = eth_header(f, bcast, mac, type);

	__builtin_memset(p, 0, GARP_LEN - 14);
	__builtin_memcpy(p, head, sizeof(head));
	p[7] = (UCHAR)oper;
	__builtin_memcpy(p + 8, mac, 6);
	__builtin_memcpy(p + 14, spa, 4);
	__builtin_memcpy(p + 18, tha, 6);
	__builtin_memcpy(p + 24, tpa, 4);
	return GARP_LEN;
}

static USHORT icmp6_checksum(const UCHAR *ip6, const UCHAR *icmp, ULONG len)
{
	ULONG sum = len + 58; /* pseudo-header: upper-layer length, next header */

	for (ULONG i = 8; i < 40; i += 2) /* source and destination */
		sum += (ULONG)(ip6[i] << 8 | ip6[i + 1]);
	for (ULONG i = 0; i < len; i += 2)
		sum += (ULONG)(icmp[i] << 8 | (i + 1 < len ? icmp[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (USHORT)~sum;
}

static ULONG na_frame(UCHAR *f, const UCHAR *mac, const UCHAR *addr)
{
	static const UCHAR all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	static const UCHAR all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	UCHAR *ip6 = eth_header(f, all_nodes_mac, mac, 0x86dd), *na = ip6 + 40;
	USHORT sum;

	__builtin_memset(ip6, 0, NA_LEN - 14);
	ip6[0] = 0x60;
	ip6[5] = 32; /* payload: the NA and its option */
	ip6[6] = 58; /* ICMPv6 */
	ip6[7] = 255;
	__builtin_memcpy(ip6 + 8, addr, 16);
	__builtin_memcpy(ip6 + 24, all_nodes, 16);
	na[0] = 136;
	na[4] = 0x20; /* override; neither router nor solicited */
	__builtin_memcpy(na + 8, addr, 16);
	na[24] = 2; /* target link-layer address, 8 bytes */
	na[25] = 1;
	__builtin_memcpy(na + 26, mac, 6);
	sum = icmp6_checksum(ip6, na, 32);
	na[2] = (UCHAR)(sum >> 8);
	na[3] = (UCHAR)sum;
	return NA_LEN;
}

static void free_frame(PNET_BUFFER_LIST nbl)
{
	struct frame *fr = nbl->ProtocolReserved[0];

	NdisFreeNetBufferList(nbl);
	NdisFreeMdl(fr->mdl);
	sfo_win_free(fr);
}

/* An NBL of @sb's pool over a copy of @len bytes, or NULL. */
static PNET_BUFFER_LIST frame_nbl(struct sfo_standby *sb, const UCHAR *bytes, ULONG len)
{
	struct frame *fr = sfo_win_alloc(sizeof(*fr));
	PNET_BUFFER_LIST nbl;

	if (!fr)
		return NULL;
	__builtin_memcpy(fr->data, bytes, len);
	fr->mdl = NdisAllocateMdl(sb->filter, fr->data, len);
	nbl = fr->mdl ? NdisAllocateNetBufferAndNetBufferList(sb->frame_pool, 0, 0, fr->mdl, 0, len)
		      : NULL;
	if (!nbl) {
		if (fr->mdl)
			NdisFreeMdl(fr->mdl);
		sfo_win_free(fr);
		return NULL;
	}
	nbl->ProtocolReserved[0] = fr; /* ours: we originate it */
	return nbl;
}

/* The frames for @sb's addresses (under the lock: the table may change). */
static ULONG build_locked(struct sfo_standby *sb, UCHAR (*f)[FRAME_MAX], ULONG *len)
{
	static const UCHAR zero[6];
	ULONG n = 0;

	for (ULONG i = 0; i < sb->addrs.n4; i++, n++)
		len[n] =
			arp_frame(f[n], sb->mac, 0x0806, 1, sb->addrs.v4[i], zero, sb->addrs.v4[i]);
	for (ULONG i = 0; i < sb->addrs.n6; i++, n++)
		len[n] = na_frame(f[n], sb->mac, sb->addrs.v6[i]);
	if (!n)
		len[n++] = arp_frame(f[0], sb->mac, 0x8035, 3, zero, sb->mac, zero);
	return n;
}

struct frames {
	UCHAR f[FRAMES_MAX][FRAME_MAX];
	ULONG len[FRAMES_MAX];
};

/* Send @sb's announcements through the path in use. */
static void announce(struct sfo_standby *sb)
{
	struct frames *fs = sfo_win_alloc(sizeof(*fs));
	PNET_BUFFER_LIST chain = NULL, *tail = &chain;
	ULONG n, sent = 0;
	struct sfo_vf *vf;

	if (!fs)
		return;
	NdisAcquireSpinLock(&sfo_drv.lock);
	n = build_locked(sb, fs->f, fs->len);
	NdisReleaseSpinLock(&sfo_drv.lock);
	for (ULONG i = 0; i < n; i++) {
		PNET_BUFFER_LIST nbl = frame_nbl(sb, fs->f[i], fs->len[i]);

		if (!nbl)
			break;
		*tail = nbl;
		tail = &nbl->Next;
		sent++;
	}
	sfo_win_free(fs);
	if (!chain)
		return;
	NdisAcquireSpinLock(&sfo_drv.lock);
	if (sb->state != SFO_FILTER_RUNNING) {
		sb->announce_due = TRUE; /* paused meanwhile: at its restart */
		NdisReleaseSpinLock(&sfo_drv.lock);
		for (PNET_BUFFER_LIST nbl = chain, next; nbl; nbl = next) {
			next = nbl->Next;
			free_frame(nbl);
		}
		return;
	}
	vf = sb->path;
	if (vf && vf->paused)
		vf = NULL;	       /* its pause began: the traffic is the standby's (tx.c) */
	sb->outstanding += (LONG)sent; /* a pause waits for them */
	if (vf) {
		vf->outstanding += (LONG)sent;
		vf->sending++; /* its pause waits until they are with NDIS */
	}
	NdisReleaseSpinLock(&sfo_drv.lock);
	for (PNET_BUFFER_LIST nbl = chain; nbl; nbl = nbl->Next)
		nbl->SourceHandle = vf ? vf->binding : sb->filter;
	if (!vf) {
		NdisFSendNetBufferLists(sb->filter, chain, 0, 0);
		return;
	}
	NdisSendNetBufferLists(vf->binding, chain, 0, 0);
	NdisAcquireSpinLock(&sfo_drv.lock);
	vf->sending--;
	NdisReleaseSpinLock(&sfo_drv.lock);
}

void sfo_announce_due(void)
{
	for (;;) {
		struct sfo_standby *sb;

		NdisAcquireSpinLock(&sfo_drv.lock);
		/* a module not running sends nothing: its restart does */
		for (sb = sfo_drv.standbys;
		     sb && !(sb->announce_due && sb->state == SFO_FILTER_RUNNING); sb = sb->next)
			;
		/* Counted out while announce() runs without the lock: the
		 * module's pause, and its detach (which frees it), wait. */
		if (sb) {
			sb->announce_due = FALSE;
			sb->outstanding++;
		}
		NdisReleaseSpinLock(&sfo_drv.lock);
		if (!sb)
			return;
		announce(sb);
		sfo_clones_done(sb, NULL, 1);
	}
}

PNET_BUFFER_LIST sfo_announce_completed(struct sfo_standby *sb, struct sfo_vf *vf,
					PNET_BUFFER_LIST nbls)
{
	PNET_BUFFER_LIST rest = NULL, *tail = &rest;
	LONG n = 0;
	uint64_t ok = 0;

	for (PNET_BUFFER_LIST nbl = nbls, next; nbl; nbl = next) {
		next = nbl->Next;
		nbl->Next = NULL;
		if (nbl->NdisPoolHandle != sb->frame_pool) {
			*tail = nbl;
			tail = &nbl->Next;
			continue;
		}
		if (nbl->Status == NDIS_STATUS_SUCCESS)
			ok++;
		free_frame(nbl);
		n++;
	}
	if (!n)
		return rest;
	if (ok) {
		NdisAcquireSpinLock(&sfo_drv.lock);
		if (sfo_drv.engine && sb->reported)
			sfo_engine_announced(sfo_drv.engine, sb->id, ok);
		NdisReleaseSpinLock(&sfo_drv.lock);
	}
	sfo_clones_done(sb, vf, n);
	return rest;
}
