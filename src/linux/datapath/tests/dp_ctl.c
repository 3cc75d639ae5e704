// SPDX-License-Identifier: BSD-2-Clause
/*
 * dp_ctl: a command line over the datapath API, for the integration test.
 * Every invocation opens the pinned datapath, does one thing and closes it,
 * so each command also exercises adoption by a new process.
 *
 *   dp_ctl [-r PIN_ROOT] [-n NETNS] [-H] [-v] COMMAND [ARG...]
 *     open                      load or adopt; prints adopted=, close_hook=
 *     attach STANDBY            detach STANDBY
 *     vf STANDBY VF             unvf STANDBY VF
 *     steer STANDBY vf|standby
 *     pair STANDBY              prints vf= and mode=
 *     pairs                     one line per pair
 *     stats STANDBY|0           one counter per line
 *     purge
 *
 * Devices are names or ifindexes (a VF that is gone has no name). -n enters
 * /run/netns/NETNS for the network namespace only: "ip netns exec" would
 * also remount /sys and hide the bpffs mounted on /sys/fs/bpf.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datapath.h"

static void log_stderr(void *arg, enum sfo_dp_log_level level, const char *msg)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };

	(void)arg;
	fprintf(stderr, "dp_ctl: %s: %s\n", names[level], msg);
}

static int enter_netns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET)) {
		close(fd);
		return -errno;
	}
	close(fd);
	return 0;
}

static int ifindex_of(const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg && !*end)
		return (int)v;
	v = if_nametoindex(arg);
	if (!v) {
		fprintf(stderr, "dp_ctl: %s: no such device\n", arg);
		exit(1);
	}
	return (int)v;
}

static int print_pair(int standby, int vf, bool to_vf, void *arg)
{
	(void)arg;
	printf("standby=%d vf=%d mode=%s\n", standby, vf, to_vf ? "vf" : "standby");
	return 0;
}

static int print_stats(struct sfo_dp *dp, int standby)
{
	struct sfo_dp_stats s;
	int err = sfo_dp_read_stats(dp, standby, &s);

	if (err)
		return err;
	printf("tx_vf_packets=%llu\n", (unsigned long long)s.tx_vf_packets);
	printf("tx_vf_bytes=%llu\n", (unsigned long long)s.tx_vf_bytes);
	printf("tx_standby_packets=%llu\n", (unsigned long long)s.tx_standby_packets);
	printf("tx_nodev=%llu\n", (unsigned long long)s.tx_nodev);
	printf("rx_vf_packets=%llu\n", (unsigned long long)s.rx_vf_packets);
	printf("rx_vf_bytes=%llu\n", (unsigned long long)s.rx_vf_bytes);
	printf("rx_dup_dropped=%llu\n", (unsigned long long)s.rx_dup_dropped);
	printf("rx_unpaired_dropped=%llu\n", (unsigned long long)s.rx_unpaired_dropped);
	printf("close_hook_flips=%llu\n", (unsigned long long)s.close_hook_flips);
	printf("vf_close_events=%llu\n", (unsigned long long)s.vf_close_events);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: dp_ctl [-r PIN_ROOT] [-n NETNS] [-H] [-v] "
			"open|attach|detach|vf|unvf|steer|mark|released|pair|pairs|stats|purge "
			"[ARG...]\n");
	return 2;
}

static int run(struct sfo_dp *dp, const char *cmd, int argc, char **argv)
{
	int vf = 0;
	bool to_vf;
	int err;

	if (!strcmp(cmd, "open")) {
		printf("adopted=%d close_hook=%d\n", sfo_dp_adopted(dp), sfo_dp_has_close_hook(dp));
		return 0;
	}
	if (!strcmp(cmd, "pairs"))
		return sfo_dp_for_each_pair(dp, print_pair, NULL);
	if (argc < 1)
		return -EINVAL;
	if (!strcmp(cmd, "attach"))
		return sfo_dp_standby_attach(dp, ifindex_of(argv[0]));
	if (!strcmp(cmd, "detach"))
		return sfo_dp_standby_detach(dp, ifindex_of(argv[0]));
	if (!strcmp(cmd, "stats"))
		return print_stats(dp, ifindex_of(argv[0]));
	if (!strcmp(cmd, "released")) {
		err = sfo_dp_released_vf(dp, ifindex_of(argv[0]));
		if (err >= 0)
			printf("released=%d\n", err);
		return err < 0 ? err : 0;
	}
	if (!strcmp(cmd, "pair")) {
		err = sfo_dp_get_pair(dp, ifindex_of(argv[0]), &vf, &to_vf);
		if (!err)
			printf("vf=%d mode=%s\n", vf, to_vf ? "vf" : "standby");
		return err;
	}
	if (argc < 2)
		return -EINVAL;
	if (!strcmp(cmd, "vf"))
		return sfo_dp_vf_attach(dp, ifindex_of(argv[0]), ifindex_of(argv[1]));
	if (!strcmp(cmd, "unvf"))
		return sfo_dp_vf_detach(dp, ifindex_of(argv[0]), ifindex_of(argv[1]));
	if (!strcmp(cmd, "mark") && argc >= 3) {
		if (strcmp(argv[2], "on") && strcmp(argv[2], "off"))
			return -EINVAL;
		return sfo_dp_mark_released(dp, ifindex_of(argv[0]), ifindex_of(argv[1]),
					    !strcmp(argv[2], "on"));
	}
	if (!strcmp(cmd, "steer")) {
		if (strcmp(argv[1], "vf") && strcmp(argv[1], "standby"))
			return -EINVAL;
		return sfo_dp_steer(dp, ifindex_of(argv[0]), !strcmp(argv[1], "vf"));
	}
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct sfo_dp_opts opts = { 0 };
	const char *pin_root = NULL, *netns = NULL, *cmd;
	struct sfo_dp *dp;
	int opt, err;

	while ((opt = getopt(argc, argv, "r:n:Hv")) != -1) {
		switch (opt) {
		case 'r':
			pin_root = optarg;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'H':
			opts.flags |= SFO_DP_OPEN_NO_CLOSE_HOOK;
			break;
		case 'v':
			opts.log = log_stderr;
			break;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	cmd = argv[optind++];
	if (netns) {
		err = enter_netns(netns);
		if (err) {
			fprintf(stderr, "dp_ctl: netns %s: %s\n", netns, strerror(-err));
			return 1;
		}
	}
	if (!strcmp(cmd, "purge")) {
		err = sfo_dp_purge(pin_root, &opts);
	} else {
		err = sfo_dp_open(pin_root, &opts, &dp);
		if (!err) {
			err = run(dp, cmd, argc - optind, argv + optind);
			sfo_dp_close(dp);
		}
	}
	if (err)
		fprintf(stderr, "dp_ctl: %s: %s\n", cmd, strerror(-err));
	return err ? 1 : 0;
}
