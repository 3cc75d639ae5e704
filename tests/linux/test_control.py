#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The control socket: clients that stay idle or never read their answer do not delay
a failover, the client table is bounded and idle clients time out; a second daemon on
the same socket refuses to start; requests are checked (length, count, bytes echoed);
a refused non-root client gets its answer; pretty JSON comes from the daemon."""

import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
from sfo_it import IntegrationTest
from sfolabkit.proc import wait_until

MAX_CLIENTS = 16     # CTL_MAX_CLIENTS in src/linux/daemon/control.c
IDLE_S = 2.0         # CTL_IDLE_MS
MAX_REQUEST = 512    # SFO_CTL_MAX_REQUEST in src/linux/control/control_proto.h
HANDLED_WITHIN = 1.0  # s from carrier loss to fallback (test_carrier waits as long)
NOBODY = 65534


def connect_all(path, n, timeout):
    """n connected clients that send nothing; fails if the daemon does not take them
    (a full listen backlog makes a non-blocking connect fail with EAGAIN)."""
    socks = []
    deadline = time.monotonic() + timeout
    while len(socks) < n:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(path)
            socks.append(s)
            continue
        except BlockingIOError:
            s.close()
        if time.monotonic() > deadline:
            for c in socks:
                c.close()
            raise AssertionError(f"only {len(socks)} of {n} clients connected in {timeout} s: "
                                 "the daemon does not take new clients while others are idle")
        time.sleep(0.005)
    return socks


def closed_by_peer(s):
    """Whether the daemon has written to or closed this idle client."""
    r, _, _ = select.select([s], [], [], 0)
    return bool(r)


def read_all(s, timeout):
    s.settimeout(timeout)
    data = b""
    while True:
        try:
            b = s.recv(65536)
        except ConnectionResetError:
            break
        if not b:
            break
        data += b
    return data


def raw_request(path, data, timeout=5.0):
    """Sends data as it is and returns the whole answer."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall(data)
        return read_all(s, timeout)
    finally:
        s.close()


