// SPDX-License-Identifier: BSD-2-Clause
/*
 * The control socket: a root-only unix stream socket. A client sends one
 * line of at most SFO_CTL_MAX_REQUEST bytes ("status --json eth0", "release
 * eth0", ...); the daemon answers with a line holding the exit status for
 * the CLI, then the body, and closes once the request is read and the answer
 * sent, so a client is never cut off before it has written. Once the answer
 * is sent the daemon shuts its side down and reads (and drops) whatever the
 * client still sends, until its EOF or CTL_IDLE_MS: closing with bytes
 * unread would make the kernel reset the connection, and a client could
 * lose an answer it had not read yet (the refusal of a too long request).
 *
 * Clients never block the event loop, which must react to the network
 * first: every client socket is non-blocking with its own state (request
 * read so far, answer left to send); at most CTL_MAX_CLIENTS are connected,
 * a new one pushing out the one idle longest; one that makes no progress
 * (sends nothing, reads nothing) for CTL_IDLE_MS is closed.
 *
 * One daemon per socket: "<socket>.lock" is locked (flock) for the daemon's
 * life and holds its pid. Its holder owns the socket: a socket left by a
 * dead daemon is replaced, a live daemon's is never touched.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control_proto.h"
#include "daemon.h"
#include "json_print.h"

#define CTL_MAX_CLIENTS 16
#define CTL_IDLE_MS	2000
#define CTL_BACKLOG	64
#define QUOTED_MAX	64 /* bytes of a client's word repeated in an error */

struct client {
	int fd; /* -1: free slot */
	bool root;
	uint32_t events;  /* epoll interest */
	uint64_t last_ns; /* last progress: accepted, bytes received or sent */
	size_t in_len;
	char in[SFO_CTL_MAX_REQUEST + 1]; /* the request and its newline */
	char *out;			  /* the answer, once the request is read */
	size_t out_len, out_off;
};

struct control {
	int lock_fd;
	char lock_path[PATH_MAX];
	bool bound; /* we made the socket at socket_path, this one: */
	dev_t sock_dev;
	ino_t sock_ino;
	struct client clients[CTL_MAX_CLIENTS];
};

/* ---------------------------------------------------------------- one daemon per socket */

/* The pid in a lock file, or "unknown". */
static const char *holder_pid(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);
	size_t digits;

	buf[n > 0 ? n : 0] = 0;
	digits = strspn(buf, "0123456789");
	if (!digits || (buf[digits] && buf[digits] != '\n'))
		return "unknown";
	buf[digits] = 0;
	return buf;
}

static int lock_socket(struct control *c, const char *sock)
{
	struct stat held, named;
	char pid[32];
	int fd;

	if ((size_t)snprintf(c->lock_path, sizeof(c->lock_path), "%s.lock", sock) >=
	    sizeof(c->lock_path))
		return -ENAMETOOLONG;
	for (int tries = 0; tries < 10; tries++) {
		fd = open(c->lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			int err = errno;

			if (err == EWOULDBLOCK)
				dlog(SFO_LOG_ERR,
				     "sriov-failoverd pid %s is running with the control socket %s "
				     "(it holds %s): not starting a second daemon",
				     holder_pid(fd, pid, sizeof(pid)), sock, c->lock_path);
			close(fd);
			return err == EWOULDBLOCK ? -EADDRINUSE : -err;
		}
		/* a daemon removes its lock file on exit: ours must still be the named one */
		if (fstat(fd, &held) == 0 && stat(c->lock_path, &named) == 0 &&
		    held.st_dev == named.st_dev && held.st_ino == named.st_ino) {
			if (ftruncate(fd, 0) < 0 || dprintf(fd, "%d\n", (int)getpid()) < 0)
				dlog(SFO_LOG_WARN, "cannot write the pid into %s: %s", c->lock_path,
				     strerror(errno));
			c->lock_fd = fd;
			return 0;
		}
		close(fd);
	}
	return -EAGAIN;
}

