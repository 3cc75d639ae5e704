# SPDX-License-Identifier: BSD-2-Clause
"""The iterations of switch.py (which builds the topology and the daemon).

Each iteration, with the pair active on vf0:
  t=0     two 20 kpps sequenced UDP streams start (guest -> peer, peer -> guest),
          1 ms loss timelines at both receivers
  t=0.4s  remove vf0: "orderly" = `sriov-failover release sby`, then
          `ip link del vf0`; "surprise" = `ip link del vf0`
  t=0.8s  a new VF is hot-plugged (vfplug.py): first frame on its host end timed
  t=1.8s  streams end
The new VF is made ready (veth pair, bridge port, captures) before the streams
start and hot-plugged at 0.8 s sharp, so the two events stay apart even when
the machine is slow.
Lost frames are attributed to the removal ([t_remove, t_add)) or the return
([t_add, end]) by the receivers' loss timelines. One JSON line per iteration.
"""
import json
import os
import re
import subprocess
import sys
import time

from benchnet import GIP, MAC, PIP
from sfolabkit.proc import LabError, argv_in

STREAM_S = 1.8
REMOVE_AT = 0.4
ADD_AT = 0.8
RATE = 20000
MARGIN_NS = 2_000_000  # attribution windows start 2 ms before the action

LOG_RE = re.compile(r"^\[(\d+)\.(\d+)\] (.*)$")


HERE = os.path.dirname(os.path.abspath(__file__))
VFPLUG = os.path.join(HERE, "vfplug.py")
PORTWATCH = os.path.join(HERE, "portwatch.py")


def sh(args, check=True, **kw):
    return subprocess.run(args, check=check, capture_output=True, text=True, **kw)


def wait_active(c, timeout=3.0):
    """The pair once it is active (polling the daemon), None if it is not in time."""
    try:
        return c.daemon.wait_state("active", timeout)[0]
    except LabError:
        return None


def wait_file(path, timeout=5.0):
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > end:
            raise RuntimeError("receiver not ready: " + path)
        time.sleep(0.005)


def daemon_log_since(c, mono_ns):
    """(t_mono_ns, message) of daemon log lines at or after mono_ns."""
    out = []
    with open(c.daemon.log_path) as f:
        for line in f:
            m = LOG_RE.match(line.rstrip("\n"))
            if not m:
                continue
            t = int(m.group(1)) * 1_000_000_000 + int(m.group(2)) * 1000
            if t >= mono_ns:
                out.append((t, m.group(3)))
    return out


def first_after(lines, t0, pred):
    for t, msg in lines:
        if pred(msg):
            return (t - t0) / 1e6
    return None


def window_loss(recv, t_from_real, t_to_real):
    """Lost packets whose estimated arrival falls in [t_from, t_to)."""
    tl = recv["timeline"]
    iv = tl["interval_ms"] * 1_000_000
    start = recv["start_unix_ns"]
    n = 0
    for i, lost in enumerate(tl["lost"]):
        t = start + i * iv
        if t_from_real <= t < t_to_real:
            n += lost
    return n


def window_gap(recv, t_from_real, t_to_real):
    start = recv["start_unix_ns"]
    g = 0.0
    for gap in recv.get("gaps", []):
        t = start + int(gap["start_ms"] * 1e6)
        if t_from_real <= t < t_to_real:
            g = max(g, gap["ms"])
    return g