class ControlTest(IntegrationTest):
    def wait_logged(self, d, text, timeout, since=0):
        """Seconds until text appears in the daemon's log after offset since."""
        t0 = time.monotonic()
        try:
            wait_until(lambda: text in d.log()[since:], timeout, 0.005, text)
        except TimeoutError:
            return None
        return time.monotonic() - t0

    def carrier_loss_handled(self, d, what):
        """VF carrier loss: the fallback must be logged within HANDLED_WITHIN."""
        mark = len(d.log())
        self.topo.vf_host_side_down("vf0")
        took = self.wait_logged(d, "sby: active -> fallback", HANDLED_WITHIN + 9, mark)
        self.assertIsNotNone(took, f"carrier loss never handled with {what}")
        self.note(f"carrier loss handled after {took * 1000:.0f} ms with {what}")
        self.assertLess(took, HANDLED_WITHIN, f"carrier loss handled {took:.1f} s late with "
                        f"{what}")

    def cli_within(self, d, timeout, *args):
        try:
            return d.cli(*args, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.fail(f"sriov-failover {' '.join(args)} not answered within {timeout} s")

    # ------------------------------------------------------------ clients never block the loop
    def test_idle_clients_do_not_delay_failover(self):
        d = self.active_vf_setup()
        n = MAX_CLIENTS - 4
        idle = connect_all(d.sock, n, 3.0)
        try:
            self.carrier_loss_handled(d, f"{n} idle clients")
            self.assertFalse(any(closed_by_peer(s) for s in idle),
                             "idle clients were dropped before the event: the test did not "
                             "test what it means to")
            r = self.cli_within(d, 3.0, "--json", "status")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(d.pair(status=json.loads(r.stdout))["state"], "fallback")
        finally:
            for s in idle:
                s.close()

    def test_unread_big_answers_do_not_delay_failover(self):
        """Clients that ask for an answer larger than the socket buffers and never read it."""
        t = self.topo
        n_links = 2000
        batch = "".join(f"link add sfoctl{i} type bridge\n" for i in range(n_links))
        r = subprocess.run(["ip", "-n", t.guest, "-batch", "-"], input=batch, text=True,
                           capture_output=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr[-500:])
        d = self.active_vf_setup()
        wait_until(lambda: len(d.adapters()) > n_links, 30.0, 0.2, "every dummy link seen")
        size = len(d.cli("--json", "adapters").stdout)
        self.note(f"adapters --json: {size} bytes")
        greedy = []
        try:
            for _ in range(4):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(d.sock)
                s.sendall(b"adapters --json\n")
                greedy.append(s)
            self.carrier_loss_handled(d, f"{len(greedy)} clients not reading {size} bytes")
            r = self.cli_within(d, 3.0, "--json", "status")
            self.assertEqual(r.returncode, 0, r.stderr)
        finally:
            for s in greedy:
                s.close()

    def test_status_answers_with_many_idle_clients(self):
        """More idle clients than the table holds: the newest push out the idle longest,
        which are told why; a new request is answered at once."""
        d = self.daemon()
        idle = connect_all(d.sock, 200, 5.0)
        try:
            r = self.cli_within(d, 3.0, "--json", "status")
            self.assertEqual(r.returncode, 0, r.stderr)
            first = read_all(idle[0], 3.0)
            self.assertEqual(first, b"1\ndisconnected: too many clients of the control "
                             b"socket\n")
        finally:
            for s in idle:
                s.close()
        self.assertTrue(d.alive())

    def test_idle_client_is_closed(self):
        d = self.daemon()
        s = connect_all(d.sock, 1, 3.0)[0]
        try:
            t0 = time.monotonic()
            answer = read_all(s, IDLE_S + 3.0)
            took = time.monotonic() - t0
        finally:
            s.close()
        self.note(f"idle client closed after {took:.2f} s: {answer!r}")
        self.assertEqual(answer, b"1\ndisconnected: no complete request in time\n")
        self.assertLess(took, IDLE_S + 2.0)
        # a slow client that sends its request in pieces is served
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(d.sock)
            s.sendall(b"sta")
            r = self.cli_within(d, 3.0, "status")  # served in between
            self.assertEqual(r.returncode, 0, r.stderr)
            s.sendall(b"tus --json\n")
            answer = read_all(s, 3.0)
        finally:
            s.close()
        self.assertTrue(answer.startswith(b"0\n{"), answer[:200])

    # ------------------------------------------------------------ one daemon per socket
    def test_second_daemon_refused(self):
        d = self.daemon()
        pid = d.proc.pid
        second = self.daemon(start=False, tag="second")
        second.sock = d.sock  # same socket, its own pin directory
        second.start(wait=False)
        try:
            wait_until(lambda: not second.alive(), 5.0, 0.02, "second daemon exits")
        except TimeoutError:
            self.fail(f"a second daemon on {d.sock} kept running; its log:\n{second.log()}")
        second.stopped = True
        self.assertEqual(second.proc.popen.returncode, 1)
        log = second.log()
        self.assertIn(f"sriov-failoverd pid {pid} is running with the control socket {d.sock}",
                      log)
        self.assertTrue(os.path.exists(d.sock), "the second daemon removed the first's socket")
        st = d.status()
        self.assertEqual(st["daemon"]["pid"], pid, "the socket answers for another daemon")
        # a daemon that is gone leaves a socket behind: the next one replaces it
        d.kill9()
        self.assertTrue(os.path.exists(d.sock))
        d.start()
        self.assertEqual(d.status()["daemon"]["pid"], d.proc.pid)
        self.assertIn("replacing the socket", d.log())
        d.stop()
        self.assertFalse(os.path.exists(d.sock), "the socket outlived its daemon")
        self.assertFalse(os.path.exists(d.sock + ".lock"), "the lock file outlived its daemon")

    # ------------------------------------------------------------ requests
    def test_requests_checked(self):
        d = self.daemon()
        r = d.cli("events", "-n", "5abc")
        self.assertEqual(r.returncode, 2, f"events -n 5abc: rc={r.returncode} {r.stdout!r}")
        self.assertIn("'5abc'", r.stderr)
        for bad in ("0", "-1", "", " 5"):
            self.assertEqual(d.cli("events", "-n", bad).returncode, 2, f"events -n {bad!r}")
        self.assertEqual(d.cli("events", "-n", "2").returncode, 0)
        # one byte too many is refused, not cut
        for extra, want in ((0, b"1\n"), (1, b"2\nrequest longer than 512 bytes: refused\n")):
            name = b"x" * (MAX_REQUEST - len(b"status ") + extra)
            answer = raw_request(d.sock, b"status " + name + b"\n")
            self.assertTrue(answer.startswith(want), f"{len(name)} bytes: {answer[:80]!r}")
        # bytes left unread when the daemon answers (no newline in the first 513, or
        # more after it) must not cost the client its refusal: the daemon drains them
        # before closing. 1 MiB outlasts the socket buffers, so the client is still
        # writing when it is answered.
        for rep in range(20):
            for req in (b"x" * (1 << 20), b"status\n" + b"y" * (1 << 20)):
                try:
                    answer = raw_request(d.sock, req)
                except OSError as e:
                    self.fail(f"round {rep}: {len(req)} bytes sent: {e!r}")
                want = (b"2\nrequest longer than 512 bytes: refused\n" if req[0] == ord("x")
                        else b"0\n")
                self.assertTrue(answer.startswith(want), f"round {rep}: {answer[:80]!r}")
        answer = raw_request(d.sock, b"release a b c d e f g h i\n")
        self.assertTrue(answer.startswith(b"2\nrequest of more than"), answer)
        answer = raw_request(d.sock, b"status\0sby\n")
        self.assertTrue(answer.startswith(b"2\nrequest holds a NUL byte"), answer)
        # errors never repeat the client's bytes raw (terminal escapes, invalid UTF-8)
        for req in (b"\x1b]0;owned\x07frob\xff\n", b"release \x1b[2J\xc3\n",
                    b"status \x9b31m" + b"y" * 100 + b"\n"):
            answer = raw_request(d.sock, req)
            self.assertRegex(answer, rb"^[12]\n[ -~]+\n$", f"{req!r} -> {answer!r}")
            self.assertIn(b"\\x", answer)
        self.assertEqual(d.cli("status").returncode, 0)
        # the CLI says so itself before sending
        r = d.cli("status", "z" * 600)
        self.assertEqual(r.returncode, 2)
        self.assertIn("too long", r.stderr)

    def test_refused_client_is_answered(self):
        """A non-root client is refused once it has sent its request, never cut off before:
        its write must not fail (the CLI died of SIGPIPE)."""
        sockdir = tempfile.mkdtemp(prefix=f"sfo-it-{os.getpid()}-ctl-")
        self.addCleanup(shutil.rmtree, sockdir, True)
        os.chmod(sockdir, 0o711)
        d = self.daemon(start=False)
        d.sock = os.path.join(sockdir, "control.sock")
        d.start()
        os.chmod(d.sock, 0o666)  # as if someone opened it up: the daemon still checks
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()
        res_r, res_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the non-root client
            try:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(d.sock)
                os.write(ready_w, b"c")
                os.read(go_r, 1)
                try:
                    s.sendall(b"status\n")
                    out = repr(read_all(s, 5.0))
                except OSError as e:
                    out = f"send failed: {e}"
                os.write(res_w, out.encode())
            finally:
                os._exit(0)
        for fd in (ready_w, go_r, res_w):
            os.close(fd)
        try:
            r, _, _ = select.select([ready_r], [], [], 5.0)
            self.assertTrue(r and os.read(ready_r, 1) == b"c", "the non-root client did not "
                            "connect")
            # served after the child's connection (accepted first): the daemon has had
            # every chance to answer or close it before the child writes
            self.assertEqual(d.cli("status").returncode, 0)
            os.write(go_w, b"g")
            out = b""
            while select.select([res_r], [], [], 10.0)[0]:
                b = os.read(res_r, 4096)
                if not b:
                    break
                out += b
        finally:
            for fd in (ready_r, go_w, res_r):
                os.close(fd)
            os.waitpid(pid, 0)
        self.assertEqual(out.decode(), repr(b"1\nonly root may use the control socket\n"))
        # nobody may not reach the build (a checkout under `mktemp -d` is 0700): a copy
        cli = os.path.join(sockdir, "sriov-failover")
        shutil.copy(sfo_it.BIN["cli"], cli)
        os.chmod(cli, 0o755)
        for _ in range(20):
            r = subprocess.run([cli, "-s", d.sock, "status"], user=NOBODY,
                               group=NOBODY, extra_groups=[], capture_output=True, text=True,
                               timeout=10)
            self.assertEqual(r.returncode, 1, f"non-root CLI: rc={r.returncode} {r.stderr!r}")
            self.assertIn("only root may use the control socket", r.stderr)

    # ------------------------------------------------------------ one renderer
    def test_pretty_json(self):
        d = self.active_vf_setup()
        for args in (("status",), ("adapters",), ("events",), ("events", "-n", "1"),
                     ("release", "sby"), ("resume", "sby")):
            r = d.cli("-p", *args)
            self.assertEqual(r.returncode, 0, r.stderr)
            doc = json.loads(r.stdout)
            self.assertEqual(r.stdout, json.dumps(doc, indent=2) + "\n", f"-p {args}")
            compact = d.cli("--json", *args) if args[0] not in ("release", "resume") else None
            if compact is not None:
                self.assertEqual(set(json.loads(compact.stdout)), set(doc))
        text = d.cli("status").stdout
        self.assertRegex(text, r"^sby: VF vf0, active, datapath on vf0 \(")
        self.assertIn("rx/tx packets", text)
        self.assertIn("NAME", d.cli("adapters").stdout.splitlines()[0])


if __name__ == "__main__":
    sfo_it.main()
