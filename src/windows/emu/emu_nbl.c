// SPDX-License-Identifier: BSD-2-Clause
/*
 * NBLs, pools, clones, memory and spin locks of the emulation, and the
 * ownership bookkeeping: each NBL carries the hops it took, so a completion
 * or return can only go back the way it came. Retired NBLs stay allocated
 * (marked dead) until the end, so a second completion is reported, not a
 * use after free: the last GRAVEYARD_MAX of them, which bounds the memory
 * of a long run with real frames (sfo-ndis-host).
 *
 * Threads: the emulation's state is guarded by one mutex (emu_lock), held
 * only for its own bookkeeping, never while a driver's handler runs; the
 * counts here are atomics, the graveyard has a leaf lock of its own. The
 * driver's spin locks are real (error-checking) mutexes, their depth is per
 * thread: "an NDIS call with the driver's lock held" is the calling thread's.
 */
#define _GNU_SOURCE /* PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu_internal.h"

#define NBL_LIVE      0x4e424c4cu
#define NBL_DEAD      0x44454144u
#define GRAVEYARD_MAX (1u << 14)

struct emu_state emu;
static atomic_int violations;
static atomic_long live_nbls, live_allocations;
static pthread_mutex_t graveyard_mu = PTHREAD_MUTEX_INITIALIZER; /* a leaf */
static struct emu_nbl *graveyard[GRAVEYARD_MAX];
static size_t n_graveyard; /* retired so far: the oldest are freed first */
/* Error-checking: the emulation taking its own lock twice on one thread
 * (a driver handler called with it held) is reported, not a deadlock. */
static pthread_mutex_t emu_mu = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
static pthread_cond_t emu_cv = PTHREAD_COND_INITIALIZER;
/* The driver's spin locks the calling thread holds (its IRQL is
 * DISPATCH_LEVEL while there is one). */
static _Thread_local int lock_depth;

void emu_lock(void)
{
	if (pthread_mutex_lock(&emu_mu)) {
		emu_violation("the emulation's lock taken twice: a driver handler was called "
			      "with it held");
		abort();
	}
}

void emu_unlock(void)
{
	pthread_mutex_unlock(&emu_mu);
}

void emu_changed(void)
{
	pthread_cond_broadcast(&emu_cv);
}

BOOLEAN emu_wait(unsigned ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	return pthread_cond_timedwait(&emu_cv, &emu_mu, &until) != ETIMEDOUT;
}

