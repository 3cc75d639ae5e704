#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Configuration reload (SIGHUP) and --check-config: only a regular file is read (a FIFO
would block the daemon for ever), and the largest configuration there can be (1 MiB,
58254 [standby] sections) neither stalls the event loop nor takes long to check.
realtime-priority at start and on reload: SCHED_FIFO at the configured priority (10 by
default), SCHED_OTHER with 0; refused without CAP_SYS_NICE (a warning, the daemon
serves); RLIMIT_RTTIME exceeded (SIGXCPU): back to SCHED_OTHER until the next reload."""

import os
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
from sfo_it import BIN, IntegrationTest
from sfolabkit.proc import LabError

BASE_CONF = "[global]\nvf-drivers = veth\n[standby sby]\n"
SCHED_OTHER, SCHED_FIFO = 0, 1
MANY = 58254  # 18-byte sections in SFO_CONFIG_FILE_MAX (1 MiB), with BASE_CONF


def big_conf():
    """1 MiB: the daemon's own sections, then [standby x000000] ... (not present)."""
    body = "".join(f"[standby x{i:06d}]\n" for i in range(MANY))
    text = BASE_CONF + body
    return text[:len(BASE_CONF) + (1024 * 1024 - len(BASE_CONF)) // 18 * 18]


def sched_of(pid):
    """(policy, real-time priority) of pid: fields 41 and 40 of /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()  # fields[0] is field 3
    return int(fields[41 - 3]), int(fields[40 - 3])


class ReloadTest(IntegrationTest):
    def fifo_in_place(self, path):
        """Replaces path by a FIFO; a cleanup opens it for writing once, which releases
        a reader blocked in open() (the daemon without this fix)."""
        os.unlink(path)
        os.mkfifo(path)

        def release():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
                os.close(fd)
            except OSError:
                pass  # no reader waiting
        self.addCleanup(release)

    def wait_log(self, d, text, timeout):
        sfo_it.wait_until(lambda: text in d.log(), timeout, 0.05, f"daemon log: {text!r}")

    def check_config(self, path, timeout=20.0):
        """sriov-failoverd --check-config -c path: (exit status, stderr); fails the test if
        it does not end within timeout."""
        try:
            r = sfo_it.run([BIN["daemon"], "--check-config", "--config", path], check=False,
                           timeout=timeout)
        except LabError:
            self.fail(f"--check-config {path} still runs after {timeout} s")
        return r.returncode, r.stdout + r.stderr

    def test_fifo_refused_on_reload(self):
        t = self.topo
        d = self.active_vf_setup()
        self.fifo_in_place(d.conf)
        d.proc.send(signal.SIGHUP)
        self.wait_log(d, "not a regular file (a FIFO)", 5.0)
        self.wait_log(d, "the previous one stays in force", 5.0)
        # still handling events: carrier loss
        t.vf_host_side_down("vf0")
        d.wait_state("fallback", 2.0, vf="vf0")
        # a regular file again: reloaded
        os.unlink(d.conf)
        with open(d.conf, "w") as f:
            f.write(BASE_CONF)
        d.proc.send(signal.SIGHUP)
        self.wait_log(d, "configuration reloaded", 5.0)

    def reload(self, d, conf):
        """Writes conf and sends SIGHUP; returns once the daemon logged the reload."""
        done = d.log().count("configuration reloaded")
        with open(d.conf, "w") as f:
            f.write(conf)
        d.proc.send(signal.SIGHUP)
        sfo_it.wait_until(lambda: d.log().count("configuration reloaded") > done, 5.0, 0.05,
                          "configuration reloaded")

    def daemon_through(self, wrapper, conf=None):
        """A daemon started through wrapper (a command that execs the daemon's argv)."""
        d = self.daemon(start=False, conf=conf)
        d.spawn = lambda argv, ns, **kw: self.topo.start(ns, wrapper + argv, **kw)
        d.start()
        return d

    def test_realtime_priority_default_and_reload(self):
        d = self.active_vf_setup()
        self.assertEqual(sched_of(d.proc.pid), (SCHED_FIFO, 10))
        self.assertIn("scheduling: SCHED_FIFO priority 10 (realtime-priority), at most 200000 us "
                      "of CPU without sleeping (RLIMIT_RTTIME)", d.log())
        self.reload(d, BASE_CONF.replace("[global]\n", "[global]\nrealtime-priority = 20\n"))
        self.assertEqual(sched_of(d.proc.pid), (SCHED_FIFO, 20))
        self.reload(d, BASE_CONF.replace("[global]\n", "[global]\nrealtime-priority = 0\n"))
        self.assertEqual(sched_of(d.proc.pid), (SCHED_OTHER, 0))
        self.assertIn("scheduling: SCHED_OTHER", d.log())
        self.topo.vf_host_side_down("vf0")
        d.wait_state("fallback", 2.0, vf="vf0")

    def test_realtime_priority_0_at_start(self):
        d = self.daemon(conf=BASE_CONF.replace("[global]\n",
                                               "[global]\nrealtime-priority = 0\n"))
        self.assertEqual(sched_of(d.proc.pid), (SCHED_OTHER, 0))

    def test_realtime_refused_without_cap_sys_nice(self):
        """Neither CAP_SYS_NICE nor RLIMIT_RTPRIO: a warning naming both and the key, and
        the daemon serves at normal priority."""
        d = self.daemon_through(["prlimit", "--rtprio=0:0", "--", "setpriv",
                                 "--inh-caps=-sys_nice", "--bounding-set=-sys_nice", "--"])
        self.assertEqual(sched_of(d.proc.pid), (SCHED_OTHER, 0))
        self.assertIn("cannot run at real-time priority 10 (realtime-priority in [global]): "
                      "no CAP_SYS_NICE and RLIMIT_RTPRIO is 0; going on with normal "
                      "scheduling", d.log())
        self.topo.add_vf("vf0")
        d.wait_state("active", 2.0, vf="vf0")

    def drops_to_normal(self, wrapper):
        """A daemon started through wrapper with an RLIMIT_RTTIME lower than its own (1 us,
        as `LimitRTTIME=` could set), which it keeps; reloads of the largest configuration
        (about 12 ms of CPU without sleeping) until one runs over two ticks, which the
        kernel needs to see the limit exceeded: SIGXCPU, back to SCHED_OTHER, a warning,
        and the daemon serves on. The next reload makes it real-time again."""
        d = self.daemon_through(wrapper + ["prlimit", "--rttime=1:1000000", "--"])
        self.assertEqual(sched_of(d.proc.pid), (SCHED_FIFO, 10))
        self.assertIn("at most 1 us of CPU without sleeping", d.log())
        warning = ("SIGXCPU: ran at real-time priority for more than 1 us of CPU without "
                   "sleeping (RLIMIT_RTTIME): back to normal scheduling (SCHED_OTHER) until "
                   "the next reload or restart")
        big = big_conf()
        for _ in range(20):
            self.reload(d, big)
            if warning in d.log():
                break
        self.assertIn(warning, d.log())
        self.assertEqual(sched_of(d.proc.pid), (SCHED_OTHER, 0))
        self.topo.add_vf("vf0")
        d.wait_state("active", 2.0, vf="vf0")
        self.reload(d, BASE_CONF)
        self.assertEqual(sched_of(d.proc.pid), (SCHED_FIFO, 10))

    def test_rttime_exceeded_drops_to_normal(self):
        self.drops_to_normal([])

    def test_rttime_exceeded_drops_to_normal_by_rlimit_rtprio(self):
        """Real-time allowed by RLIMIT_RTPRIO, not CAP_SYS_NICE: leaving it must keep
        SCHED_RESET_ON_FORK, which only CAP_SYS_NICE may clear."""
        if subprocess.run(["prlimit", "--rtprio=10:10", "--", "true"],
                          stderr=subprocess.DEVNULL).returncode:
            self.skipTest("cannot raise RLIMIT_RTPRIO here (no CAP_SYS_RESOURCE)")
        self.drops_to_normal(["prlimit", "--rtprio=10:10", "--", "setpriv",
                              "--inh-caps=-sys_nice", "--bounding-set=-sys_nice", "--"])

    def test_check_config_refuses_fifo(self):
        path = os.path.join(self.tmp, "fifo.conf")
        with open(path, "w") as f:
            f.write(BASE_CONF)
        self.fifo_in_place(path)
        rc, out = self.check_config(path)
        self.assertEqual(rc, 2, out)
        self.assertIn(f"{path}: not a regular file (a FIFO)", out)

    def test_check_config_refuses_too_large(self):
        path = os.path.join(self.tmp, "large.conf")
        with open(path, "w") as f:
            f.write(big_conf() + "#" * 1024 + "\n")
        rc, out = self.check_config(path)
        self.assertEqual(rc, 2, out)
        self.assertIn(f"{path}: file too large", out)

    def test_largest_config(self):
        """--check-config passes; a reload does not keep the daemon from handling a
        carrier loss at once (before: 8 s and more of duplicate checks)."""
        path = os.path.join(self.tmp, "big.conf")
        text = big_conf()
        self.assertLessEqual(len(text), 1024 * 1024)
        with open(path, "w") as f:
            f.write(text)
        rc, out = self.check_config(path)
        self.assertEqual(rc, 0, out)
        t = self.topo
        d = self.active_vf_setup()
        with open(d.conf, "w") as f:
            f.write(text)
        t0 = time.monotonic()
        d.proc.send(signal.SIGHUP)
        t.vf_host_side_down("vf0")
        p, waited = d.wait_state("fallback", 3.0, vf="vf0")
        self.note(f"fallback {(time.monotonic() - t0) * 1000:.0f} ms after SIGHUP")
        self.wait_log(d, "configuration reloaded", 5.0)
        self.assertEqual(p["datapath"], "sby")


if __name__ == "__main__":
    sfo_it.main()
