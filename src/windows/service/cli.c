// SPDX-License-Identifier: BSD-2-Clause
/*
 * sriov-failover.exe's commands: each asks sriovfo.sys's control device
 * (transport.h) for the engine's reports and prints them with the Linux
 * daemon's renderer (src/common/report.c), so the text and the JSON have
 * the Linux CLI's shape. What differs: status has a "driver" object where
 * Linux has "daemon", and no "datapath_counters" (the Linux datapath's).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "query.h"
#include "report.h"
#include "sriovfo_control.h"
#include "transport.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sriov-failover [-j|-p] COMMAND [ARGS]\n"
		"Query and steer sriovfo.sys, the SR-IOV failover driver.\n\n"
		"Commands:\n"
		"  status [NAME]     pairs: state, datapath, VF, counters, switches\n"
		"  adapters          every adapter the driver sees, its role and why\n"
		"  events [-n N]     recent state transitions with their reasons\n"
		"  release NAME      move traffic off the VF before the host unplugs it\n"
		"  resume NAME       let a released VF carry traffic again\n"
		"  service           run as the Windows service (the service control\n"
		"                    manager starts it): keeps every other protocol off\n"
		"                    the VFs and the filter off other adapters\n\n"
		"Options:\n"
		"  -j, --json         machine-readable output\n"
		"  -p, --pretty       indented JSON (implies --json)\n"
		"      --version      print the version\n"
		"  -h, --help         this text\n\n"
		"NAME is an adapter's name as `adapters` shows it.\n"
		"Exit status: 0 ok, 1 refused by the driver, 2 usage, 3 driver not reachable.\n");
}

/* A refusal's message and exit status; @name is the adapter asked about, if any. */
static int fail(FILE *err, enum ctl_result r, unsigned long detail, const char *name)
{
	switch (r) {
	case CTL_NO_DRIVER:
		fprintf(err,
			"sriov-failover: cannot open %s: the driver sriovfo.sys is not loaded\n",
			SFO_CTL_DEVICE_PATH);
		return CLI_NO_DRIVER;
	case CTL_DENIED:
		fprintf(err,
			"sriov-failover: cannot open %s: access denied (the control device is for "
			"Administrators only: run from an elevated prompt)\n",
			SFO_CTL_DEVICE_PATH);
		return CLI_NO_DRIVER;
	case CTL_MISMATCH:
		fprintf(err,
			"sriov-failover: the driver speaks another control version than this "
			"program (%u): install the sriov-failover.exe of the same build\n",
			SFO_CTL_VERSION);
		return CLI_NO_DRIVER;
	case CTL_NOT_READY:
		fprintf(err, "sriov-failover: the driver has no failover engine running\n");
		return CLI_REFUSED;
	case CTL_NOT_FOUND:
		fprintf(err, "sriov-failover: %s: no such adapter\n", name ? name : "?");
		return CLI_REFUSED;
	case CTL_NOT_MANAGED:
		fprintf(err, "sriov-failover: %s: not a managed standby or the VF of one\n",
			name ? name : "?");
		return CLI_REFUSED;
	default:
		fprintf(err, "sriov-failover: the driver refused the request (error %lu)\n",
			detail);
		return CLI_REFUSED;
	}
}

static bool pair_named(const struct sfo_pair_status *p, const char *name)
{
	return !name || !strcmp(name, p->standby_name) || !strcmp(name, p->vf_name);
}

static int cmd_status(struct ctl *c, struct printer *pr, const char *only, FILE *err)
{
	struct sfo_ctl_pair *p;
	unsigned long detail;
	enum ctl_result r;
	size_t n, found = 0;

	r = ctl_read_all(c, SFO_IOCTL_PAIR, sizeof(*p), (void **)&p, &n, &detail);
	if (r != CTL_OK)
		return fail(err, r, detail, NULL);
	for (size_t i = 0; i < n; i++)
		found += pair_named(&p[i].pair, only);
	if (only && !found) {
		free(p);
		fprintf(err, "sriov-failover: %s: not a managed standby or the VF of one\n", only);
		return CLI_REFUSED;
	}
	print_obj_open(pr, NULL);
	print_obj_open(pr, "driver");
	print_str(pr, PRINT_JSON, "version", NULL, SFO_VERSION);
	print_u64(pr, PRINT_JSON, "control_version", NULL, SFO_CTL_VERSION);
	print_obj_close(pr);
	if (!n)
		print_text(pr, "no standby managed\n");
	print_arr_open(pr, "pairs");
	for (size_t i = 0; i < n; i++) {
		if (!pair_named(&p[i].pair, only))
			continue;
		report_pair_open(pr, &p[i].pair, p[i].now_ns);
		print_obj_close(pr);
	}
	print_arr_close(pr);
	print_obj_close(pr);
	free(p);
	return CLI_OK;
}

static int cmd_adapters(struct ctl *c, struct printer *pr, FILE *err)
{
	struct sfo_ctl_adapter *a;
	unsigned long detail;
	enum ctl_result r;
	size_t n;

	r = ctl_read_all(c, SFO_IOCTL_ADAPTER, sizeof(*a), (void **)&a, &n, &detail);
	if (r != CTL_OK)
		return fail(err, r, detail, NULL);
	report_adapters_head(pr);
	print_obj_open(pr, NULL);
	print_arr_open(pr, "adapters");
	for (size_t i = 0; i < n; i++)
		report_adapter(pr, &a[i].adapter);
	print_arr_close(pr);
	print_obj_close(pr);
	free(a);
	return CLI_OK;
}

