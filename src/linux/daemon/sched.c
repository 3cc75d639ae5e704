// SPDX-License-Identifier: BSD-2-Clause
/*
 * The event loop's scheduling: SCHED_FIFO at [global] realtime-priority, so
 * that a busy machine does not delay a switch between the kernel's event and
 * our answer to it (a VF used 12-20 ms after it came up, against 2 ms at
 * SCHED_FIFO, with both CPUs busy). Threads we start do not inherit it
 * (SCHED_RESET_ON_FORK).
 *
 * A real-time task that never sleeps starves everything below it on its CPU,
 * so RLIMIT_RTTIME bounds the CPU time it may use without blocking: at the
 * soft limit the kernel sends SIGXCPU and the handler drops the daemon back
 * to SCHED_OTHER (until the next reload); at the hard limit, if that failed,
 * the kernel kills it.
 */
#include <errno.h>
#include <pthread.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <sfo/config.h>

#include "daemon.h"

#define RTTIME_SOFT_US 200000ull  /* CPU time without sleeping: SIGXCPU */
#define RTTIME_HARD_US 1000000ull /* SIGKILL, if the handler could not act */

static volatile sig_atomic_t xcpu_demoted; /* set by on_xcpu() */
static bool handler_set;
static struct rlimit rttime_found; /* as the daemon was started: a lower limit is kept */
static rlim_t rttime_soft;	   /* in force while real-time */

/* SIGXCPU: back to SCHED_OTHER at once, even if the loop never returns.
 * sched_setscheduler() and getpid() are bare system calls (async-signal
 * safe in practice). getpid(): the event loop is the main thread. */
static void on_xcpu(int sig)
{
	struct sched_param sp = { .sched_priority = 0 };
	int saved = errno;

	(void)sig;
	/* the flag kept: only CAP_SYS_NICE may clear it (RLIMIT_RTPRIO may not) */
	if (sched_setscheduler(getpid(), SCHED_OTHER | SCHED_RESET_ON_FORK, &sp) == 0)
		xcpu_demoted = 1;
	errno = saved;
}

static int set_handler(void)
{
	struct sigaction sa = { .sa_handler = on_xcpu, .sa_flags = SA_RESTART };

	if (handler_set)
		return 0;
	sigemptyset(&sa.sa_mask);
	if (getrlimit(RLIMIT_RTTIME, &rttime_found) < 0 || sigaction(SIGXCPU, &sa, NULL) < 0)
		return -errno;
	handler_set = true;
	return 0;
}

static rlim_t lower(rlim_t a, rlim_t b)
{
	return a < b ? a : b; /* RLIM_INFINITY is the largest value */
}

/* Our RLIMIT_RTTIME, or the one we were started with where it is lower. */
static int set_rttime(void)
{
	struct rlimit rl;

	rl.rlim_max = lower(rttime_found.rlim_max, RTTIME_HARD_US);
	rl.rlim_cur = lower(rttime_found.rlim_cur, RTTIME_SOFT_US);
	/* the kernel checks the hard limit first: at equal limits SIGKILL
	 * would come without the SIGXCPU that lets us step down */
	if (rl.rlim_cur >= rl.rlim_max)
		rl.rlim_cur = rl.rlim_max / 2;
	if (setrlimit(RLIMIT_RTTIME, &rl) < 0)
		return -errno;
	rttime_soft = rl.rlim_cur;
	return 0;
}

static bool has_cap_sys_nice(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[CAP_TO_INDEX(CAP_SYS_NICE)].effective & CAP_TO_MASK(CAP_SYS_NICE);
}

