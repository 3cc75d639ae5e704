#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""sfo-lab --in-vm: a short migration with bonding and sriov-failover inside a
QEMU guest booted with Debian's kernel (which has bonding), asserting on what
the guest experienced, so that the bonding comparison keeps running on
machines whose kernel lacks it.  It runs sfo-lab from a copy of the checkout
(lab/, labkit/ and the three programs of the build) under /tmp, in a directory
whose name has spaces: the guest has a /tmp of its own, and a clone must work
wherever it lives.

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
from sfolabkit import guest
from sfolabkit.proc import processes_with, sanitizer_build

SKIP = 77
BUILD = {"dir": None}
TCG = ["--rate", "500", "--tcp-mbit", "2", "--warmup", "1.5", "--unplug-delay", "0.3",
       "--precopy", "1.5", "--plug-delay", "1", "--settle", "6"]
# Of the frames from the plug to the end: under TCG on a loaded machine the new VF
# has taken 2.4 s from its plug to carry traffic (probing included), so the settle
# time after it is twice that.
RETURN_MIN_VF_SHARE = 0.5


PROGRAMS = ("src/linux/daemon/sriov-failoverd", "src/linux/cli/sriov-failover",
            "tools/traffic/sfo-traffic")


def copy_checkout(build_dir):
    """A copy of what sfo-lab --in-vm runs, under /tmp with spaces in its path;
    returns (its sfo-lab, its build directory)."""
    top = tempfile.mkdtemp(prefix="sfo-lab-vm-test a b ", dir="/tmp")
    no_cache = shutil.ignore_patterns("__pycache__", "tests")
    for d in ("lab", "labkit"):
        shutil.copytree(os.path.join(REPO, d), os.path.join(top, d), ignore=no_cache)
    build = os.path.join(top, "build dir")
    for prog in PROGRAMS:
        os.makedirs(os.path.dirname(os.path.join(build, prog)), exist_ok=True)
        shutil.copy2(os.path.join(build_dir, prog), os.path.join(build, prog))
    return top, os.path.join(top, "lab", "sfo-lab"), build


def guest_qemus(pid):
    """PIDs of the QEMU processes sfolabkit.guest started for process pid (by their
    -name: other runs on this machine have guests of their own)."""
    return processes_with("cmdline", guest.qemu_name(pid).encode())


class LabVmTest(unittest.TestCase):
    maxDiff = None

    def test_migrate_bonding_and_sriov_failover(self):
        top, lab, build = copy_checkout(BUILD["dir"])
        self.addCleanup(shutil.rmtree, top, True)
        out = os.path.join(top, "lab out")
        argv = [lab, "migrate", "--in-vm", "--modes", "bonding,sriov-failover",
                "--build-dir", build, "--out", out, "--json", "--quiet"] + TCG
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            stdout, stderr = p.communicate(timeout=480)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGTERM)
            stdout, stderr = p.communicate(timeout=60)
        qemus = guest_qemus(p.pid)
        runs = os.path.join(guest.DEFAULT_WORK_DIR, "runs")   # absent if no guest booted
        left = [d for d in os.listdir(runs) if d.startswith(f"{p.pid}-")] \
            if os.path.isdir(runs) else []
        # the lab's own message first: whatever else went wrong follows from it
        try:
            doc = json.loads(stdout)
        except ValueError:
            doc = None
        self.assertTrue(doc is not None and p.returncode == 0,
                        f"exit {p.returncode}, {'a' if doc else 'no'} JSON document "
                        f"(QEMU left: {sorted(qemus)}, run directories left: {left}); "
                        f"stderr:\n{stderr[-3000:]}")
        self.assertEqual(qemus, set(), "QEMU left running")
        self.assertEqual(left, [], "guest run directory left")
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
        plug = [e for e in res["events"] if e["what"] == "plug"]
        self.assertIsNotNone(ret["vf_share"], "no frames after the new VF arrived")
        self.assertGreaterEqual(ret["vf_share"], RETURN_MIN_VF_SHARE,
                                f"the new VF does not carry the traffic: {ret}; plug: {plug}; "
                                f"daemon: {(res.get('mode_info') or {}).get('events')}")
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
