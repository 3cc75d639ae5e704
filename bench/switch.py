#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""switch.py: frames lost when the VF leaves (orderly release, surprise
removal) and how fast a returning VF carries traffic.

Run as root from a checkout:  labkit/run bench/switch.py [OPTIONS]

Each run streams 20 kpps of 64-byte sequenced UDP both ways (guest -> peer and
peer -> guest, sfo-traffic, 1 ms loss timelines) for 1.8 s; at 0.4 s the VF
leaves, at 0.8 s a new one is hot-plugged:
  (a) orderly:  sriov-failover release sby; ip link del vf0     goal: 0 lost
  (b) surprise: ip link del vf0 (VF active)                     goal: max <= 10
  (c) return:   new vf0/hvfN made in the host namespace, hvfN bridged and up,
                vf0 moved into the guest (one RTM_NEWLINK, timed); time from
                the guest being told of vf0 (RTM_NEWLINK seen by a link
                monitor in the guest namespace) to the first frame from the
                guest on hvfN (AF_PACKET capture, kernel timestamps: the
                daemon's gratuitous ARP or the stream's data)    goal: <= 5 ms
                and, since the daemon probes the path through a new VF before
                using it (its first frame is then a probe, not traffic), from
                vf0 RUNNING in the guest to the first data frame on hvfN
                                                          goal: p90 <= 5 ms