/*
 * With the lock held, a socket at the path is a dead daemon's: removed. But
 * only if nothing answers on it (a daemon of a version without the lock
 * would), and never a file that is not a socket.
 */
static int clear_stale_socket(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, ret;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		dlog(SFO_LOG_ERR, "%s exists and is not a socket: not replacing it", sa->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ? 0 : -errno;
	close(fd);
	if (ret == 0 || ret == -EAGAIN) { /* EAGAIN: its backlog is full, it lives */
		dlog(SFO_LOG_ERR,
		     "a server answers on %s though nobody holds its lock: not "
		     "replacing it",
		     sa->sun_path);
		return -EADDRINUSE;
	}
	if (ret != -ECONNREFUSED && ret != -ENOENT)
		return ret;
	dlog(SFO_LOG_INFO, "replacing the socket %s of a daemon that is gone", sa->sun_path);
	return unlink(sa->sun_path) < 0 && errno != ENOENT ? -errno : 0;
}

int control_open(struct daemon *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];
	struct control *c;
	struct stat st;
	int fd, ret;

	if (strlen(d->socket_path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->socket_path);
	snprintf(dir, sizeof(dir), "%s", d->socket_path);
	if (mkdir(dirname(dir), 0700) < 0 && errno != EEXIST)
		return -errno;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->lock_fd = -1;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		c->clients[i].fd = -1;
	d->ctl = c;
	ret = lock_socket(c, d->socket_path);
	if (ret < 0)
		return ret;
	ret = clear_stale_socket(&sa);
	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (stat(d->socket_path, &st) == 0) {
		c->bound = true;
		c->sock_dev = st.st_dev;
		c->sock_ino = st.st_ino;
	}
	d->ctl_fd = fd;
	if (chmod(d->socket_path, 0600) < 0 || listen(fd, CTL_BACKLOG) < 0)
		return -errno;
	return 0;
}

/* ---------------------------------------------------------------- clients */

static void set_interest(struct daemon *d, struct client *cl, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = cl->fd };

	if (cl->events == events)
		return;
	if (epoll_ctl(d->epfd, cl->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, cl->fd, &ev) < 0)
		dlog(SFO_LOG_WARN, "control: epoll_ctl: %s", strerror(errno));
	cl->events = events;
}

static void client_close(struct client *cl)
{
	close(cl->fd); /* also leaves the epoll set */
	free(cl->out);
	*cl = (struct client){ .fd = -1 };
}

/* Close, telling a client that has had no answer why (best effort). */
static void client_drop(struct client *cl, const char *why)
{
	if (!cl->out && send(cl->fd, why, strlen(why), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		dlog(SFO_LOG_DEBUG, "control: cannot tell a client why it is dropped: %s",
		     strerror(errno));
	client_close(cl);
}

static struct client *client_of(const struct daemon *d, int fd)
{
	struct control *c = d->ctl;

	for (int i = 0; c && i < CTL_MAX_CLIENTS; i++)
		if (c->clients[i].fd == fd && fd >= 0)
			return &c->clients[i];
	return NULL;
}

/* A free slot; when there is none, the client idle longest makes room. */
static struct client *client_slot(struct control *c)
{
	struct client *oldest = &c->clients[0];

	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (c->clients[i].fd < 0)
			return &c->clients[i];
		if (c->clients[i].last_ns < oldest->last_ns)
			oldest = &c->clients[i];
	}
	dlog(SFO_LOG_DEBUG, "control: %d clients connected, dropping the one idle longest",
	     CTL_MAX_CLIENTS);
	client_drop(oldest, "1\ndisconnected: too many clients of the control socket\n");
	return oldest;
}

static void accept_clients(struct daemon *d)
{
	/* at most a table's worth per wake-up: netlink events go first again */
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ucred cred;
		socklen_t clen = sizeof(cred);
		struct client *cl;
		int fd = accept4(d->ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				dlog(SFO_LOG_WARN, "control: accept: %s", strerror(errno));
			return;
		}
		cl = client_slot(d->ctl);
		cl->fd = fd;
		cl->root =
			getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 && cred.uid == 0;
		cl->last_ns = mono_ns();
		set_interest(d, cl, EPOLLIN);
	}
}

