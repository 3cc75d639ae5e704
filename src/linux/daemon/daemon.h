/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sriov-failoverd: the Linux edge of the failover engine. One process, one
 * thread, one epoll loop: rtnetlink events and the engine's timer drive the
 * engine; the engine acts through the ops in edge_ops.c.
 */
#ifndef SFO_DAEMON_H
#define SFO_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sfo/engine.h>

#define SFO_DEFAULT_CONFIG "/etc/sriov-failover.conf"
#define SFO_MAX_IFINDEX	   4096 /* adapters tracked for resync; larger ifindexes still work */
#define SFO_MAX_MCAST	   256

struct sfo_rtnl;
struct sfo_dp;
struct sfo_announcer;
struct sfo_mcast_tracker;
struct control;
struct path_probe;

/* What we hold of one VF besides what the engine knows. */
struct held_vf {
	int ifindex;
	char name[SFO_NAME_MAX];
	struct sfo_mcast_tracker *mcast;
};

struct daemon {
	/* options */
	const char *config_path;
	bool config_explicit;
	const char *socket_path;
	const char *bpffs;
	const char **interfaces; /* -i: manage only these standbys */
	int n_interfaces;
	bool release_on_exit;
	bool verbose;

	struct sfo_config *cfg;
	struct sfo_engine *eng;
	struct sfo_rtnl *rt;
	struct sfo_dp *dp;
	struct sfo_announcer *ann; /* announcements, collected without blocking the loop */
	int epfd, timerfd, sigfd, ctl_fd;
	int pin_fd;	     /* the pin directory, flock()ed: one daemon per pin directory */
	struct control *ctl; /* control.c: clients, socket lock */
	uint64_t start_ns;
	unsigned int resyncs;
	bool running;
	bool releasing; /* shutting down with --release-on-exit */
	bool networkd;	/* systemd-networkd manages this network namespace */

	bool in_dump;
	bool resync_pending; /* the last resync failed: again before the next event */
	int resync_fd;	     /* timerfd: a failed resync is retried even if no event comes */
	unsigned int resync_retry_ms; /* the next retry's delay, doubled on each failure */

	struct held_vf *held;
	size_t n_held;

	struct path_probe *probes; /* VFs whose path is being proven */
	size_t n_probes;
};

/* log.c */
void dlog_init(bool verbose);
void dlog(enum sfo_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Debug: "WHAT: N us" since @since (mono_ns()), the cost of one step of
 * holding a VF; returns the time after the line is written, the next step's
 * start. */
uint64_t dlog_step(uint64_t since, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* edge_ops.c */
extern const struct sfo_ops sfo_linux_ops;
/* What an announcement round sent (sfo_announcer's callback). */
void announced(void *ctx, int standby, size_t sent, size_t planned, int err);
uint64_t mono_ns(void);
/* Name of @ifindex as the engine knows it, or "if<N>". */
const char *ifname_of(struct daemon *d, int ifindex, char *buf, size_t len);

/* config_file.c: parse a regular file of at most SFO_CONFIG_FILE_MAX bytes, or say in
 * @err why not ("PATH: not a regular file (a FIFO)"); never waits for a writer */
struct sfo_config;
int config_file_load(const char *path, struct sfo_config **out, char *err, size_t errlen);

/* isolate.c: make a VF ours alone, and give it back */
int vf_isolate(struct daemon *d, int ifindex, const char *name);
void vf_unisolate(struct daemon *d, int ifindex, const char *name);
/* A link is called @name now: follow a held VF's rename. */
void vf_renamed(struct daemon *d, int ifindex, const char *name);

/* networkd.c: runtime .network files keeping systemd-networkd off held VFs,
 * only where it manages this network namespace (decided by networkd_probe) */
void networkd_probe(struct daemon *d);
void networkd_unmanage(struct daemon *d, int ifindex, const char *name);
void networkd_forget(struct daemon *d, const char *name);
/* After the first dump: remove the files of VFs not held (an earlier run's). */
void networkd_remove_stale(struct daemon *d);

/* sched.c: the event loop at SCHED_FIFO, guarded by RLIMIT_RTTIME */
/* Apply cfg->realtime_priority (at start and after a reload); a refusal is
 * logged and the daemon goes on at normal priority. */
void sched_apply(const struct sfo_config *cfg);
/* Log a drop to SCHED_OTHER on SIGXCPU since the last call; whether one came. */
bool sched_check(void);

/* pinlock.c: -EBUSY (logged, naming the holder) if a daemon runs on d->bpffs */
int pin_lock(struct daemon *d);
void pin_unlock(struct daemon *d);

/* netevents.c */
int netevents_open(struct daemon *d);
/*
 * Drop the events not yet read, then dump every link and address; links the
 * dump does not show are removed. On failure it runs again before the next
 * event is read, or when d->resync_fd expires (100 ms, doubling up to 5 s).
 */
int netevents_resync(struct daemon *d);
/* d->resync_fd is readable: the retry of a failed resync is due. */
void netevents_retry(struct daemon *d);
/* Read one bounded batch of events (the loop calls again while the socket
 * is readable, serving its other fds in between); resyncs on overflow. */
void netevents_receive(struct daemon *d);
/* Push the standby's multicast list to the engine if it changed. */
void netevents_standby_mcast(struct daemon *d, int ifindex);

/* pathprobe.c: prove the path through a VF (ops->probe_path) */
/* Send a probe through @vf to @standby's neighbours; 0, -ENOENT (nothing to
 * probe) or a negative errno. */
/* the socket and whom to ask, before the first pathprobe_send needs them */
void pathprobe_prepare(struct daemon *d, int standby, int vf);
int pathprobe_send(struct daemon *d, int standby, int vf);
void pathprobe_stop(struct daemon *d, int vf);
/* Whether @fd is a probe's; reads its answers (reported to the engine). */
bool pathprobe_receive(struct daemon *d, int fd);
void pathprobe_close_all(struct daemon *d);

/*
 * control.c: the control socket. control_open refuses (-EADDRINUSE) while
 * another daemon holds "<socket>.lock", and replaces a dead one's socket.
 */
int control_open(struct daemon *d);
/* Whether @fd is the control socket's: the listening one or a client's. */
bool control_owns(const struct daemon *d, int fd);
/* Serve what epoll reported on @fd; never blocks. */
void control_event(struct daemon *d, int fd, uint32_t events);
/* Milliseconds until the next client times out (for epoll_wait), -1 if none. */
int control_timeout_ms(const struct daemon *d);
/* Close the clients idle for too long. */
void control_expire(struct daemon *d);
void control_close(struct daemon *d);

/* render.c: answers of the control socket */
struct printer;
/* false if @only names no pair */
bool render_status(struct daemon *d, struct printer *pr, const char *only);
void render_adapters(struct daemon *d, struct printer *pr);
void render_events(struct daemon *d, struct printer *pr, size_t max);

#endif /* SFO_DAEMON_H */
