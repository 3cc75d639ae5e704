#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""sfo-ndis-host's command line: --help, bad usage and set-up failures give
exit status 2 with a message naming the problem; a clean start and SIGTERM
give exit status 0 and the JSON report (the emulation found no broken rule,
no leak). Its real traffic is the lab's test (lab/tests/test_lab.py,
ndis-edge).

    labkit/run src/windows/tests/test_ndis_host.py BINARY

Exit status: 0 passed, 1 failed, 77 skipped (not root: namespaces, AF_PACKET).
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import unittest

from sfolabkit import netns
from sfolabkit.proc import wait_until

SKIP = 77
BIN = {"path": None}


def run(*args, ns=None, timeout=10):
    argv = (["ip", "netns", "exec", ns] if ns else []) + [BIN["path"], *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


class NdisHostTest(unittest.TestCase):
    def setUp(self):
        self.ns = netns.add(f"sfo-ndishost-{os.getpid()}")
        self.addCleanup(netns.delete, self.ns)
        netns.ip(self.ns, "link", "add", "sby", "address", "02:00:00:00:00:01", "type",
                 "veth", "peer", "name", "hsby")

    def test_help(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        for word in ("--standby", "--tap", "--control", "release", "unplug", "status"):
            self.assertIn(word, r.stdout)

    def test_usage_errors(self):
        for args, text in ((["--tap", "x"], "--standby IF is required"),
                           (["--standby", "sby", "extra"], "unexpected argument 'extra'"),
                           (["--bogus"], "--help")):
            with self.subTest(args=args):
                r = run(*args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(text, r.stderr)

    def test_setup_errors(self):
        for args, text in ((["--standby", "nosuch"], "--standby nosuch: no such interface"),
                           (["--standby", "lo"], "--standby lo: not an Ethernet interface"),
                           (["--standby", "sby", "--tap", "hsby"],
                            "--tap hsby: Invalid argument (an interface of that name exists)"),
                           (["--standby", "sby", "--control", "/nonexistent-dir/c.sock"],
                            "--control /nonexistent-dir/c.sock: No such file or directory")):
            with self.subTest(args=args):
                r = run(*args, ns=self.ns)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(text, r.stderr)
        self.assertIsNone(netns.link(self.ns, "sfo0"), "a failed start left its TAP device")

    def test_start_and_stop(self):
        d = tempfile.mkdtemp(prefix="sfo-ndishost-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", d]))
        sock = os.path.join(d, "c.sock")
        p = subprocess.Popen(["ip", "netns", "exec", self.ns, BIN["path"], "--standby", "sby",
                              "--control", sock, "-j"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        wait_until(lambda: os.path.exists(sock) or p.poll() is not None, 10, 0.02,
                   "the control socket")
        self.assertIsNone(p.poll(), p.stderr.read() if p.poll() is not None else "")
        tap = netns.link(self.ns, "sfo0")
        self.assertIsNotNone(tap, "no TAP device")
        self.assertEqual(tap["address"], "02:00:00:00:00:01")
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=10)
        self.assertEqual(p.returncode, 0, err)
        report = json.loads(out)
        self.assertEqual((report["violations"], report["live_nbls"],
                          report["live_allocations"], report["error"]), (0, 0, 0, None))
        self.assertFalse(os.path.exists(sock), "the control socket was left behind")


def main():
    if len(sys.argv) < 2:
        print("usage: test_ndis_host.py BINARY [unittest options]", file=sys.stderr)
        sys.exit(2)
    BIN["path"] = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0:
        print("SKIP: needs root (network namespaces, AF_PACKET)", flush=True)
        sys.exit(SKIP)
    prog = unittest.main(module="__main__", argv=[sys.argv[0]] + sys.argv[2:], verbosity=2,
                         exit=False)
    sys.exit(0 if prog.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