/* @s for an error message: printable ASCII as it is, other bytes as \xNN, shortened. */
static const char *quoted(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; s[i] && o + 8 < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (i == QUOTED_MAX) {
			o += (size_t)snprintf(buf + o, len - o, "...");
			break;
		}
		if (ch > 0x20 && ch < 0x7f && ch != '\\' && ch != '\'')
			buf[o++] = (char)ch;
		else
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", ch);
	}
	buf[o] = 0;
	return buf;
}

#define QUOTED_BUF (QUOTED_MAX * 4 + 16)

static int resolve(const char *name)
{
	unsigned int idx = if_nametoindex(name);

	return idx ? (int)idx : -ENODEV;
}

/* "events N": N must be a whole positive number. */
static int events_count(const char *s, size_t *max)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || v == 0)
		return -EINVAL;
	*max = errno == ERANGE || v > SIZE_MAX ? SIZE_MAX : (size_t)v;
	return 0;
}

static int release_or_resume(struct daemon *d, const char *cmd, const char *ifname,
			     struct printer *pr, FILE *err)
{
	char q[QUOTED_BUF];
	int ifindex = resolve(ifname), ret;

	if (ifindex < 0) {
		fprintf(err, "%s: no such interface\n", quoted(ifname, q, sizeof(q)));
		return 1;
	}
	ret = strcmp(cmd, "release") == 0 ? sfo_engine_release(d->eng, (uint32_t)ifindex)
					  : sfo_engine_resume(d->eng, (uint32_t)ifindex);
	if (ret < 0) {
		fprintf(err, "%s: not a managed standby or the VF of one\n",
			quoted(ifname, q, sizeof(q)));
		return 1;
	}
	dlog(SFO_LOG_INFO, "%s: %s requested over the control socket", ifname, cmd);
	print_obj_open(pr, NULL);
	print_text(pr, "%s: %sd\n", ifname, cmd);
	print_obj_close(pr);
	return 0;
}

/* Run one request; returns the CLI's exit status (0 ok, 1 refused, 2 usage). */
static int dispatch(struct daemon *d, int argc, char **argv, FILE *out, FILE *err)
{
	enum print_mode mode = PRINT_MODE_TEXT;
	const char *cmd = argv[0];
	char *args[SFO_CTL_MAX_WORDS], q[QUOTED_BUF];
	struct printer pr;
	size_t max;
	int n = 0, code = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 && mode == PRINT_MODE_TEXT)
			mode = PRINT_MODE_JSON;
		else if (strcmp(argv[i], "--pretty") == 0)
			mode = PRINT_MODE_JSON_PRETTY;
		else if (strcmp(argv[i], "--json") != 0)
			args[n++] = argv[i];
	}
	print_begin(&pr, out, mode);
	if (strcmp(cmd, "status") == 0) {
		if (n > 1) {
			fprintf(err, "status: one interface at most\n");
			return 2;
		}
		if (!render_status(d, &pr, n ? args[0] : NULL)) {
			fprintf(err, "%s: not a managed standby or the VF of one\n",
				quoted(args[0], q, sizeof(q)));
			return 1;
		}
	} else if (strcmp(cmd, "adapters") == 0) {
		if (n) {
			fprintf(err, "adapters: takes no argument\n");
			return 2;
		}
		render_adapters(d, &pr);
	} else if (strcmp(cmd, "events") == 0) {
		max = SFO_EVENT_RING_SIZE;
		if (n > 1) {
			fprintf(err, "events: one count at most\n");
			return 2;
		}
		if (n == 1 && events_count(args[0], &max) < 0) {
			fprintf(err,
				"events: the count must be a positive whole number, got '%s'\n",
				quoted(args[0], q, sizeof(q)));
			return 2;
		}
		render_events(d, &pr, max);
	} else if (strcmp(cmd, "release") == 0 || strcmp(cmd, "resume") == 0) {
		if (n != 1) {
			fprintf(err, "%s: one interface name needed\n", cmd);
			return 2;
		}
		code = release_or_resume(d, cmd, args[0], &pr, err);
		if (code)
			return code;
	} else {
		fprintf(err, "unknown request '%s'\n", quoted(cmd, q, sizeof(q)));
		return 2;
	}
	if (print_end(&pr) < 0) {
		fprintf(err, "out of memory\n");
		return 1;
	}
	return 0;
}

