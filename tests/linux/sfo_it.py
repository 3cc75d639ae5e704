# SPDX-License-Identifier: BSD-2-Clause
"""Harness of the sriov-failover integration tests: binaries, bpffs, daemon fixture,
CLI, traffic, and the base TestCase.

Every test file is run as

    labkit/run tests/linux/test_X.py DAEMON CLI SFO_TRAFFIC [unittest options, e.g. -k NAME]
    labkit/run tests/linux/test_X.py --build BUILDDIR      [unittest options]

(meson passes the three executables).  Exit status: 0 all passed, 1 a test
failed, 77 skipped (not root, no network namespaces, no bpffs).

The process re-executes itself in a private mount namespace (unshare --mount)
and mounts a bpffs of its own on a temporary directory: `ip netns exec`
remounts /sys, so a bpffs on /sys/fs/bpf is not visible to a daemon started
with it; a bpffs on another path is, and it keeps the daemon's pins across a
daemon restart (adoption) and disappears with the test.  Each topology gets its
own pin directory on it.

Cleanup: topologies and processes are removed in tearDown (try/finally
semantics through addCleanup), at exit, and on SIGTERM/SIGINT/SIGHUP.
Python 3.11 standard library only.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import topo as topo_mod
from sfolabkit import daemon, netns
from sfolabkit.files import read_json, read_text
from sfolabkit.proc import LabError, run, wait_ready_file, wait_until
from topo import Topology

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77
BIN = {"daemon": None, "cli": None, "traffic": None}
STATE = {"bpffs": None, "tmp": None}

# Loss / timing bounds used by several tests (frames at 20 kpps).
RATE = 20000
# A switch driven by the event it reacts to loses what arrives while the kernel
# and the daemon get scheduled: a few frames on a quiet machine, a few hundred on
# a shared CI machine (204 seen). Not reacting loses the rest of the stream (tens
# of thousands of frames), a VF used before its port forwards 16000. How fast the
# reaction is, is a benchmark goal (bench/switch.py), not a test's.
REACTION_MAX_LOST = RATE // 20  # 50 ms


# ---------------------------------------------------------------- set-up


def _parse_args(argv):
    """Returns the unittest arguments left after the binaries."""
    rest = []
    if len(argv) >= 2 and argv[1] == "--build":
        b = os.path.abspath(argv[2])
        BIN["daemon"] = os.path.join(b, "src/linux/daemon/sriov-failoverd")
        BIN["cli"] = os.path.join(b, "src/linux/cli/sriov-failover")
        BIN["traffic"] = os.path.join(b, "tools/traffic/sfo-traffic")
        rest = argv[3:]
    else:
        pos = [a for a in argv[1:4] if not a.startswith("-")]
        if len(pos) != 3:
            print(f"usage: {argv[0]} DAEMON CLI SFO_TRAFFIC [unittest options]\n"
                  f"       {argv[0]} --build BUILDDIR [unittest options]", file=sys.stderr)
            sys.exit(2)
        BIN["daemon"], BIN["cli"], BIN["traffic"] = (os.path.abspath(p) for p in pos)
        rest = argv[4:]
    return rest


def _skip(why):
    print(f"SKIP: {why}", flush=True)
    sys.exit(SKIP)


def _enter_private_mount_ns():
    if os.environ.get("SFO_IT_MNTNS") == str(os.getpid()):
        return
    if shutil.which("unshare") is None:
        return  # fall back to a bpffs mount in the current namespace, removed at exit
    env = dict(os.environ, SFO_IT_MNTNS=str(os.getpid()))  # same PID after exec
    os.execvpe("unshare", ["unshare", "--mount", "--propagation", "private", sys.executable,
                           os.path.abspath(sys.argv[0])] + sys.argv[1:], env)


def _mount_bpffs():
    d = tempfile.mkdtemp(prefix=f"sfo-it-{os.getpid()}-bpffs-")
    r = run(["mount", "-t", "bpf", "bpf", d], check=False)
    if r.returncode != 0:
        os.rmdir(d)
        _skip(f"cannot mount bpffs: {r.stderr.strip()}")
    STATE["bpffs"] = d


def _global_cleanup():
    topo_mod.cleanup_all()
    if STATE["bpffs"]:
        subprocess.run(["umount", "-l", STATE["bpffs"]], capture_output=True)
        try:
            os.rmdir(STATE["bpffs"])
        except OSError:
            pass
        STATE["bpffs"] = None
    if STATE["tmp"] and os.environ.get("SFO_IT_KEEP") != "1":
        shutil.rmtree(STATE["tmp"], ignore_errors=True)
        STATE["tmp"] = None


def _on_signal(sig, _frame):
    print(f"\n{signal.Signals(sig).name}: cleaning up", file=sys.stderr, flush=True)
    try:
        _global_cleanup()
    finally:
        os._exit(128 + sig)


def main(need_daemon=True):
    rest = _parse_args(sys.argv)
    if os.geteuid() != 0:
        _skip("needs root (network namespaces, BPF)")
    for tool in ("ip", "sysctl", "ping"):
        if shutil.which(tool) is None:
            _skip(f"{tool} not found")
    missing = [k for k, v in BIN.items() if (need_daemon or k == "traffic")
               and not os.access(v, os.X_OK)]
    if missing:
        print(f"error: not executable: {', '.join(BIN[k] for k in missing)}", file=sys.stderr)
        sys.exit(1)
    _enter_private_mount_ns()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    STATE["tmp"] = tempfile.mkdtemp(prefix=f"sfo-it-{os.getpid()}-")
    probe = f"sfo-it-{os.getpid()}-probe"
    try:
        netns.add(probe)
    except LabError as e:
        _skip(f"cannot create a network namespace: {e}")
    netns.delete(probe)
    if need_daemon:
        _mount_bpffs()
    try:
        prog = unittest.main(module="__main__", argv=[sys.argv[0]] + rest, verbosity=2,
                             exit=False)
        res = prog.result
    finally:
        _global_cleanup()
    if not res.wasSuccessful():
        sys.exit(1)
    if res.testsRun and len(res.skipped) == res.testsRun:
        sys.exit(SKIP)
    sys.exit(0)


# ---------------------------------------------------------------- CLI


def cli(sock, *args, timeout=10):
    """Runs the CLI against sock (from the test's own namespace: it only talks to the
    daemon's Unix socket).  Returns the CompletedProcess."""
    return run([BIN["cli"], "-s", sock] + list(args), check=False, timeout=timeout)


# ---------------------------------------------------------------- daemon fixture


class Daemon(daemon.Daemon):
    """sriov-failoverd in the guest namespace of a topology; what it cannot do fails
    the test."""

    def __init__(self, test, conf=None, tag="d"):
        self.test = test
        self.topo = test.topo
        super().__init__(BIN, self.topo.guest, os.path.join(test.tmp, tag),
                         os.path.join(STATE["bpffs"], self.topo.id + "-" + tag), conf,
                         spawn=lambda argv, ns, **kw: self.topo.start(ns, argv, **kw))

    def wait_ready(self, timeout=10.0):
        try:
            return super().wait_ready(timeout)
        except LabError as e:
            self.test.fail(str(e))

    def json_cmd(self, *args):
        try:
            return super().json_cmd(*args)
        except LabError as e:
            self.test.fail(str(e))

    def wait_pair(self, pred, timeout=2.0, what="pair condition", standby="sby"):
        try:
            return super().wait_pair(pred, timeout, what, standby)
        except LabError as e:
            self.test.fail(str(e))

    def cleanup(self):
        """Stops the daemon; returns a problem description if it had died on its own or
        did not exit cleanly on SIGTERM, else None."""
        problem = None
        if self.died():
            problem = f"daemon died during the test: exit status {self.proc.popen.returncode}"
        elif self.alive():
            rc = self.stop()
            if rc != 0:
                problem = f"daemon exit status {rc} after SIGTERM (want 0)"
        shutil.rmtree(self.pin, ignore_errors=True)
        return problem


# ---------------------------------------------------------------- traffic


class Flow:
    """One sfo-traffic measurement: a receiver (udp-recv / tcp-sink) in one namespace and a
    sender (udp-send / tcp-stream) in another."""

    def __init__(self, test, kind, src, dst, duration, rate=None, size=None, v6=False,
                 extra_send=(), extra_recv=()):
        self.test, self.kind, self.src, self.dst = test, kind, src, dst
        self.duration = duration
        t = test.topo
        ip = {"guest": t.guest_ip6 if v6 else t.guest_ip,
              "peer": t.peer_ip6 if v6 else t.peer_ip}[dst]
        self.bind = f"[{ip}]:0" if v6 else f"{ip}:0"
        self.rate, self.size = rate, size
        self.extra_send, self.extra_recv = list(extra_send), list(extra_recv)
        test.flow_n += 1
        base = os.path.join(test.tmp, f"flow{test.flow_n}-{kind}-{src}-{dst}")
        self.ready = base + ".ready"
        self.recv_out, self.send_out = base + ".recv.json", base + ".send.json"
        self.recv_err, self.send_err = base + ".recv.err", base + ".send.err"
        self.rp = self.sp = None
        self.t_start = None

    def start(self):
        t = self.test.topo
        rmode, smode = ("udp-recv", "udp-send") if self.kind == "udp" else ("tcp-sink",
                                                                            "tcp-stream")
        with open(self.recv_out, "w") as out, open(self.recv_err, "w") as err:
            self.rp = t.start(self.dst, [BIN["traffic"], rmode, "--bind", self.bind,
                                         "--duration", str(self.duration + 15), "--json",
                                         "--ready-file", self.ready] + self.extra_recv,
                              stdout=out, stderr=err, name=rmode)

        try:
            to = wait_ready_file(self.ready, self.rp)
        except LabError as e:
            self.test.fail(f"{e}: {read_text(self.recv_err)}")
        args = [BIN["traffic"], smode, "--to", to, "--duration", str(self.duration), "--json"]
        if self.kind == "udp":
            args += ["--rate", str(self.rate)]
            if self.size:
                args += ["--size", str(self.size)]
        elif self.rate:
            args += ["--rate-mbit", str(self.rate)]
        with open(self.send_out, "w") as out, open(self.send_err, "w") as err:
            self.sp = t.start(self.src, args + self.extra_send, stdout=out, stderr=err,
                              name=smode)
        self.t_start = time.monotonic()
        return self

    def at(self, seconds):
        """Sleeps until `seconds` after the sender started (scripted events in a flow)."""
        d = self.t_start + seconds - time.monotonic()
        if d > 0:
            time.sleep(d)

    def finish(self, check_rc=True):
        """Waits for both sides; returns (receiver report, sender report)."""
        src = self.sp.wait(self.duration + 30)
        rrc = self.rp.wait(20)
        if src is None or rrc is None:
            self.sp.stop(signal.SIGKILL)
            self.rp.stop(signal.SIGKILL)
            self.test.fail(f"{self.kind} flow {self.src}->{self.dst} did not end in time")
        recv = read_json(self.recv_out)
        send = read_json(self.send_out)
        if check_rc and (src not in (0,) or rrc not in (0,)):
            self.test.fail(f"{self.kind} flow {self.src}->{self.dst}: sender rc={src} "
                           f"{read_text(self.send_err).strip()!r}, receiver rc={rrc} "
                           f"{read_text(self.recv_err).strip()!r}; recv={recv} send={send}")
        return recv, send


def describe_udp(name, recv, send):
    """One line summary of a UDP measurement."""
    if recv is None:
        return f"{name}: no report"
    gap = recv.get("longest_gap") or {}
    late = (send or {}).get("late") or {}
    return (f"{name}: sent={recv['sent']} received={recv['received']} lost={recv['lost']} "
            f"dup={recv['duplicates']} longest_gap={gap.get('ms')} ms "
            f"send_errors={(send or {}).get('send_errors')} late_max={late.get('max_us')} us")


# ---------------------------------------------------------------- base test class


class IntegrationTest(unittest.TestCase):
    """Gives each test a fresh topology (self.topo), a temp dir (self.tmp) and helpers;
    prints every daemon's log when the test fails."""

    mtu = 1500

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix=f"{self._testMethodName[:20]}-", dir=STATE["tmp"])
        self.flow_n = 0
        self.daemons = []
        self.topo = Topology(self.mtu)
        self.addCleanup(self.topo.destroy)  # runs even if create() fails half-way
        self.topo.create()

    def tearDown(self):
        problems = [p for p in (d.cleanup() for d in self.daemons) if p]
        if problems or self._failed() or os.environ.get("SFO_IT_VERBOSE") == "1":
            for d in self.daemons:
                print(f"\n----- daemon log ({d.log_path}) -----\n{d.log()}"
                      f"----- end of daemon log -----", flush=True)
        if problems:
            self.fail("; ".join(problems))

    def _failed(self):
        """Whether this test has failed so far (unittest resets _outcome.success for each
        part of a test, so look at the result lists)."""
        outcome = getattr(self, "_outcome", None)
        res = getattr(outcome, "result", None)
        if res is None:
            return False
        return any(t is self for t, _ in list(res.failures) + list(res.errors))

    # -------------------------------------------------------- helpers
    def daemon(self, start=True, conf=None, tag=None):
        d = Daemon(self, conf=conf, tag=tag or f"d{len(self.daemons)}")
        self.daemons.append(d)
        if start:
            d.start()
        return d

    def note(self, msg):
        print(f"  [{self._testMethodName}] {msg}", flush=True)

    def udp(self, src, dst, rate, duration, **kw):
        return Flow(self, "udp", src, dst, duration, rate=rate, **kw).start()

    def start_streams(self, duration, rate=RATE):
        """A UDP stream each way between the guest's standby and the peer, with the
        neighbours pinned (no ARP/ND in the measurement)."""
        self.topo.pin_neighbours()
        out = self.udp("guest", "peer", rate, duration)
        back = self.udp("peer", "guest", rate, duration)
        return out, back

    def finish_streams(self, out, back):
        """Both streams' receiver reports (guest->peer, peer->guest), noted; their
        senders' reports are left in self.senders."""
        r1, s1 = out.finish()
        r2, s2 = back.finish()
        self.note(describe_udp("guest->peer", r1, s1))
        self.note(describe_udp("peer->guest", r2, s2))
        self.senders = (s1, s2)
        return r1, r2

    def tcp(self, src, dst, duration, rate_mbit=None, **kw):
        return Flow(self, "tcp", src, dst, duration, rate=rate_mbit, **kw).start()

    def ping(self, src, dst_ip, count=5, interval=0.05, size=None):
        ns = self.topo.ns_of(src)
        args = ["ping", "-n", "-q", "-c", str(count), "-i", str(interval), "-W", "1"]
        if size:
            args += ["-s", str(size), "-M", "do"]
        if ":" in dst_ip:
            args.insert(1, "-6")
        r = self.topo.ns_run(ns, *args, dst_ip, check=False, timeout=count * interval + 10)
        return r

    def assert_ping(self, src, dst_ip, count=5, **kw):
        r = self.ping(src, dst_ip, count, **kw)
        self.assertEqual(r.returncode, 0, f"ping {src} -> {dst_ip} failed: {r.stdout.strip()} "
                         f"{r.stderr.strip()}")
        return r

    def active_vf_setup(self, vf="vf0", timeout=10.0):
        """Standard start: daemon first, then a VF, then wait until active."""
        d = self.daemon()
        self.topo.add_vf(vf)
        d.wait_state("active", 2.0, vf=vf)
        return d

    def host_delta(self, before, after, name, key):
        return after[name][key] - before[name][key]

    def assert_reaction_loss(self, recv, send, msg=None):
        """Asserts that a switch lost no more than an event-driven reaction
        does (REACTION_MAX_LOST). A machine that descheduled the sender for
        longer than that window also stalls the daemon, so the bound is then
        reported, not asserted."""
        stall_ms = send["late"]["max_us"] / 1000 if send and "late" in send else 0
        if stall_ms > REACTION_MAX_LOST * 1000 / RATE:
            self.note(f"loss bound {REACTION_MAX_LOST} not checked ({recv['lost']} lost): the "
                      f"sender was descheduled for {stall_ms:.0f} ms, the machine is too loaded "
                      "to time a reaction")
            return
        self.assertLessEqual(recv["lost"], REACTION_MAX_LOST, msg)

    def assert_flows(self, before, name, key, at_least, msg, timeout=4.0):
        """Waits until host end `name`'s `key` counter grew by at_least since `before`.

        A sender slowed by a loaded machine catches up in bursts, so counting a
        fixed window would measure the machine; polling measures the path."""
        grown = lambda: self.host_delta(before, self.topo.all_host_counters(), name, key)
        try:
            wait_until(lambda: grown() >= at_least, timeout, 0.02, msg)
        except TimeoutError:
            self.fail(f"{msg}: {name} {key} grew by {grown()} < {at_least} in {timeout} s")