def iteration(c, k, scenario):
    rec = {"run": k, "scenario": scenario}
    st0 = wait_active(c)
    if not st0:
        rec["error"] = "pair not active before the run"
        return rec
    port = 20000 + (k % 1000) * 2
    pfx = os.path.join(c.work, "sw%03d" % k)
    procs = {}
    # the next VF, made ready now (outside the measured windows), plugged at ADD_AT
    c.host_end = "hvf1" if c.host_end == "hvf0" else "hvf0"
    plugp = subprocess.Popen(
        argv_in(c.h, [sys.executable, VFPLUG, "--guest-netns", "/run/netns/" + c.g,
           "--mac", MAC, "--data-port", str(port), "--timeout", "0.6", "--host-end",
           c.host_end, "--wait-go"]),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = plugp.stdout.readline().strip() == "ready"
    for side, nsn, ip, p in (("tx", c.p, PIP, port), ("rx", c.g, GIP, port + 1)):
        ready = pfx + "." + side + ".ready"
        procs["recv_" + side] = subprocess.Popen(
            argv_in(nsn, [c.bins["traffic"], "udp-recv", "--bind", "%s:%d" % (ip, p), "--duration",
                          "8", "--interval-ms", "1", "--gap-ms", "1", "--ready-file", ready,
                          "--json"]),
            stdout=open(pfx + "." + side + ".recv.json", "w"))
    for side in ("tx", "rx"):
        wait_file(pfx + "." + side + ".ready")
    t_start = time.monotonic()
    for side, nsn, ip, p in (("tx", c.g, PIP, port), ("rx", c.p, GIP, port + 1)):
        procs["send_" + side] = subprocess.Popen(
            argv_in(nsn, [c.bins["traffic"], "udp-send", "--to", "%s:%d" % (ip, p), "--rate",
                          str(RATE), "--duration", str(STREAM_S), "--json"]),
            stdout=open(pfx + "." + side + ".send.json", "w"))

    # first guest frame on the standby's host port after the removal: TX is back
    watch = subprocess.Popen(
        argv_in(c.h, [sys.executable, PORTWATCH, "--ifname", "hsby", "--mac", MAC,
           "--timeout", "0.35"]), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if watch.stdout.readline().strip() != "ready":
        rec["error"] = "portwatch did not start"
    time.sleep(max(0.0, t_start + REMOVE_AT - time.monotonic()))
    t_rm_mono, t_rm_real = time.monotonic_ns(), time.time_ns()
    try:
        watch.stdin.write("%d\n" % t_rm_real)
        watch.stdin.flush()
    except OSError:
        pass
    if scenario == "orderly":
        r = c.daemon.cli("release", "sby")
        rec["release_ms"] = (time.monotonic_ns() - t_rm_mono) / 1e6
        if r.returncode:
            rec["error"] = "release failed: " + r.stderr.strip()
    t_del_mono = time.monotonic_ns()
    r = sh(["ip", "-n", c.g, "link", "del", "vf0"], check=False)
    rec["del_ms"] = (time.monotonic_ns() - t_del_mono) / 1e6
    if r.returncode:
        rec["error"] = "ip link del vf0 failed: " + r.stderr.strip()

    try:
        w = json.loads(watch.communicate(timeout=5)[0] or "{}")
        if w.get("first_ns"):
            rec["tx_on_standby_ms"] = (w["first_ns"] - t_rm_real) / 1e6
            rec["tx_on_standby_kind"] = w["kind"]
    except (subprocess.TimeoutExpired, ValueError):
        watch.kill()
        watch.wait()
    late = time.monotonic() - (t_start + ADD_AT)
    if late > 0:
        rec["add_late_ms"] = late * 1000
    time.sleep(max(0.0, -late))
    plug = None
    try:
        out, err = plugp.communicate("go\n", timeout=10)
    except subprocess.TimeoutExpired:
        plugp.kill()
        out, err = plugp.communicate()
    if ready and plugp.returncode == 0:
        plug = json.loads(out.strip().splitlines()[-1])
    else:
        rec["error"] = "vfplug: " + err.strip()

    for name, p in procs.items():
        try:
            p.wait(timeout=12)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rec["error"] = name + " did not finish"
    recv = {}
    for side in ("tx", "rx"):
        try:
            recv[side] = json.load(open(pfx + "." + side + ".recv.json"))
        except (OSError, ValueError):
            rec["error"] = "no report from receiver " + side
            return rec

    t_add_real = plug["t0_real_ns"] if plug else t_rm_real + int((ADD_AT - REMOVE_AT) * 1e9)
    for side in ("tx", "rx"):
        rv = recv[side]
        rec["lost_%s_total" % side] = rv["lost"]
        rec["lost_%s_before" % side] = window_loss(rv, 0, t_rm_real - MARGIN_NS)
        rec["lost_%s_remove" % side] = window_loss(rv, t_rm_real - MARGIN_NS, t_add_real - MARGIN_NS)
        rec["lost_%s_return" % side] = window_loss(rv, t_add_real - MARGIN_NS, 1 << 62)
        rec["gap_%s_remove_ms" % side] = window_gap(rv, t_rm_real - MARGIN_NS, t_add_real - MARGIN_NS)
        rec["gap_%s_return_ms" % side] = window_gap(rv, t_add_real - MARGIN_NS, 1 << 62)
        # control: the same stream before anything happened (scheduling noise)
        rec["gap_%s_control_ms" % side] = window_gap(rv, rv["start_unix_ns"] + 50_000_000,
                                                     t_rm_real - MARGIN_NS)
        rec["dup_%s" % side] = rv["duplicates"]
        rec["reordered_%s" % side] = rv["reordered"]
        # where the lost frames of the removal window would have arrived, ms after the action
        tl, iv = rv["timeline"], rv["timeline"]["interval_ms"]
        rec["lost_%s_at_ms" % side] = [
            round((rv["start_unix_ns"] + i * iv * 1_000_000 - t_rm_real) / 1e6, 1)
            for i, n in enumerate(tl["lost"]) if n
            and t_rm_real - MARGIN_NS <= rv["start_unix_ns"] + i * iv * 1_000_000 < t_add_real - MARGIN_NS]
        rec["lost_%s_return_at_ms" % side] = [
            round((rv["start_unix_ns"] + i * iv * 1_000_000 - t_add_real) / 1e6, 1)
            for i, n in enumerate(tl["lost"]) if n
            and rv["start_unix_ns"] + i * iv * 1_000_000 >= t_add_real - MARGIN_NS]
    if plug:
        rec["return_first_any_ms"] = plug["first_any_ms"]
        rec["return_first_any_kind"] = plug["first_any_kind"]
        rec["return_first_data_ms"] = plug["first_data_ms"]
        rec["return_first_data_after_ms"] = plug["first_data_after_ms"]
        rec["move_call_ms"] = plug["move_call_ms"]
        rec["guest_newlink_ms"] = plug["guest_newlink_ms"]
        rec["return_first_data_from_newlink_ms"] = plug["first_data_from_newlink_ms"]
        rec["return_first_any_from_newlink_ms"] = plug["first_any_from_newlink_ms"]
        for k in ("guest_up_ms", "guest_running_ms", "host_port_forwarding_ms",
                  "data_before_port_forwarding"):
            rec[k] = plug.get(k)
        rec["t_add_mono_ns"] = plug["t0_mono_ns"]
    rec["t_rm_mono_ns"] = t_rm_mono

    # the daemon's view, from its -v log (CLOCK_MONOTONIC timestamps)
    lines = daemon_log_since(c, t_rm_mono)
    # first log line of any kind: with the fast path the daemon steers first,
    # announces (and logs "announced") and only then logs the rest
    rec["daemon_saw_remove_ms"] = first_after(lines, t_rm_mono, lambda m: True)
    # the datapath left the VF: the state change is logged after the steering
    # and the announcement; the announcement's own debug line comes first
    rec["daemon_announced_ms"] = first_after(lines, t_rm_mono, lambda m: "announced" in m)
    rec["daemon_left_active_ms"] = first_after(lines, t_rm_mono, lambda m: m.startswith("sby: active ->"))
    if plug:
        lines = daemon_log_since(c, plug["t0_mono_ns"])
        t0 = plug["t0_mono_ns"]
        rec["daemon_saw_vf_ms"] = first_after(lines, t0, lambda m: "vf0 is its VF" in m)
        # "binding -> active", or "probing -> active" once the path is proven
        rec["daemon_active_ms"] = first_after(lines, t0, lambda m: m.startswith("sby: ")
                                              and m.endswith(")") and " -> active (" in m)
        rec["daemon_binding_ms"] = first_after(lines, t0, lambda m: m.startswith("sby: no-vf -> binding"))

        def up_event(m):
            f = re.match(r"debug: vf0: link flags (0x[0-9a-f]+)", m)
            return bool(f) and int(f.group(1), 16) & 1 == 1
        rec["daemon_vf_up_event_ms"] = first_after(lines, t0, up_event)
        # logged right after the send (sriov-failoverd -v)
        rec["daemon_first_probe_ms"] = first_after(lines, t0,
                                                   lambda m: "probing the path through" in m)
    st1 = wait_active(c, 2.0)
    if st1:
        for key in ("tx_nodev", "tx_standby_packets", "close_hook_flips"):
            rec["dp_%s" % key] = st1["datapath_counters"][key] - st0["datapath_counters"][key]
    else:
        rec["error"] = rec.get("error", "") + " pair not active after the run"
    return rec


def run(c, orderly, surprise, max_seconds, out_path):
    """Runs orderly + surprise iterations (surprise spread evenly among the orderly
    ones) within max_seconds, one JSON line each in out_path.  c: the Bench (its
    namespaces, daemon and work directory) with the programs' paths.  Returns 0, or
    1 after too many failed runs."""
    total = orderly + surprise
    plan = []
    s_done = 0
    for k in range(total):
        want_s = round((k + 1) * surprise / total) if total else 0
        if want_s > s_done:
            plan.append("surprise")
            s_done += 1
        else:
            plan.append("orderly")
    c.host_end = "hvf0"  # the topology's first VF
    t_end = time.monotonic() + max_seconds
    errors = 0
    done = {"orderly": 0, "surprise": 0}
    with open(out_path, "w") as out:
        for k, scen in enumerate(plan, 1):
            if time.monotonic() > t_end:
                print("switch: time budget (%.0f s) used up after %d runs" % (max_seconds, k - 1),
                      file=sys.stderr)
                break
            rec = iteration(c, k, scen)
            out.write(json.dumps(rec) + "\n")
            out.flush()
            if "error" in rec:
                errors += 1
                print("switch: run %d (%s): %s" % (k, scen, rec["error"]), file=sys.stderr)
                if errors > 5:
                    print("switch: too many errors, stopping", file=sys.stderr)
                    return 1
                # put a VF back if the run left none
                if sh(["ip", "-n", c.g, "link", "show", "vf0"], check=False).returncode:
                    c.host_end = "hvf1" if c.host_end == "hvf0" else "hvf0"
                    sh(["ip", "-n", c.h, "link", "del", c.host_end], check=False)
                    sh(argv_in(c.h, [sys.executable, VFPLUG, "--guest-netns",
                                     "/run/netns/" + c.g, "--mac", MAC, "--data-port", "1",
                                     "--timeout", "0.1", "--host-end", c.host_end]), check=False)
                continue
            done[scen] += 1
            if k % 10 == 0:
                print("[%s] %d/%d runs (orderly %d, surprise %d)" % (
                    time.strftime("%H:%M:%S"), k, total, done["orderly"], done["surprise"]),
                    file=sys.stderr)
    return 0