/* Parse the request line (NUL-terminated, newline removed) and run it. */
static int run_request(struct daemon *d, char *line, size_t len, FILE *out, FILE *err)
{
	char *argv[SFO_CTL_MAX_WORDS], *save = NULL;
	int argc = 0;

	if (memchr(line, 0, len)) {
		fprintf(err, "request holds a NUL byte: refused\n");
		return 2;
	}
	for (char *tok = strtok_r(line, " \t\r", &save); tok;
	     tok = strtok_r(NULL, " \t\r", &save)) {
		if (argc == SFO_CTL_MAX_WORDS) {
			fprintf(err, "request of more than %d words: refused\n", SFO_CTL_MAX_WORDS);
			return 2;
		}
		argv[argc++] = tok;
	}
	if (!argc) {
		fprintf(err, "empty request\n");
		return 2;
	}
	return dispatch(d, argc, argv, out, err);
}

/* The request is read (@len bytes, or too long if @too_long): make the answer. */
static int make_answer(struct daemon *d, struct client *cl, size_t len, bool too_long)
{
	char *body = NULL, *ebody = NULL;
	size_t blen = 0, elen = 0, mlen;
	FILE *out = open_memstream(&body, &blen), *err = open_memstream(&ebody, &elen);
	const char *msg;
	int code;

	if (!out || !err) {
		code = -ENOMEM;
		goto done;
	}
	cl->in[len] = 0;
	if (!cl->root) {
		fprintf(err, "only root may use the control socket\n");
		code = 1;
	} else if (too_long) {
		fprintf(err, "request longer than %d bytes: refused\n", SFO_CTL_MAX_REQUEST);
		code = 2;
	} else {
		code = run_request(d, cl->in, len, out, err);
	}
	if (fflush(out) != 0 || fflush(err) != 0) {
		code = -ENOMEM;
		goto done;
	}
	msg = code ? ebody : body;
	mlen = code ? elen : blen;
	cl->out = malloc(mlen + 16);
	if (!cl->out) {
		code = -ENOMEM;
		goto done;
	}
	cl->out_len = (size_t)snprintf(cl->out, 16, "%d\n", code);
	memcpy(cl->out + cl->out_len, msg, mlen);
	cl->out_len += mlen;
done:
	if (out)
		fclose(out);
	if (err)
		fclose(err);
	free(body);
	free(ebody);
	return code < 0 ? code : 0;
}

static bool answered(const struct client *cl)
{
	return cl->out && cl->out_off == cl->out_len;
}

/* Answered: drop what the client still sends; close at its EOF. */
static void client_drain(struct client *cl)
{
	char scratch[4096];
	ssize_t n;

	/* no progress counted: a client that keeps sending goes at CTL_IDLE_MS */
	while ((n = recv(cl->fd, scratch, sizeof(scratch), MSG_DONTWAIT)) > 0)
		;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	client_close(cl);
}

