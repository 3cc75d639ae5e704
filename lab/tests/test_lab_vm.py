#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""sfo-lab --in-vm: a short migration with bonding and sriov-failover inside a
QEMU guest booted with Debian's kernel (which has bonding), asserting on what
the guest experienced, so that the bonding comparison keeps running on
machines whose kernel lacks it.

    labkit/run lab/tests/test_lab_vm.py --build-dir BUILDDIR [unittest options]

Exit status: 0 passed, 1 a test failed, 77 skipped (not root, no QEMU or
static busybox, or a sanitizer build).  The first run downloads Debian's kernel
package with apt-get (about 70 MB, kept in /var/tmp/sfo-kernel, sfo-vmlab's
too).  The guest runs under TCG, about
ten times slower than this machine: low rates (500 UDP frames/s each way, TCP
2 Mbit/s) and longer phases than test_lab.py; about 1.5 min in all.
Python 3.11 standard library only.
"""

import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
LAB = os.path.join(REPO, "lab", "sfo-lab")
from sfolabkit import guest
from sfolabkit.proc import processes_with, sanitizer_build

SKIP = 77
BUILD = {"dir": None}
TCG = ["--rate", "500", "--tcp-mbit", "2", "--warmup", "1.5", "--unplug-delay", "0.3",
       "--precopy", "1.5", "--plug-delay", "1", "--settle", "3"]
RETURN_MIN_VF_SHARE = 0.5


def guest_qemus():
    """PIDs of the QEMU processes sfolabkit.guest started (by their -name)."""
    return processes_with("cmdline", b"sfo-lab-guest")


class LabVmTest(unittest.TestCase):
    maxDiff = None

    def test_migrate_bonding_and_sriov_failover(self):
        out = tempfile.mkdtemp(prefix="sfo-lab-vm-test-")
        self.addCleanup(shutil.rmtree, out, True)
        before = guest_qemus()
        argv = [LAB, "migrate", "--in-vm", "--modes", "bonding,sriov-failover",
                "--build-dir", BUILD["dir"], "--out", out, "--json", "--quiet"] + TCG
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            stdout, stderr = p.communicate(timeout=480)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGTERM)
            stdout, stderr = p.communicate(timeout=60)
        self.assertEqual(guest_qemus() - before, set(), "QEMU left running")
        self.assertEqual([d for d in os.listdir(os.path.join(guest.DEFAULT_WORK_DIR, "runs"))
                          if d.startswith(f"{p.pid}-")], [], "guest run directory left")
        try:
            doc = json.loads(stdout)
        except ValueError:
            self.fail(f"no JSON document (exit {p.returncode}); stderr:\n{stderr[-3000:]}")
        self.assertEqual(p.returncode, 0, f"exit {p.returncode}; stderr:\n{stderr[-3000:]}")
        self.assertNotEqual(doc["kernel"], f"{platform.system()} {platform.release()}",
                            "the run did not happen in the guest's kernel")
        with open(os.path.join(out, "results.json")) as f:
            self.assertEqual(json.load(f)["started_unix_ns"], doc["started_unix_ns"],
                             "results.json did not land in --out")
        self.assertTrue(os.path.getsize(os.path.join(out, "timeline.svg")) > 0)
        by = {m["mode"]: m for m in doc["modes"]}
        self.check_bonding(by["bonding"])
        self.check_sriov_failover(by["sriov-failover"])

    def run_of(self, mode):
        self.assertTrue(mode["available"], f"{mode['mode']} unavailable: {mode['reason']}")
        run = mode["runs"][0]
        self.assertIsNone(run["error"], f"{mode['mode']}: the run failed: {run['error']}")
        return run["result"]

    def check_bonding(self, mode):
        """It ran, over a real bond, and its TCP outcome is reported.  How many frames
        a VF yanked under the bond loses depends on when miimon looks: not asserted."""
        res = self.run_of(mode)
        bond = res["mode_info"]["bond"]
        self.assertEqual(bond["mode"], "active-backup")
        self.assertIn(bond["active_slave"], ("vf0", "sby"))
        self.assertIsInstance(res["tcp"]["survived"], bool)
        self.assertGreater(res["udp"]["out"]["received"], 0)
        self.assertEqual(len(res["returns"]), 1)

    def check_sriov_failover(self, mode):
        res = self.run_of(mode)
        rel = [p for p in res["phases"] if p["kind"] == "release"]
        self.assertEqual(len(rel), 1)
        self.assertEqual(rel[0]["udp_lost"], {"out": 0, "in": 0},
                         f"the orderly release lost frames: {rel[0]}")
        self.assertTrue(res["tcp"]["survived"], f"TCP did not survive: {res['tcp']}")
        ret = [p for p in res["phases"] if p["kind"] == "return"][0]
        self.assertIsNotNone(ret["vf_share"], "no frames after the new VF arrived")
        self.assertGreaterEqual(ret["vf_share"], RETURN_MIN_VF_SHARE,
                                f"the new VF does not carry the traffic: {ret}")
        self.assertIsNotNone(res["returns"][0]["ms"], "never back on the VF")


def main():
    args = sys.argv[1:]
    if "--build-dir" in args:
        i = args.index("--build-dir")
        BUILD["dir"] = os.path.abspath(args[i + 1])
        del args[i:i + 2]
    else:
        BUILD["dir"] = os.path.join(REPO, "build")
    if os.geteuid() != 0:
        print("SKIP: needs root (network namespaces, BPF, the guest's 9p root)", flush=True)
        sys.exit(SKIP)
    missing = guest.missing_tools()
    if missing:
        print(f"SKIP: cannot boot a guest: missing {', '.join(missing)}", flush=True)
        sys.exit(SKIP)
    if sanitizer_build(os.path.join(BUILD["dir"], "src/linux/daemon/sriov-failoverd")):
        # an instrumented daemon in a TCG guest is several times slower again, for
        # no more coverage than the plain build's run and lab's own test here
        print("SKIP: sanitizer build: the guest lab runs with the plain build", flush=True)
        sys.exit(SKIP)
    prog = unittest.main(module="__main__", argv=[sys.argv[0]] + args, verbosity=2,
                         exit=False)
    sys.exit(0 if prog.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