void emu_violation(const char *fmt, ...)
{
	va_list ap;

	violations++;
	fputs("NDIS rule broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void emu_unlocked(const char *call)
{
	if (lock_depth)
		emu_violation("%s called with the driver's spin lock held", call);
}

int emu_violations(void)
{
	return violations;
}

long emu_live_nbls(void)
{
	return live_nbls;
}

long emu_live_allocations(void)
{
	return live_allocations;
}

void emu_count_allocation(long n)
{
	live_allocations += n;
}

struct emu_nbl *emu_nbl_new(struct emu_pool *pool, NDIS_HANDLE source, unsigned seq,
			    const UCHAR dst[6])
{
	struct emu_nbl *e = calloc(1, sizeof(*e));

	if (!e)
		abort();
	e->magic = NBL_LIVE;
	e->pool = pool;
	pool->live++;
	live_nbls++;
	e->nbl.NdisPoolHandle = pool;
	e->nbl.SourceHandle = e->source = source;
	if (dst) {
		memcpy(e->frame, dst, 6);
		memcpy(e->frame + 12, &seq, sizeof(seq));
		e->mdl.MappedSystemVa = e->mdl.StartVa = e->frame;
		e->mdl.ByteCount = EMU_FRAME_LEN;
		e->nb.MdlChain = e->nb.CurrentMdl = &e->mdl;
		e->nb.DataLength = EMU_FRAME_LEN;
		e->nbl.FirstNetBuffer = &e->nb;
	}
	return e;
}

struct emu_nbl *emu_nbl_of(PNET_BUFFER_LIST nbl, const char *call)
{
	struct emu_nbl *e = (struct emu_nbl *)nbl;

	if (!nbl || e->magic != NBL_LIVE) {
		emu_violation("%s: an NBL that is %s", call, nbl ? "already freed" : "NULL");
		abort(); /* nothing sensible can follow */
	}
	return e;
}

void emu_nbl_retire(struct emu_nbl *e)
{
	if (e->hops)
		emu_violation("NBL freed while still on its way back (%d hops)", e->hops);
	e->magic = NBL_DEAD;
	e->pool->live--;
	live_nbls--;
	free(e->data);
	e->data = NULL;
	pthread_mutex_lock(&graveyard_mu);
	free(graveyard[n_graveyard % GRAVEYARD_MAX]);
	graveyard[n_graveyard++ % GRAVEYARD_MAX] = e;
	pthread_mutex_unlock(&graveyard_mu);
}

void emu_free_graveyard(void)
{
	pthread_mutex_lock(&graveyard_mu);
	for (size_t i = 0; i < GRAVEYARD_MAX; i++) {
		free(graveyard[i]);
		graveyard[i] = NULL;
	}
	n_graveyard = 0;
	pthread_mutex_unlock(&graveyard_mu);
}

BOOLEAN emu_nbl_driver_owned(const struct emu_nbl *e)
{
	return e->pool->owner != NULL;
}

void emu_push(struct emu_nbl *e, enum emu_hop kind, void *who)
{
	if (e->hops == EMU_MAX_HOPS)
		abort();
	e->hop[e->hops].kind = kind;
	e->hop[e->hops++].who = who;
}

BOOLEAN emu_pop(struct emu_nbl *e, enum emu_hop kind, void *who, const char *call)
{
	if (!e->hops || e->hop[e->hops - 1].kind != kind || e->hop[e->hops - 1].who != who) {
		emu_violation("%s: an NBL that did not come from there", call);
		return FALSE;
	}
	e->hops--;
	return TRUE;
}

void emu_check_source(struct emu_nbl *e, const char *call)
{
	if (!emu_nbl_driver_owned(e) && e->nbl.SourceHandle != e->source)
		emu_violation("%s: SourceHandle of an NBL the driver does not own was changed",
			      call);
}

/* ---- NBL pools and clones */

NDIS_HANDLE NTAPI NdisAllocateNetBufferListPool(NDIS_HANDLE owner,
						NET_BUFFER_LIST_POOL_PARAMETERS *params)
{
	struct emu_pool *pool;

	if (params->Header.Type != NDIS_OBJECT_TYPE_DEFAULT ||
	    params->Header.Revision != NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 ||
	    params->Header.Size < sizeof(*params))
		emu_violation("NdisAllocateNetBufferListPool: bad header");
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		abort();
	pool->owner = owner;
	pool->with_nb = params->fAllocateNetBuffer;
	live_allocations++;
	return pool;
}

VOID NTAPI NdisFreeNetBufferListPool(NDIS_HANDLE handle)
{
	struct emu_pool *pool = handle;

	if (pool->live)
		emu_violation("NdisFreeNetBufferListPool: %ld NBLs of the pool still live",
			      pool->live);
	free(pool);
	live_allocations--;
}

PNET_BUFFER_LIST NTAPI NdisAllocateCloneNetBufferList(PNET_BUFFER_LIST original, NDIS_HANDLE pool,
						      NDIS_HANDLE nb_pool, ULONG flags)
{
	struct emu_nbl *orig = emu_nbl_of(original, "NdisAllocateCloneNetBufferList");
	struct emu_nbl *c;

	(void)nb_pool;
	(void)flags;
	c = emu_nbl_new(pool, NULL, 0, NULL);
	c->nbl.FirstNetBuffer = orig->nbl.FirstNetBuffer; /* same NET_BUFFERs */
	return &c->nbl;
}

VOID NTAPI NdisFreeCloneNetBufferList(PNET_BUFFER_LIST clone, ULONG flags)
{
	struct emu_nbl *c = emu_nbl_of(clone, "NdisFreeCloneNetBufferList");

	(void)flags;
	if (!emu_nbl_driver_owned(c) || c->nbl.FirstNetBuffer == &c->nb)
		emu_violation("NdisFreeCloneNetBufferList: not a clone of the driver's");
	emu_nbl_retire(c);
}

NDIS_STATUS NTAPI NdisCopySendNetBufferListInfo(PNET_BUFFER_LIST dst, PNET_BUFFER_LIST src)
{
	struct emu_nbl *d = emu_nbl_of(dst, "NdisCopySendNetBufferListInfo");
	struct emu_nbl *s = emu_nbl_of(src, "NdisCopySendNetBufferListInfo");

	memcpy(d->info, s->info, sizeof(d->info)); /* checksum, LSO, VLAN... */
	return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NTAPI NdisCopyReceiveNetBufferListInfo(PNET_BUFFER_LIST dst, PNET_BUFFER_LIST src)
{
	emu_nbl_of(dst, "NdisCopyReceiveNetBufferListInfo");
	emu_nbl_of(src, "NdisCopyReceiveNetBufferListInfo");
	return NDIS_STATUS_SUCCESS;
}

/* Every emulated frame is one mapped MDL: the data is always contiguous. */
PVOID NTAPI NdisGetDataBuffer(PNET_BUFFER nb, ULONG bytes, PVOID storage, UINT align, UINT offset)
{
	(void)storage;
	(void)align;
	(void)offset;
	if (bytes > nb->DataLength)
		return NULL;
	return (UCHAR *)nb->CurrentMdl->MappedSystemVa + nb->CurrentMdlOffset;
}

/* ---- memory and spin locks */

PVOID NTAPI NdisAllocateMemoryWithTagPriority(NDIS_HANDLE handle, UINT size, ULONG tag,
					      int priority)
{
	void *p;

	(void)handle;
	(void)tag;
	(void)priority;
	p = malloc(size);
	if (p)
		live_allocations++;
	return p;
}

VOID NTAPI NdisFreeMemory(PVOID p, UINT size, UINT flags)
{
	(void)size;
	(void)flags;
	free(p);
	live_allocations--;
}

VOID NTAPI NdisAllocateSpinLock(PNDIS_SPIN_LOCK lock)
{
	pthread_mutex_t *m = malloc(sizeof(*m));
	pthread_mutexattr_t attr;

	if (!m)
		abort();
	/* A spin lock taken twice on one CPU deadlocks: report it instead. */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(m, &attr);
	pthread_mutexattr_destroy(&attr);
	lock->SpinLock = (KSPIN_LOCK)m;
	live_allocations++;
}

VOID NTAPI NdisFreeSpinLock(PNDIS_SPIN_LOCK lock)
{
	pthread_mutex_t *m = (pthread_mutex_t *)lock->SpinLock;

	pthread_mutex_destroy(m);
	free(m);
	live_allocations--;
}

VOID NTAPI NdisAcquireSpinLock(PNDIS_SPIN_LOCK lock)
{
	if (pthread_mutex_lock((pthread_mutex_t *)lock->SpinLock)) {
		emu_violation("NdisAcquireSpinLock: the lock is already held by this thread "
			      "(deadlock)");
		abort();
	}
	lock_depth++;
}

/* Released by the thread that holds it, which the error-checking mutex knows. */
VOID NTAPI NdisReleaseSpinLock(PNDIS_SPIN_LOCK lock)
{
	if (pthread_mutex_unlock((pthread_mutex_t *)lock->SpinLock)) {
		emu_violation("NdisReleaseSpinLock: the lock is not held by this thread");
		return;
	}
	lock_depth--;
}
