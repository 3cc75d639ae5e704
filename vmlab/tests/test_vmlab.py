#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""CI test of the VM lab: one migration (scenario migrate) with sriov-failover
(mode sfo) and with Linux net_failover, in one run of sfo-vmlab, and checks:

  * the guest's traffic survives: the TCP stream survived, and in the last
    seconds of traffic frames flow both ways;
  * the primary carries the traffic after the migration (over the last 2 s of
    traffic, at least 90 % of the guest's frames in each direction went through
    the destination's primary tap);
  * sriov-failover loses no more frames (UDP both ways + ping) than net_failover
    in the same run;
  * the host's side of mode sfo ran through dist/host's sriov-failover-host, the
    release through qemu-guest-agent (guest-exec of sriov-failover release);
  * in the net_failover guest, where sriov-failoverd runs beside the kernel's
    failover, the daemon calls the master, the standby and the primary "held"
    and has no pair (it touched none of them), and the kernel's failover still
    did its job (the checks above);
  * the run wrote the shared lab outputs: results.json (the same document as
    --json) and timeline.svg (well-formed, one panel per mode, host steps and,
    for sriov-failover, the daemon's state changes placed inside the run).

Exit 77 (skipped) without root, qemu-system-x86_64, busybox or the binaries of
the Linux edge in the build directory, and in sanitizer builds.
usage: test_vmlab.py --build-dir DIR [--work-dir DIR]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.dom.minidom

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(os.path.dirname(HERE), "sfo-vmlab")
from sfolabkit.proc import sanitizer_build
SKIP = 77
BINARIES = ("src/linux/daemon/sriov-failoverd", "src/linux/cli/sriov-failover",
            "tools/traffic/sfo-traffic")


def skip(why):
    print("SKIP: %s" % why)
    return SKIP


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--work-dir", default=os.environ.get("SFO_VMLAB_WORK_DIR", "/var/tmp/sfo-vmlab"))
    a = ap.parse_args()
    if os.geteuid() != 0:
        return skip("needs root")
    for prog in ("qemu-system-x86_64", "busybox"):
        if not shutil.which(prog):
            return skip("%s missing (apt-get install $(cat vmlab/packages.txt))" % prog)
    for b in BINARIES:
        if not os.access(os.path.join(a.build_dir, b), os.X_OK):
            return skip("%s not built (the Linux edge needs libbpf and libmnl)" % b)

    if sanitizer_build(os.path.join(a.build_dir, BINARIES[0])):
        # sanitizer builds would run the daemon in a TCG guest several times slower,
        # for no more coverage than the plain build's run of this test
        return skip("sanitizer build: the VM lab runs with the plain build")

    out = tempfile.mkdtemp(prefix="sfo-vmlab-test-")
    try:
        return run(a, out)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def run(a, out):
    cmd = [LAB, "--modes", "sfo,net_failover", "--scenario", "migrate", "--json",
           "--build-dir", a.build_dir, "--work-dir", a.work_dir, "--steady", "2", "--settle", "3",
           "--keep", "--out", out]
    print("running: %s" % " ".join(cmd), flush=True)
    t0 = time.time()
    try:
        cp = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                            timeout=1300)
    except subprocess.TimeoutExpired:
        print("FAIL: sfo-vmlab did not finish in 1300 s")
        return 1
    wall = time.time() - t0
    try:
        report = json.loads(cp.stdout)
    except ValueError:
        print("FAIL: no JSON report from sfo-vmlab (exit %d):\n%s" % (cp.returncode, cp.stdout[-2000:]))
        return 1
    if cp.returncode == SKIP:
        return skip("sfo-vmlab skipped")

    failures = []

    def check(cond, what):
        print("%s: %s" % ("ok" if cond else "FAIL", what))
        if not cond:
            failures.append(what)

    modes = {m["mode"]: m for m in report.get("modes", [])}
    for m in ("sfo", "net_failover"):
        r = modes.get(m)
        check(r is not None and "lost" in r, "%s: the mode ran to the end" % m)
        if not r or "lost" not in r:
            if r:
                print("   errors: %s" % r.get("errors"))
            continue
        check(not r["errors"], "%s: no errors %s" % (m, r["errors"] or ""))
        leg = r["legs"][0] if r["legs"] else {}
        check(leg.get("status") == "completed",
              "%s: migration completed (total %s ms, downtime %s ms)"
              % (m, leg.get("total_time_ms"), leg.get("downtime_ms")))
        check(bool(r["tcp"]["survived"]),
              "%s: TCP stream survived (longest stall %s ms)" % (m, r["tcp"]["longest_stall_ms"]))
        fp = r.get("final_ports") or {}
        fr = fp.get("frames", {})
        rate = report["params"]["rate"]
        flow_in = sum(v[1] for v in fr.values())
        flow_out = sum(v[0] for v in fr.values())
        check(flow_in >= rate and flow_out >= rate,
              "%s: traffic flows both ways at the end (%d frames to, %d from the guest in %ss)"
              % (m, flow_in, flow_out, fp.get("window_s")))
        check(bool(r["primary_carries_traffic"]) and leg.get("primary_back_ms") is not None,
              "%s: the primary carries the traffic after migration (share to/from guest %s/%s, "
              "back %s ms after resume)" % (m, fp.get("primary_share_to_guest"),
                                            fp.get("primary_share_from_guest"),
                                            leg.get("primary_back_ms")))
    check_host_tool(modes.get("sfo") or {}, check)
    check_held(modes.get("net_failover") or {}, check)
    if all(modes.get(m, {}).get("lost") for m in ("sfo", "net_failover")):
        ours, theirs = modes["sfo"]["lost"]["total"], modes["net_failover"]["lost"]["total"]
        check(ours <= theirs, "sriov-failover lost %d frames, net_failover %d" % (ours, theirs))
    check_files(report, out, check)
    print("sfo-vmlab took %.0f s, run directory %s" % (wall, report.get("run_dir")))
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    return 0


def check_host_tool(sfo, check):
    leg = (sfo.get("legs") or [{}])[0]
    tool = leg.get("host_tool") or {}
    check([s["step"] for s in tool.get("steps", [])] == ["release", "unplug", "migrate", "plug"]
          and tool.get("exit") == 0,
          "sfo: sriov-failover-host did release, unplug, migrate, plug (%s)" % tool)
    check(leg.get("release_via") == "guest-agent" and leg.get("release_rc") == 0,
          "sfo: the release went through qemu-guest-agent and succeeded (%s: %s)"
          % (leg.get("release_via"), leg.get("release_output")))


def check_held(nf, check):
    """The daemon in the net_failover guest: every interface of the kernel's pair
    held, no pair of its own."""
    guest = nf.get("guest") or {}
    try:
        adapters = json.loads(guest.get("adapters", ""))["adapters"]
        pairs = json.loads(guest.get("status", ""))["pairs"]
    except (ValueError, KeyError, TypeError):
        check(False, "net_failover: the daemon's adapters and status in JSON (%s)" % guest)
        return
    roles = {a["name"]: (a["role"], a["reason"]) for a in adapters}
    held = {n: r for n, r in roles.items() if r[0] == "held"}
    drivers = {a["name"]: a.get("driver") for a in adapters}
    kinds = sorted(drivers[n] for n in held)
    check(kinds == ["e1000e", "net_failover", "virtio_net"],
          "net_failover: the daemon holds off the master, the standby and the primary "
          "(held: %s; all: %s)" % (held, roles))
    check(pairs == [], "net_failover: the daemon made no pair (%s)" % pairs)


def check_files(report, out, check):
    try:
        with open(os.path.join(out, "results.json")) as f:
            saved = json.load(f)
    except (OSError, ValueError) as e:
        saved = None
        print("   results.json: %s" % e)
    check(saved == report, "results.json holds the document --json printed")
    try:
        dom = xml.dom.minidom.parse(os.path.join(out, "timeline.svg"))
    except Exception as e:  # noqa: BLE001 - any parse failure is the finding
        check(False, "timeline.svg is well-formed SVG (%s)" % e)
        return
    panels = [g for g in dom.getElementsByTagName("g") if g.getAttribute("class") == "panel"]
    check(len(panels) == 2, "timeline.svg has a panel per mode (%d)" % len(panels))
    text = dom.toxml()
    check("QMP migrate" in text and "QMP device_add" in text, "timeline.svg marks the host's steps")
    sfo = {m["mode"]: m for m in report["modes"]}.get("sfo") or {}
    t_end = max((p["end_s"] for p in sfo.get("timeline_phases") or []), default=0)
    inside = [e for e in sfo.get("daemon_events") or [] if 0 <= e["t_s"] <= t_end]
    check(any(e["reason"] == "released by administrator" for e in inside)
          and any(e["to"] == "active" for e in inside),
          "the daemon's release and return to active are placed inside the run (%s)"
          % ["%.2f %s" % (e["t_s"], e["to"]) for e in inside])


if __name__ == "__main__":
    sys.exit(main())
