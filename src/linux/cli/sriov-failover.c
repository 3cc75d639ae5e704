// SPDX-License-Identifier: BSD-2-Clause
/*
 * sriov-failover: the command line of sriov-failoverd. It sends one request
 * over the daemon's control socket and prints the answer; the daemon does
 * the rendering (text, JSON or indented JSON), so the CLI and the daemon
 * never disagree on a format.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control_proto.h"

enum exit_code { EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_NO_DAEMON };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: sriov-failover [-s SOCKET] [-j] COMMAND [ARGS]\n"
		"Query and steer sriov-failoverd.\n\n"
		"Commands:\n"
		"  status [IFNAME]   pairs: state, datapath, VF, counters, switches\n"
		"  adapters          every interface the daemon sees, its role and why\n"
		"  events [-n N]     recent state transitions with their reasons\n"
		"  release IFNAME    move traffic off the VF before the host unplugs it\n"
		"  resume IFNAME     let a released VF carry traffic again\n\n"
		"Options:\n"
		"  -s, --socket PATH  control socket (default " SFO_CTL_DEFAULT_SOCKET ")\n"
		"  -j, --json         machine-readable output\n"
		"  -p, --pretty       indented JSON (implies --json)\n"
		"      --version      print the version\n"
		"  -h, --help         this text\n\n"
		"Exit status: 0 ok, 1 refused by the daemon, 2 usage, 3 daemon not running.\n");
}

/* Build the request line from the command words; checks arity. */
static int build_request(int argc, char **argv, const char *format, char *req, size_t len)
{
	const char *cmd = argv[0];
	int n = 0;

	/* the request is words separated by spaces: each argument must be one */
	for (int i = 1; i < argc; i++) {
		if (!argv[i][0] || strpbrk(argv[i], " \t\r\n")) {
			fprintf(stderr, "sriov-failover: %s: argument '%s' is not one word\n", cmd,
				argv[i]);
			return -1;
		}
	}
	if (strcmp(cmd, "status") == 0 && argc <= 2) {
		n = snprintf(req, len, "status%s%s%s", format, argc == 2 ? " " : "",
			     argc == 2 ? argv[1] : "");
	} else if (strcmp(cmd, "adapters") == 0 && argc == 1) {
		n = snprintf(req, len, "adapters%s", format);
	} else if (strcmp(cmd, "events") == 0 &&
		   (argc == 1 || (argc == 3 && !strcmp(argv[1], "-n")))) {
		n = snprintf(req, len, "events%s %s", format, argc == 3 ? argv[2] : "");
	} else if ((strcmp(cmd, "release") == 0 || strcmp(cmd, "resume") == 0) && argc == 2) {
		n = snprintf(req, len, "%s%s %s", cmd, format, argv[1]);
	} else {
		fprintf(stderr, "sriov-failover: unknown command or wrong arguments: '%s'\n", cmd);
		usage(stderr);
		return -1;
	}
	if (n < 0 || (size_t)n > SFO_CTL_MAX_REQUEST) {
		fprintf(stderr,
			"sriov-failover: arguments too long (a request is %d bytes at most)\n",
			SFO_CTL_MAX_REQUEST);
		return -1;
	}
	strcat(req, "\n");
	return 0;
}

/* Read the whole answer; NULL if none came. */
static char *read_answer(int fd, size_t *got)
{
	char buf[16384], *answer = NULL;
	ssize_t n;

	*got = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		char *more = realloc(answer, *got + (size_t)n + 1);

		if (!more) {
			free(answer);
			fprintf(stderr, "sriov-failover: out of memory\n");
			exit(EXIT_REFUSED);
		}
		answer = more;
		memcpy(answer + *got, buf, (size_t)n);
		*got += (size_t)n;
		answer[*got] = 0;
	}
	return answer;
}

static int talk(const char *path, const char *req)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *answer, *body, *end;
	size_t got, len;
	int fd, send_err = 0;
	long code;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "sriov-failover: socket path too long: %s\n", path);
		return EXIT_USAGE;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EACCES)
			fprintf(stderr,
				"sriov-failover: cannot reach sriov-failoverd at %s: %s (the "
				"control socket is root's only)\n",
				path, strerror(errno));
		else
			fprintf(stderr, "sriov-failover: sriov-failoverd is not running (%s: %s)\n",
				path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_NO_DAEMON;
	}
	/* no SIGPIPE: a daemon that closed early may still have answered why */
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
		send_err = errno;
	answer = read_answer(fd, &got);
	close(fd);
	/* first line: the exit status; then the body, to stdout or stderr */
	body = answer ? memchr(answer, '\n', got) : NULL;
	code = body ? strtol(answer, &end, 10) : -1;
	if (!body || end != body || end == answer || code < 0 || code > EXIT_USAGE) {
		free(answer);
		if (send_err)
			fprintf(stderr, "sriov-failover: cannot send to %s: %s\n", path,
				strerror(send_err));
		else
			fprintf(stderr, "sriov-failover: no answer from sriov-failoverd at %s\n",
				path);
		return EXIT_NO_DAEMON;
	}
	body++;
	len = got - (size_t)(body - answer);
	fwrite(body, 1, len, code ? stderr : stdout);
	free(answer);
	return (int)code;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' }, { "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },	    { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },	    { NULL, 0, NULL, 0 },
	};
	const char *path = getenv("SRIOV_FAILOVER_SOCKET");
	bool json = false, pretty = false;
	char req[SFO_CTL_MAX_REQUEST + 2];
	int c;

	if (!path)
		path = SFO_CTL_DEFAULT_SOCKET;
	/* '+': stop at the command, so "events -n 5" keeps its -n */
	while ((c = getopt_long(argc, argv, "+s:jph", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'p':
			pretty = true;
			break;
		case 'V':
			printf("sriov-failover %s\n", SFO_VERSION);
			return EXIT_OK;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	/* output options are also taken after the command ("status --json") */
	c = optind;
	for (int i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty"))
			pretty = true;
		else
			argv[c++] = argv[i];
	}
	argc = c;
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (build_request(argc - optind, argv + optind,
			  pretty ? " --pretty"
			  : json ? " --json"
				 : "",
			  req, sizeof(req)) < 0)
		return EXIT_USAGE;
	return talk(path, req);
}
