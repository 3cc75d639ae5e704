#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""footprint.py: sriov-failoverd's memory and idle wake-ups, with 1 and 4 pairs.

Run as root from a checkout:  labkit/run bench/footprint.py [OPTIONS]

For 1 pair, then 4 pairs (each a standby sbyN with its VF vfN, all active):
  memory   VmRSS, VmHWM, RssAnon, RssFile and Pss of the daemon (/proc/PID/status,
           smaps_rollup), after start-up and a few status queries   goal VmRSS <= 4 MiB
  idle     wake-ups over a window with no event: context switches of all the
           daemon's threads (voluntary + involuntary, /proc/PID/task/*/status)
           and times scheduled (/proc/PID/task/*/schedstat)          goal 0
  busy     the same while 20 kpps of UDP flow through sby0 -> vf0 (the
           datapath is in the kernel: the daemon should not wake up either)
The 4-pair topology is built afresh (no leftover of the 1-pair run).
Environment: SFO_BUILD (default: the checkout's build/).  Takes about 1 minute.
Exit status: 0 measured (goals met or not), 1 error, 2 usage.
"""

import glob
import os
import shutil
import sys
import time

from benchnet import PIP, Bench, binaries, die, log, parser
from sfolabkit import netns
from sfolabkit.proc import LabError, wait_until


def topo_pairs(b, n):
    """Guest with sby0..sbyN-1 (198.51.(100+i).1/24) and vf0..vfN-1, the host's
    bridge, the peer PIP (reached through sby0)."""
    b.add_namespaces(b.g, b.h, b.p)
    netns.bridge(b.h, "br0")
    for i in range(n):
        mac = f"02:5b:00:00:01:0{i}"
        netns.veth(b.g, f"sby{i}", b.h, f"hs{i}", mac=mac)
        netns.veth(b.g, f"vf{i}", b.h, f"hv{i}", mac=mac)
        netns.port(b.h, f"hs{i}")
        netns.port(b.h, f"hv{i}")
        netns.ip(b.g, "addr", "add", f"198.51.{100 + i}.1/24", "dev", f"sby{i}")
        netns.ip(b.g, "link", "set", f"sby{i}", "up")
    netns.veth(b.p, "eth0", b.h, "hpeer")
    netns.port(b.h, "hpeer")
    netns.ip(b.p, "addr", "add", f"{PIP}/24", "dev", "eth0")
    netns.ip(b.p, "link", "set", "eth0", "up")


def wakeups(pid):
    """(voluntary + involuntary context switches, times scheduled) of all threads."""
    cs = runs = 0
    for t in glob.glob(f"/proc/{pid}/task/*"):
        with open(f"{t}/status") as f:
            cs += sum(int(ln.split()[1]) for ln in f
                      if ln.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")))
        with open(f"{t}/schedstat") as f:
            runs += int(f.read().split()[2])
    return cs, runs


def mem(pid):
    """{VmRSS, VmHWM, RssAnon, RssFile, RssShmem, Pss} in kB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for ln in f:
            k = ln.split(":")[0]
            if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
                out[k] = int(ln.split()[1])
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for ln in f:
            if ln.startswith("Pss:"):
                out["Pss"] = int(ln.split()[1])
    return out


def fmt(d):
    return " ".join(f"{k}={v}" for k, v in d.items())


def measure(b, n, win):
    """Prints the lines of n pairs; returns (VmRSS kB, idle context switches)."""
    names = [f"sby{i}" for i in range(n)]
    topo_pairs(b, n)
    d = b.daemon_start(names)
    try:
        wait_until(lambda: (lambda p: len(p) == n and all(x["state"] == "active" for x in p))(
            d.status().get("pairs", [])), 5.0, 0.05, f"{n} pair(s) active")
    except LabError as e:
        die(f"{e}: {d.cli('status').stdout}")
    b.ping(b.g, what="sby0")
    for args in (["status"], ["-j", "status"], ["adapters"], ["events"]):
        d.cli(*args)
    time.sleep(1)
    pid = d.proc.pid
    print(f"pairs={n} threads={len(os.listdir(f'/proc/{pid}/task'))} after-start {fmt(mem(pid))}")

    time.sleep(2)  # let any announcement or timer run out
    w0 = wakeups(pid)
    time.sleep(win)
    w1 = wakeups(pid)
    idle = w1[0] - w0[0]
    print(f"pairs={n} idle window={win}s ctxt_switches={idle} times_scheduled={w1[1] - w0[1]}")

    ready = b.path(f"fp{n}.ready")
    with open(b.path(f"fp-recv-{n}.json"), "w") as out:
        rp = b.start(b.p, ["timeout", str(win + 15), b.bins["traffic"], "udp-recv", "--bind",
                           f"{PIP}:7100", "--duration", str(win + 10), "--gap-ms", "0",
                           "--ready-file", ready, "--json"], stdout=out, name="udp-recv")
    b.wait_ready(ready, rp)
    tx0 = d.pair("sby0")["datapath_counters"]["tx_vf_packets"]
    w0 = wakeups(pid)
    b.run_to_file(b.g, ["timeout", str(win + 15), b.bins["traffic"], "udp-send", "--to",
                        f"{PIP}:7100", "--rate", "20000", "--duration", str(win), "--json"],
                  b.path(f"fp-send-{n}.json"), win + 20)
    w1 = wakeups(pid)
    rp.wait(20)
    tx1 = d.pair("sby0")["datapath_counters"]["tx_vf_packets"]
    print(f"pairs={n} busy window={win}s (20 kpps through vf0: {tx1 - tx0} frames) "
          f"ctxt_switches={w1[0] - w0[0]} times_scheduled={w1[1] - w0[1]}")
    m = mem(pid)
    print(f"pairs={n} after-traffic {fmt(m)}", flush=True)
    shutil.copy(d.log_path, b.path(f"daemon-{n}.log"))
    b.daemon_stop()
    b.topo_down()
    return m["VmRSS"], idle


def main():
    ap = parser(__doc__)
    ap.add_argument("-w", type=int, default=10, metavar="SECONDS",
                    help="idle and busy windows (default 10)")
    a = ap.parse_args()
    if not 1 <= a.w <= 300:
        ap.error("-w must be 1..300")
    bins = binaries(tools=("ping",))
    with Bench(bins) as b:
        t0 = time.time()
        print(f"# footprint.py {time.strftime('%Y-%m-%dT%H:%M:%S%z')} {os.uname().release} "
              f"nproc={os.cpu_count()} window={a.w}s", flush=True)
        results = {}
        for n in (1, 4):
            log(f"{n} pair(s)")
            results[n] = measure(b, n, a.w)
        print("\ngoals:")
        for n, (rss, _) in results.items():
            print("  VmRSS with %d pair(s): %-6s %d KiB (%.2f MiB; <= 4 MiB)" % (
                n, "MET" if rss <= 4096 else "MISSED", rss, rss / 1024))
        for n, (_, idle) in results.items():
            print(f"  idle wake-ups with {n} pair(s):  {'MET' if idle == 0 else 'MISSED'} {idle} "
                  f"context switches in {a.w} s (goal 0)")
        print(f"elapsed {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