Surprise runs are spread evenly among the orderly ones; every run measures (c).
Losses are split into the removal window and the return window by time.
Topology: benchnet.py.  Environment: SFO_BUILD (default: the checkout's build/).
Takes about 2 s per run.  Exit status: 0 measured (goals met or not), 1 error,
2 usage.
"""

import json
import os
import signal
import subprocess
import sys
import time

import summarize
import switch_run
from benchnet import Bench, binaries, die, log, parser


def goals(runs_path):
    runs = [json.loads(line) for line in open(runs_path) if line.strip()]

    def get(sc, k):
        return [r[k] for r in runs if r["scenario"] == sc and r.get(k) is not None and
                "error" not in r]

    def ok_runs(k):
        return sorted(r[k] for r in runs if r.get(k) is not None and "error" not in r)

    o = get("orderly", "lost_tx_remove"), get("orderly", "lost_rx_remove")
    s = get("surprise", "lost_tx_remove"), get("surprise", "lost_rx_remove")
    ret, ret_move = ok_runs("return_first_any_from_newlink_ms"), ok_runs("return_first_any_ms")
    up_data = sorted(r["return_first_data_ms"] - r["guest_running_ms"] for r in runs
                     if r.get("return_first_data_ms") is not None and
                     r.get("guest_running_ms") is not None and "error" not in r)
    print("\ngoals:")
    if o[0]:
        ok = sum(o[0]) == 0
        print("  (a) orderly, guest->peer: %s  %d of %d runs lost frames (max %d); "
              "peer->guest: %d of %d (max %d)" % (
                  "MET   " if ok else "MISSED", sum(1 for v in o[0] if v), len(o[0]), max(o[0]),
                  sum(1 for v in o[1] if v), len(o[1]), max(o[1]) if o[1] else 0))
    if s[0]:
        ok = max(s[0]) <= 10
        print("  (b) surprise, guest->peer: %s  p100 %d frames over %d runs; peer->guest p100 %d"
              % ("MET   " if ok else "MISSED", max(s[0]), len(s[0]), max(s[1]) if s[1] else -1))
    if ret:
        n = len(ret)
        med = ret[n // 2] if n % 2 else (ret[n // 2 - 1] + ret[n // 2]) / 2
        print("  (c) return, VF appears in the guest (RTM_NEWLINK) -> first frame out of it: %s "
              " median %.2f ms, max %.2f ms over %d runs (<= 5 ms)" % (
                  "MET   " if max(ret) <= 5 else "MISSED", med, max(ret), n))
        print("      (from the start of the hot-plug call, which itself takes the kernel %s: "
              "median %.2f ms, max %.2f ms)" % ("see 'NEWLINK after move start'",
                                                ret_move[len(ret_move) // 2], max(ret_move)))
    if up_data:
        n = len(up_data)
        p90 = summarize.pct(up_data, 90)
        print("  (c') return, vf0 RUNNING in the guest -> first data frame out of it: %s  "
              "median %.2f ms, p90 %.2f ms, max %.2f ms over %d runs (p90 <= 5 ms)" % (
                  "MET   " if p90 <= 5 else "MISSED", up_data[n // 2], p90, up_data[-1], n))
    errs = [r for r in runs if "error" in r]
    if errs:
        print("  %d run(s) had errors (excluded): %s" % (
            len(errs), "; ".join(sorted({r["error"] for r in errs}))))


def daemon_sched(pid):
    """The daemon's scheduling, as the header records it: "fifo/10" or "other"."""
    policy = os.sched_getscheduler(pid) & ~os.SCHED_RESET_ON_FORK
    if policy == os.SCHED_FIFO:
        return f"fifo/{os.sched_getparam(pid).sched_priority}"
    return "other" if policy == os.SCHED_OTHER else str(policy)


def perf_in_tracefs(*perf_args):
    """perf with a tracefs of its own (a private mount namespace)."""
    return ["unshare", "-m", "sh", "-c", 'mount -t tracefs nodev /sys/kernel/tracing && '
            'exec perf "$@"', "sh"] + list(perf_args)


def main():
    ap = parser(__doc__)
    ap.add_argument("-a", type=int, default=100, metavar="N", help="orderly runs (default 100)")
    ap.add_argument("-b", type=int, default=20, metavar="N", help="surprise runs (default 20)")
    ap.add_argument("-m", type=int, default=330, metavar="SECONDS",
                    help="time budget for the runs (default 330): stops early, says so")
    ap.add_argument("-p", action="store_true",
                    help="diagnose: record the kernel's skb drops (perf, tracepoint "
                    "skb:kfree_skb, system-wide, in a private tracefs mount) and print, per "
                    "scenario and window, where IPv4 frames were dropped and why (other "
                    "tenants' drops in the same windows count too)")
    ap.add_argument("-o", metavar="DIR", help="keep raw results (runs.jsonl, every receiver's "
                    "JSON, daemon log) in DIR")
    ap.add_argument("-x", action="append", default=[], metavar="LINE",
                    help="add LINE to the daemon's [global] configuration, e.g. "
                    "-x 'probe-path = no' (the baseline without path probing); repeatable")
    a = ap.parse_args()
    if a.a < 0 or a.b < 0 or a.a + a.b < 1:
        ap.error("nothing to run (-a and -b: whole numbers, at least one run)")
    if not 10 <= a.m <= 3600:
        ap.error("-m must be 10..3600")
    bins = binaries(tools=("ping",) + (("perf", "unshare") if a.p else ()))
    with Bench(bins) as b:
        t0 = time.time()
        log(f"topology {b.id}, daemon; {a.a} orderly + {a.b} surprise runs, budget {a.m} s")
        b.topo_up()
        b.daemon_start(extra=a.x)
        b.wait_active()
        b.ping(b.g)
        hook = "on" if "close hook on" in b.daemon.log() else "unavailable"
        sched = daemon_sched(b.daemon.proc.pid)
        perf = None
        if a.p:
            perf = b.start(None, perf_in_tracefs("record", "-q", "-k", "mono", "-e",
                                                 "skb:kfree_skb", "-a", "-o",
                                                 b.path("drops.data")), name="perf")
            time.sleep(1)
            if not perf.alive():
                die("perf record failed")
        runs = b.path("runs.jsonl")
        if switch_run.run(b, a.a, a.b, a.m, runs) != 0:
            die("switch runs failed (see above)")
        elapsed = time.time() - t0
        if perf:
            perf.stop(signal.SIGINT, 30)
            with open(b.path("drops.txt"), "w") as out:
                if subprocess.run(perf_in_tracefs("script", "-i", b.path("drops.data"), "-F",
                                                  "time,trace"), stdout=out).returncode:
                    die("perf script failed")
            os.remove(b.path("drops.data"))
        print(f"# switch.py {time.strftime('%Y-%m-%dT%H:%M:%S%z')} {os.uname().release} "
              f"nproc={os.cpu_count()} close-hook={hook} daemon-sched={sched} elapsed={elapsed:.0f}s", flush=True)
        summarize.main(["summarize.py", "switch", runs])
        goals(runs)
        if a.p:
            print(flush=True)
            summarize.main(["summarize.py", "drops", runs, b.path("drops.txt")])
        b.keep(a.o)
    return 0


if __name__ == "__main__":
    sys.exit(main())