static int cmd_events(struct ctl *c, struct printer *pr, size_t max, FILE *err)
{
	struct sfo_ctl_query q = { .version = SFO_CTL_VERSION };
	struct sfo_ctl_events *ev = malloc(sizeof(*ev));
	unsigned long detail;
	enum ctl_result r;
	size_t first;

	if (!ev) {
		fprintf(err, "sriov-failover: out of memory\n");
		return CLI_REFUSED;
	}
	r = ctl_call(c, SFO_IOCTL_EVENTS, &q, sizeof(q), ev, sizeof(*ev), &detail);
	if (r != CTL_OK || ev->count > SFO_EVENT_RING_SIZE) {
		free(ev);
		return fail(err, r, detail, NULL);
	}
	/* the most recent @max, oldest first */
	first = ev->count > max ? ev->count - max : 0;
	print_obj_open(pr, NULL);
	print_arr_open(pr, "events");
	for (size_t i = first; i < ev->count; i++)
		report_event(pr, &ev->ev[i], ev->now_ns);
	print_arr_close(pr);
	print_obj_close(pr);
	free(ev);
	return CLI_OK;
}

static int cmd_release_resume(struct ctl *c, struct printer *pr, bool release, const char *name,
			      FILE *err)
{
	struct sfo_ctl_target t = { .version = SFO_CTL_VERSION };
	unsigned long detail;
	enum ctl_result r;

	if (strlen(name) >= sizeof(t.name)) {
		fprintf(err, "sriov-failover: %s: adapter name longer than %d bytes\n", name,
			SFO_NAME_MAX - 1);
		return CLI_USAGE;
	}
	memcpy(t.name, name, strlen(name));
	r = ctl_call(c, release ? SFO_IOCTL_RELEASE : SFO_IOCTL_RESUME, &t, sizeof(t), NULL, 0,
		     &detail);
	if (r != CTL_OK)
		return fail(err, r, detail, name);
	print_obj_open(pr, NULL);
	print_text(pr, "%s: %s\n", name, release ? "released" : "resumed");
	print_obj_close(pr);
	return CLI_OK;
}

/* "events -n N": N a whole positive number. */
static bool parse_count(const char *s, size_t *max)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return false;
	v = strtoull(s, &end, 10);
	if (*end || !v)
		return false;
	*max = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
	return true;
}

/* Check the command's arguments; the words after the command in @args. */
static int check_args(const char *cmd, int n, char **args, size_t *max, FILE *err)
{
	if (!strcmp(cmd, "status") && n <= 1)
		return CLI_OK;
	if (!strcmp(cmd, "adapters") && n == 0)
		return CLI_OK;
	if (!strcmp(cmd, "events") && n == 0)
		return CLI_OK;
	if (!strcmp(cmd, "events") && n == 2 && !strcmp(args[0], "-n")) {
		if (parse_count(args[1], max))
			return CLI_OK;
		fprintf(err,
			"sriov-failover: events: the count must be a positive whole number, "
			"got '%s'\n",
			args[1]);
		return CLI_USAGE;
	}
	if ((!strcmp(cmd, "release") || !strcmp(cmd, "resume")) && n == 1)
		return CLI_OK;
	fprintf(err, "sriov-failover: unknown command or wrong arguments: '%s'\n", cmd);
	usage(err);
	return CLI_USAGE;
}

int sfo_cli_main(int argc, char **argv, FILE *out, FILE *err)
{
	enum print_mode mode = PRINT_MODE_TEXT;
	char **words = calloc((size_t)argc + 1, sizeof(*words));
	size_t max = SFO_EVENT_RING_SIZE;
	struct ctl *c = NULL;
	struct printer pr;
	unsigned long detail;
	enum ctl_result r;
	const char *cmd;
	int n = 0, code;
	bool write;

	if (!words) {
		fprintf(err, "sriov-failover: out of memory\n");
		return CLI_REFUSED;
	}
	/* options anywhere ("status -j" like "-j status"); the rest are the command's words */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			if (mode == PRINT_MODE_TEXT)
				mode = PRINT_MODE_JSON;
		} else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty")) {
			mode = PRINT_MODE_JSON_PRETTY;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(out);
			free(words);
			return CLI_OK;
		} else if (!strcmp(argv[i], "--version")) {
			fprintf(out, "sriov-failover %s (control version %u)\n", SFO_VERSION,
				SFO_CTL_VERSION);
			free(words);
			return CLI_OK;
		} else if (argv[i][0] == '-' && argv[i][1] && !(n && !strcmp(argv[i], "-n"))) {
			fprintf(err, "sriov-failover: unknown option '%s'\n", argv[i]);
			usage(err);
			free(words);
			return CLI_USAGE;
		} else {
			words[n++] = argv[i];
		}
	}
	if (!n) {
		usage(err);
		free(words);
		return CLI_USAGE;
	}
	cmd = words[0];
	code = check_args(cmd, n - 1, words + 1, &max, err);
	if (code != CLI_OK) {
		free(words);
		return code;
	}
	write = !strcmp(cmd, "release") || !strcmp(cmd, "resume");
	r = ctl_open(write, &c, &detail);
	if (r != CTL_OK) {
		free(words);
		return fail(err, r, detail, NULL);
	}
	print_begin(&pr, out, mode);
	if (!strcmp(cmd, "status"))
		code = cmd_status(c, &pr, n > 1 ? words[1] : NULL, err);
	else if (!strcmp(cmd, "adapters"))
		code = cmd_adapters(c, &pr, err);
	else if (!strcmp(cmd, "events"))
		code = cmd_events(c, &pr, max, err);
	else
		code = cmd_release_resume(c, &pr, !strcmp(cmd, "release"), words[1], err);
	ctl_close(c);
	free(words);
	if (code == CLI_OK && print_end(&pr) < 0) {
		fprintf(err, "sriov-failover: cannot write the output\n");
		code = CLI_REFUSED;
	}
	return code;
}