static void warn_refused(unsigned int prio, int err)
{
	struct rlimit rl = { 0, 0 };

	if (err != EPERM) {
		dlog(SFO_LOG_WARN,
		     "cannot run at real-time priority %u (realtime-priority in [global]): %s; "
		     "going on with normal scheduling",
		     prio, strerror(err));
		return;
	}
	if (has_cap_sys_nice()) {
		dlog(SFO_LOG_WARN,
		     "cannot run at real-time priority %u (realtime-priority in [global]): "
		     "refused although CAP_SYS_NICE is held (a cgroup without real-time "
		     "runtime, as in many containers); going on with normal scheduling",
		     prio);
		return;
	}
	getrlimit(RLIMIT_RTPRIO, &rl);
	dlog(SFO_LOG_WARN,
	     "cannot run at real-time priority %u (realtime-priority in [global]): "
	     "no CAP_SYS_NICE and RLIMIT_RTPRIO is %llu; going on with normal scheduling",
	     prio, (unsigned long long)rl.rlim_cur);
}

static const char *policy_name(int policy)
{
	switch (policy & ~SCHED_RESET_ON_FORK) {
	case SCHED_OTHER:
		return "SCHED_OTHER";
	case SCHED_BATCH:
		return "SCHED_BATCH";
	case SCHED_IDLE:
		return "SCHED_IDLE";
	case SCHED_FIFO:
		return "SCHED_FIFO";
	case SCHED_RR:
		return "SCHED_RR";
	default:
		return "an unknown policy";
	}
}

/* realtime-priority = 0, or real-time refused: a real-time policy (ours
 * before a reload, or one we were started with) is dropped; other policies
 * (nice, batch) stay. */
static void run_normal(void)
{
	struct sched_param sp = { .sched_priority = 0 };
	int policy = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;

	if ((policy == SCHED_FIFO || policy == SCHED_RR) &&
	    sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &sp) < 0)
		dlog(SFO_LOG_WARN, "cannot leave %s for normal scheduling: %s", policy_name(policy),
		     strerror(errno));
	dlog(SFO_LOG_DEBUG, "scheduling: %s", policy_name(sched_getscheduler(0)));
}

bool sched_check(void)
{
	if (!xcpu_demoted)
		return false;
	xcpu_demoted = 0;
	dlog(SFO_LOG_WARN,
	     "SIGXCPU: ran at real-time priority for more than %llu us of CPU without sleeping "
	     "(RLIMIT_RTTIME): back to normal scheduling (SCHED_OTHER) until the next reload "
	     "or restart",
	     (unsigned long long)rttime_soft);
	return true;
}

/* The kernel counts a real-time task's CPU time without sleeping
 * (RLIMIT_RTTIME) until it wakes up as a real-time task: a count left from
 * before a SIGXCPU would end the new spell at the next tick. One real sleep
 * (timer slack is 0 for real-time tasks) starts it from zero. */
static void rttime_restart(void)
{
	struct timespec ms = { .tv_sec = 0, .tv_nsec = 1000000 };

	nanosleep(&ms, NULL);
}

static void apply(unsigned int prio)
{
	struct sched_param sp = { .sched_priority = (int)prio };
	int ret;

	if (prio == 0) {
		run_normal();
		return;
	}
	ret = set_handler();
	if (ret == 0)
		ret = set_rttime();
	if (ret < 0) {
		/* no real-time policy without the guard */
		dlog(SFO_LOG_WARN,
		     "cannot limit RLIMIT_RTTIME: %s; realtime-priority %u not applied, going on "
		     "with normal scheduling",
		     strerror(-ret), prio);
		run_normal();
		return;
	}
	if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) < 0) {
		warn_refused(prio, errno);
		run_normal(); /* a policy from before this reload must not stay */
		return;
	}
	rttime_restart();
	dlog(SFO_LOG_DEBUG,
	     "scheduling: SCHED_FIFO priority %u (realtime-priority), at most %llu us of CPU "
	     "without sleeping (RLIMIT_RTTIME)",
	     prio, (unsigned long long)rttime_soft);
}

void sched_apply(const struct sfo_config *cfg)
{
	sigset_t xcpu, old;

	if (sched_check())
		return; /* this very reload ran too long */
	/* a SIGXCPU now is handled after the new policy is in place, not
	 * between the check above and it */
	sigemptyset(&xcpu);
	sigaddset(&xcpu, SIGXCPU);
	pthread_sigmask(SIG_BLOCK, &xcpu, &old);
	apply(cfg->realtime_priority);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}