/* Send what the socket takes; once all is sent, end our side and drain. */
static void client_write(struct daemon *d, struct client *cl)
{
	while (cl->out_off < cl->out_len) {
		ssize_t n = send(cl->fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			set_interest(d, cl, EPOLLOUT);
			return;
		}
		if (n <= 0) {
			client_close(cl);
			return;
		}
		cl->out_off += (size_t)n;
		cl->last_ns = mono_ns();
	}
	if (shutdown(cl->fd, SHUT_WR) < 0) {
		client_close(cl);
		return;
	}
	set_interest(d, cl, EPOLLIN);
	client_drain(cl);
}

static void client_read(struct daemon *d, struct client *cl)
{
	ssize_t n = recv(cl->fd, cl->in + cl->in_len, sizeof(cl->in) - cl->in_len, MSG_DONTWAIT);
	char *nl;
	bool too_long = false;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0 || (n == 0 && !cl->in_len)) {
		client_close(cl);
		return;
	}
	cl->last_ns = mono_ns();
	cl->in_len += (size_t)n;
	nl = memchr(cl->in, '\n', cl->in_len);
	if (nl) {
		cl->in_len = (size_t)(nl - cl->in);
	} else if (cl->in_len == sizeof(cl->in)) {
		too_long = true;
		cl->in_len = 0;
	} else if (n) {
		return; /* more to come; at EOF what came is the request */
	}
	if (make_answer(d, cl, cl->in_len, too_long) < 0) {
		dlog(SFO_LOG_ERR, "control: out of memory for an answer");
		client_close(cl);
		return;
	}
	client_write(d, cl);
}

bool control_owns(const struct daemon *d, int fd)
{
	return fd == d->ctl_fd || client_of(d, fd);
}

void control_event(struct daemon *d, int fd, uint32_t events)
{
	struct client *cl;

	if (fd == d->ctl_fd) {
		accept_clients(d);
		return;
	}
	cl = client_of(d, fd);
	if (!cl)
		return;
	if (!cl->out && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		client_read(d, cl);
	else if (answered(cl) && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		client_drain(cl);
	else if (cl->out && (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
		client_write(d, cl);
}

int control_timeout_ms(const struct daemon *d)
{
	uint64_t now = mono_ns(), first = UINT64_MAX;
	const struct control *c = d->ctl;

	for (int i = 0; c && i < CTL_MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0 && c->clients[i].last_ns < first)
			first = c->clients[i].last_ns;
	if (first == UINT64_MAX)
		return -1;
	if (now - first >= CTL_IDLE_MS * 1000000ull)
		return 0;
	return (int)((first + CTL_IDLE_MS * 1000000ull - now + 999999) / 1000000);
}

void control_expire(struct daemon *d)
{
	uint64_t now = mono_ns();
	struct control *c = d->ctl;

	for (int i = 0; c && i < CTL_MAX_CLIENTS; i++) {
		struct client *cl = &c->clients[i];

		if (cl->fd < 0 || now - cl->last_ns < CTL_IDLE_MS * 1000000ull)
			continue;
		dlog(SFO_LOG_DEBUG, "control: client idle for %d ms: disconnected", CTL_IDLE_MS);
		client_drop(cl, "1\ndisconnected: no complete request in time\n");
	}
}

void control_close(struct daemon *d)
{
	struct control *c = d->ctl;
	struct stat st;

	if (!c)
		return;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0)
			client_close(&c->clients[i]);
	if (d->ctl_fd >= 0)
		close(d->ctl_fd);
	d->ctl_fd = -1;
	/* only the socket we made, never one that took its place */
	if (c->bound && stat(d->socket_path, &st) == 0 && st.st_dev == c->sock_dev &&
	    st.st_ino == c->sock_ino)
		unlink(d->socket_path);
	if (c->lock_fd >= 0) {
		unlink(c->lock_path); /* still locked: a newcomer checks it locked the named file */
		close(c->lock_fd);
	}
	free(c);
	d->ctl = NULL;
}
