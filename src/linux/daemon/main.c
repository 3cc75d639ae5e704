// SPDX-License-Identifier: BSD-2-Clause
/* sriov-failoverd: options, start-up, the event loop, shutdown. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <linux/magic.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "control_proto.h"
#include "daemon.h"
#include "datapath.h"
#include "netdev/announcer.h"
#include "netdev/mcast.h"
#include "netdev/rtnl.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: sriov-failoverd [OPTIONS]\n"
		     "Give this guest SR-IOV failover in the 2-netdev model: the stack uses the\n"
		     "virtio-net interface only, the VF with its MAC carries the traffic.\n\n"
		     "  -c, --config FILE     configuration (default " SFO_DEFAULT_CONFIG ")\n"
		     "  -s, --socket PATH     control socket (default " SFO_CTL_DEFAULT_SOCKET ")\n"
		     "  -b, --bpffs DIR       pin directory (default " SFO_DP_PIN_ROOT_DEFAULT ")\n"
		     "  -i, --interface NAME  manage only this standby (repeatable)\n"
		     "      --release-on-exit give back every VF and remove the datapath on exit\n"
		     "      --check-config    parse the configuration and exit\n"
		     "  -v, --verbose         log debug messages\n"
		     "  -h, --help            this text\n"
		     "      --version         print the version\n");
}

enum { OPT_RELEASE = 256, OPT_CHECK, OPT_VERSION };

static int parse_options(struct daemon *d, int argc, char **argv, bool *check_only)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "bpffs", required_argument, NULL, 'b' },
		{ "interface", required_argument, NULL, 'i' },
		{ "release-on-exit", no_argument, NULL, OPT_RELEASE },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:s:b:i:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d->config_path = optarg;
			d->config_explicit = true;
			break;
		case 's':
			d->socket_path = optarg;
			break;
		case 'b':
			d->bpffs = optarg;
			break;
		case 'i':
			if (strlen(optarg) >= 16) {
				fprintf(stderr, "sriov-failoverd: interface name '%s' too long\n",
					optarg);
				return 2;
			}
			d->interfaces = realloc(d->interfaces,
						(size_t)(d->n_interfaces + 1) * sizeof(char *));
			if (!d->interfaces)
				return 1;
			d->interfaces[d->n_interfaces++] = optarg;
			break;
		case OPT_RELEASE:
			d->release_on_exit = true;
			break;
		case OPT_CHECK:
			*check_only = true;
			break;
		case 'v':
			d->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_VERSION:
			printf("sriov-failoverd %s\n", SFO_VERSION);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sriov-failoverd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return 0;
}

/* -i NAME...: as if the file said manage = listed with a [standby NAME] each. */
static int apply_interfaces(struct daemon *d)
{
	struct sfo_config *cfg = d->cfg;

	if (!d->n_interfaces)
		return 0;
	cfg->manage = SFO_MANAGE_LISTED;
	for (int i = 0; i < d->n_interfaces; i++) {
		int ret = sfo_config_add_standby(cfg, d->interfaces[i], NULL);

		if (ret == -SFO_ENOMEM)
			return -ENOMEM;
		if (ret == -SFO_EINVAL) {
			fprintf(stderr, "sriov-failoverd: bad interface name '%s'\n",
				d->interfaces[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static int load_config(struct daemon *d)
{
	char err[512];
	int ret;

	if (!d->config_explicit && access(d->config_path, F_OK) != 0) {
		d->cfg = sfo_config_new(); /* no file: built-in defaults */
		ret = d->cfg ? 0 : -ENOMEM;
	} else {
		ret = config_file_load(d->config_path, &d->cfg, err, sizeof(err));
		if (ret < 0) {
			if (d->running)
				dlog(SFO_LOG_ERR, "%s", err);
			else
				fprintf(stderr, "sriov-failoverd: %s\n", err);
			return ret;
		}
	}
	return ret < 0 ? ret : apply_interfaces(d);
}

static int add_fd(struct daemon *d, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static void dp_log(void *arg, enum sfo_dp_log_level lvl, const char *msg)
{
	(void)arg;
	/* libbpf reports the kernel's answers to its own probes as warnings */
	if (strncmp(msg, "libbpf: ", 8) == 0 && lvl > SFO_DP_LOG_ERR)
		lvl = SFO_DP_LOG_DEBUG;
	dlog((enum sfo_log_level)lvl, "datapath: %s", msg);
}

static bool engine_uses(struct daemon *d, int standby, int vf)
{
	size_t n = sfo_engine_pair_count(d->eng);
	struct sfo_pair_status st;

	for (size_t i = 0; i < n; i++)
		if (sfo_engine_pair_status(d->eng, i, &st) == 0 &&
		    st.standby_id == (uint32_t)standby)
			return st.datapath_id == (uint32_t)vf && st.vf_id == (uint32_t)vf;
	return false;
}

/*
 * After the first dump, pinned pairs from an earlier run must match what the
 * engine decided: a standby no longer managed loses its datapath, and a pair
 * still steered to a VF the engine does not use goes back to the standby.
 * Pairs the engine uses as they are were never touched: adoption does not
 * move traffic.
 */
static int fix_adopted_pair(int standby, int vf, bool to_vf, void *arg)
{
	struct daemon *d = arg;

	if (sfo_engine_adapter_role(d->eng, (uint32_t)standby) != SFO_ROLE_STANDBY) {
		dlog(SFO_LOG_INFO, "if%d: removing the datapath of a standby no longer managed",
		     standby);
		sfo_dp_standby_detach(d->dp, standby);
	} else if (to_vf && !engine_uses(d, standby, vf)) {
		dlog(SFO_LOG_INFO, "if%d: adopted steering to if%d not in use, back to the standby",
		     standby, vf);
		sfo_dp_steer(d->dp, standby, false);
	}
	return 0;
}

/*
 * Before the first dump, what an earlier run kept in the pinned pairs: VFs
 * it released stay released, and the pairs' merged counters go on from its
 * VF tallies.
 */
static int restore_pair_state(int standby, int vf, bool to_vf, void *arg)
{
	struct daemon *d = arg;
	int released = sfo_dp_released_vf(d->dp, standby);
	struct sfo_vf_tally t;
	int tally_vf;

	if (released > 0) {
		dlog(SFO_LOG_INFO, "if%d: if%d was released before the restart: kept unused",
		     standby, released);
		if (sfo_engine_restore_release(d->eng, (uint32_t)released) < 0)
			return -ENOMEM;
	}
	/* it served: the path through it is not probed again (no detour) */
	if (to_vf && vf > 0 && sfo_engine_restore_steering(d->eng, (uint32_t)vf) < 0)
		return -ENOMEM;
	if (sfo_dp_load_tally(d->dp, standby, &tally_vf, t.last, t.total, SFO_CTR_MAX) == 0) {
		t.vf_id = (uint32_t)tally_vf;
		if (sfo_engine_restore_tally(d->eng, (uint32_t)standby, &t) < 0)
			return -ENOMEM;
	}
	return 0;
}

/*
 * systemd mounts bpffs on /sys/fs/bpf; `ip netns exec` gives a fresh /sys
 * without it. Mount it where the pin root's parent lacks it (only in this
 * mount namespace: pins made there live as long as that mount).
 */
static int ensure_bpffs(const char *pin_root)
{
	char buf[4096];
	const char *parent;
	struct statfs st;
	int err;

	snprintf(buf, sizeof(buf), "%s", pin_root);
	parent = dirname(buf);
	if (statfs(parent, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", parent, "bpf", 0, "mode=0700") < 0) {
		err = errno;
		dlog(SFO_LOG_ERR, "%s: not on a bpf file system, and mounting one on %s failed: %s",
		     pin_root, parent, strerror(err));
		return -err;
	}
	dlog(SFO_LOG_INFO, "mounted bpffs on %s", parent);
	return 0;
}

static int start(struct daemon *d)
{
	struct sfo_dp_opts dpo = { .log = dp_log };
	sigset_t mask;
	int ret;

	d->running = true; /* arms the engine's ops */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->sigfd < 0 || d->timerfd < 0 || d->epfd < 0)
		return -errno;

	ret = ensure_bpffs(d->bpffs);
	if (ret == 0)
		ret = pin_lock(d); /* before anything under it is touched */
	if (ret < 0)
		return ret;
	ret = sfo_dp_open(d->bpffs, &dpo, &d->dp);
	if (ret < 0) {
		dlog(SFO_LOG_ERR, "cannot load the eBPF datapath at %s: %s%s", d->bpffs,
		     strerror(-ret),
		     ret == -ESTALE ? " (pins of another version: remove them)" : "");
		return ret;
	}
	dlog(SFO_LOG_INFO, "datapath %s at %s, close hook %s",
	     sfo_dp_adopted(d->dp) ? "adopted" : "loaded", d->bpffs,
	     sfo_dp_has_close_hook(d->dp) ? "on" : "unavailable");
	ret = netevents_open(d);
	if (ret < 0) {
		dlog(SFO_LOG_ERR, "cannot open rtnetlink: %s", strerror(-ret));
		return ret;
	}
	ret = sfo_announcer_open(&d->ann, announced, d);
	if (ret < 0) {
		dlog(SFO_LOG_ERR, "cannot open the announcement sockets: %s", strerror(-ret));
		return ret;
	}
	d->eng = sfo_engine_new(&sfo_linux_ops, d, d->cfg);
	if (!d->eng)
		return -ENOMEM;
	ret = control_open(d);
	if (ret < 0) {
		dlog(SFO_LOG_ERR, "cannot open the control socket %s: %s", d->socket_path,
		     strerror(-ret));
		return ret;
	}
	if ((ret = add_fd(d, sfo_rtnl_fd(d->rt))) < 0 || (ret = add_fd(d, d->resync_fd)) < 0 ||
	    (ret = add_fd(d, d->timerfd)) < 0 || (ret = add_fd(d, d->sigfd)) < 0 ||
	    (ret = add_fd(d, d->ctl_fd)) < 0 || (ret = add_fd(d, sfo_announcer_fd(d->ann))) < 0)
		return ret;
	ret = sfo_dp_for_each_pair(d->dp, restore_pair_state, d);
	if (ret < 0)
		return ret;
	networkd_probe(d);
	ret = netevents_resync(d);
	if (ret < 0)
		return ret;
	networkd_remove_stale(d);
	sfo_engine_restore_done(d->eng);
	sfo_dp_for_each_pair(d->dp, fix_adopted_pair, d);
	dlog(SFO_LOG_INFO, "ready: %zu standby(s), control socket %s",
	     sfo_engine_pair_count(d->eng), d->socket_path);
	return 0;
}

/* SIGHUP: a new configuration, or the old one kept with the reason. */
static void reload(struct daemon *d)
{
	struct sfo_config *old = d->cfg;

	d->cfg = NULL;
	if (load_config(d) < 0) {
		sfo_config_free(d->cfg);
		d->cfg = old;
		dlog(SFO_LOG_ERR, "configuration not reloaded, the previous one stays in force");
		return;
	}
	sfo_engine_set_config(d->eng, d->cfg);
	sfo_config_free(old);
	sched_apply(d->cfg);
	dlog(SFO_LOG_INFO, "configuration reloaded from %s", d->config_path);
}

/* systemd (Type=notify); without NOTIFY_SOCKET these do nothing. */
static void notify_ready(struct daemon *d)
{
	sd_notifyf(0, "READY=1\nSTATUS=%zu standby(s), control socket %s",
		   sfo_engine_pair_count(d->eng), d->socket_path);
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			sd_notify(0, "RELOADING=1");
			reload(d);
			notify_ready(d);
			continue;
		}
		dlog(SFO_LOG_INFO, "signal %u: exiting%s", si.ssi_signo,
		     d->release_on_exit ? ", giving everything back" : ", datapath left in place");
		d->running = false;
	}
}

static void loop(struct daemon *d)
{
	struct epoll_event ev[16];
	uint64_t expirations;

	while (d->running) {
		int n = epoll_wait(d->epfd, ev, 16, control_timeout_ms(d));
		int nlfd = sfo_rtnl_fd(d->rt);

		if (n < 0 && errno != EINTR) {
			dlog(SFO_LOG_ERR, "epoll_wait: %s", strerror(errno));
			return;
		}
		/* Answers to path probes first: a VF whose answer is in serves
		 * now, before events or the timer (each may send another probe
		 * when one is due) are handled. */
		for (int i = 0; i < n; i++)
			if (pathprobe_receive(d, ev[i].data.fd))
				ev[i].data.fd = -1;
		/* then the network: a control client never delays a failover */
		for (int i = 0; i < n; i++)
			if (ev[i].data.fd == nlfd)
				netevents_receive(d);
			else if (ev[i].data.fd == d->resync_fd)
				netevents_retry(d);
		for (int i = 0; i < n; i++) {
			int fd = ev[i].data.fd;

			if (fd < 0) {
				continue;
			} else if (fd == d->timerfd) {
				if (read(d->timerfd, &expirations, sizeof(expirations)) > 0)
					sfo_engine_timer_expired(d->eng);
			} else if (fd == d->sigfd) {
				on_signal(d);
			} else if (fd == sfo_announcer_fd(d->ann)) {
				sfo_announcer_run(d->ann);
			} else if (fd != nlfd && fd != d->resync_fd && control_owns(d, fd)) {
				control_event(d, fd, ev[i].events);
			}
		}
		control_expire(d);
		sched_check(); /* a SIGXCPU in this round */
	}
}

static void stop(struct daemon *d)
{
	struct sfo_dp_opts dpo = { .log = dp_log };

	/* With --release-on-exit the engine's ops undo everything; without,
	 * they are disarmed and the datapath stays pinned and working. */
	d->releasing = d->release_on_exit;
	sfo_engine_free(d->eng);
	d->eng = NULL;
	pathprobe_close_all(d); /* the engine stopped them, unless disarmed */
	if (d->ann) {
		/* the announcements of the last switches (back to the standbys) */
		sfo_announcer_flush(d->ann, 1000);
		sfo_announcer_close(d->ann);
	}
	control_close(d);
	if (d->rt)
		sfo_rtnl_close(d->rt);
	sfo_dp_close(d->dp);
	if (d->release_on_exit && d->dp)
		sfo_dp_purge(d->bpffs, &dpo);
	for (size_t i = 0; i < d->n_held; i++)
		sfo_mcast_tracker_free(d->held[i].mcast);
	free(d->held);
	sfo_config_free(d->cfg);
	free(d->interfaces);
	pin_unlock(d); /* last: the pins are left as this daemon meant them */
}

int main(int argc, char **argv)
{
	struct daemon d = {
		.config_path = SFO_DEFAULT_CONFIG,
		.socket_path = SFO_CTL_DEFAULT_SOCKET,
		.bpffs = SFO_DP_PIN_ROOT_DEFAULT,
		.epfd = -1,
		.timerfd = -1,
		.resync_fd = -1,
		.sigfd = -1,
		.ctl_fd = -1,
		.pin_fd = -1,
	};
	bool check_only = false;
	int ret;

	ret = parse_options(&d, argc, argv, &check_only);
	if (ret)
		return ret;
	if (load_config(&d) < 0)
		return 2;
	if (check_only) {
		printf("%s: ok\n", d.config_explicit || !access(d.config_path, F_OK)
					   ? d.config_path
					   : "built-in defaults");
		sfo_config_free(d.cfg);
		free(d.interfaces);
		return 0;
	}
	dlog_init(d.verbose);
	d.start_ns = mono_ns();
	ret = start(&d);
	if (ret == 0) {
		/* real-time for the loop only: start-up (BPF verifier, first
		 * dump) may take long without sleeping */
		sched_apply(d.cfg);
		/* after the first dump: every VF present is held and isolated, so
		 * network managers ordered after us find them taken */
		notify_ready(&d);
		loop(&d);
	}
	sd_notify(0, "STOPPING=1");
	stop(&d);
	return ret < 0 ? 1 : 0;
}
