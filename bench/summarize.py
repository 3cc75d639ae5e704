#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Summaries of the bench/ scripts' raw results (called by them).

  summarize.py datapath RESULTS.tsv DPBENCH.txt...
  summarize.py decompose RESULTS.tsv
  summarize.py switch RUNS.jsonl
  summarize.py drops RUNS.jsonl DROPS.txt     (perf script -F time,trace of skb:kfree_skb)
"""
import json
import math
import statistics
import sys

from sfolabkit import stats

# issue 11 item 2: UDP pps with the datapath >= 0.98 x direct on TX, >= 0.95 on RX
UDP_GOALS = {"udp_tx": 0.98, "udp_rx": 0.95}

def med(v):
    return statistics.median(v) if v else float("nan")


def fmt(x, nd=1):
    if x != x:  # nan
        return "-"
    return f"{x:.{nd}f}"


# ---------------------------------------------------------------- datapath

def robust_sd(v):
    """1.4826 x the median absolute deviation: the SD for normal data, but not blown
    up by the odd pair a neighbour's burst spoiled; the median's CI is about
    +-2.5 x this / sqrt(N), which tells how many pairs a goal needs."""
    m = statistics.median(v)
    return 1.4826 * statistics.median(abs(x - m) for x in v)


def paired_ci(a, b, diff=False):
    """The rounds' paired ratios a[r] / b[r] (differences with diff) of two series
    {round: value}: (N, median, low, high, coverage, spread), the 95 % CI of the
    median from sfolabkit.stats; None without pairs."""
    if diff:
        paired = [a[r] - b[r] for r in sorted(a) if r in b]
    else:
        paired = [a[r] / b[r] for r in sorted(a) if r in b and b[r] > 0]
    if not paired:
        return None
    m, lo, hi, cover = stats.median_ci(paired)
    return len(paired), m, lo, hi, cover, robust_sd(paired)


def ci_cols(lo, hi, cover):
    """low, high and coverage columns ('-' without an interval: fewer than 6 pairs)."""
    if lo is None:
        return f"{'-':>6} {'-':>6} {'-':>6}"
    return f"{lo:.4f} {hi:.4f} {100 * cover:5.1f}%"


def parse_dpbench(paths):
    """{(program, case): {"ns": [...], "net": [...]}} over several outputs."""
    out = {}
    for p in paths:
        for line in open(p):
            parts = line.split()
            if len(parts) < 7 or parts[0] in ("BPF_PROG_TEST_RUN,", "program"):
                continue
            try:
                [int(x) for x in parts[-5:-1]]
            except ValueError:
                continue
            # program, case words..., ns/run, min, max, -base, x base
            prog = parts[0]
            case = " ".join(parts[1:-5])
            ns, net = int(parts[-5]), int(parts[-2])
            d = out.setdefault((prog, case), {"ns": [], "net": []})
            d["ns"].append(ns)
            d["net"].append(net)
    return out


def read_results(res_path):
    """A bench's results.tsv (round, config, test, key, value per line) as
    {(test, key): {config: {round: value}}}. Also reads the files kept from
    before 2026-12-07 (bench/results/): decompose's had a sixth column (the
    port the traffic crossed) and called kpps_per_cpu_s kpkt_per_cpu_s."""
    rows = [l.rstrip("\n").split("\t") for l in open(res_path) if l.strip()]
    data = {}
    for r, cfg, test, key, val, *_ in rows:
        if val in ("None", "null"):
            continue
        key = "kpps_per_cpu_s" if key == "kpkt_per_cpu_s" else key
        data.setdefault((test, key), {}).setdefault(cfg, {})[int(r)] = float(val)
    return data


def datapath(res_path, dpb_paths):
    data = read_results(res_path)  # (test, key) -> cfg -> {round: value}

    def series(test, key, cfg):
        return data.get((test, key), {}).get(cfg, {})

    lines = []
    verdicts = []
    lines.append("%-8s %-12s %4s %12s %12s %8s %8s  %s" % (
        "test", "metric", "N", "2-netdev", "direct", "ratio", "paired", "goal"))

    def ratio_row(test, key, label, goal_ratio=None):
        a, b = series(test, key, "2netdev"), series(test, key, "direct")
        if not a or not b:
            return  # a test not run (--tests)
        ma, mb = med(list(a.values())), med(list(b.values()))
        paired = [a[r] / b[r] for r in a if r in b and b[r] > 0]
        ratio = ma / mb if mb else float("nan")
        pr = med(paired)
        goal = ""
        if goal_ratio is not None:
            ok = ratio >= goal_ratio
            goal = "%s (>= %.2f)" % ("MET" if ok else "MISSED", goal_ratio)
            verdicts.append((f"{test} {label} ratio", ok, f"{ratio:.4f}"))
        lines.append("%-8s %-12s %4d %12s %12s %8.4f %8.4f  %s" % (
            test, label, min(len(a), len(b)), fmt(ma), fmt(mb), ratio, pr, goal))

    ratio_row("tcp_tx", "mbit", "Mbit/s", 0.98)
    ratio_row("tcp_rx", "mbit", "Mbit/s", 0.98)
    ratio_row("tcp_tx", "retrans", "retransmits")
    ratio_row("tcp_rx", "retrans", "retransmits")
    ratio_row("tcp_tx", "gbit_per_cpu_s", "Gbit/CPU-s")
    ratio_row("tcp_rx", "gbit_per_cpu_s", "Gbit/CPU-s")
    # UDP: judged below on the paired ratios' confidence interval, not here
    ratio_row("udp_tx", "rx_pps", "pps@peer")
    ratio_row("udp_tx", "tx_pps", "pps sent")
    ratio_row("udp_tx", "kpps_per_cpu_s", "kpkt/CPU-s")
    ratio_row("udp_rx", "rx_pps", "pps@guest")
    ratio_row("udp_rx", "tx_pps", "pps sent")
    ratio_row("udp_rx", "kpps_per_cpu_s", "kpkt/CPU-s")
    for key, label in (("min_us", "RTT min us"), ("p50_us", "RTT p50 us"), ("p99_us", "RTT p99 us")):
        a, b = series("rr", key, "2netdev"), series("rr", key, "direct")
        if not a or not b:
            continue
        ma, mb = med(list(a.values())), med(list(b.values()))
        paired = [a[r] - b[r] for r in a if r in b]
        goal = ""
        if key == "min_us":
            ok = ma - mb <= 1.0
            goal = "%s (overhead %+.2f us, paired %+.2f; <= 1 us)" % (
                "MET" if ok else "MISSED", ma - mb, med(paired))
            verdicts.append(("min RTT overhead", ok, f"{ma - mb:+.2f} us"))
        else:
            goal = "(overhead %+.2f us, paired %+.2f)" % (ma - mb, med(paired))
        lines.append("%-8s %-12s %4d %12s %12s %8.4f %8s  %s" % (
            "rr", label, min(len(a), len(b)), fmt(ma, 2), fmt(mb, 2),
            ma / mb if mb else float("nan"), "", goal))
    print("\n".join(lines))

    # UDP pps goals: the rounds' paired ratios (the two runs of a pair back to back)
    ci_lines = []
    for test, goal in UDP_GOALS.items():
        for key, label in (("rx_pps", "pps@receiver"),
                           ("kpps_per_cpu_s", "kpkt/CPU-s")):
            p = paired_ci(series(test, key, "2netdev"), series(test, key, "direct"))
            if p is None:
                continue
            n, m, lo, hi, cover, spread = p
            v = stats.verdict(lo, hi, goal)
            ci_lines.append("%-8s %-12s %4d %8.4f %s %6.4f  %s" % (
                test, label, n, m, ci_cols(lo, hi, cover), spread, v))
            verdicts.append((f"{test} {label} paired >= {goal}", v,
                             f"median {m:.4f}, N={n}"))
    if ci_lines:
        print()
        print("UDP paired ratios 2-netdev / direct: median, 95 % CI of the median "
              "(order statistics; coverage), spread (1.4826 x MAD)")
        print("%-8s %-12s %4s %8s %6s %6s %6s %6s  %s" % (
            "test", "metric", "N", "median", "low", "high", "cover", "spread", "verdict"))
        print("\n".join(ci_lines))

    # program cost
    dpb = parse_dpbench(dpb_paths)
    if dpb:
        print()
        print("BPF_PROG_TEST_RUN (sfo-dp-bench -n 21, %d invocations; medians)" % max(
            len(d["ns"]) for d in dpb.values()))
        print("%-12s %-32s %8s %10s" % ("program", "case", "ns/run", "-baseline"))
        for (prog, case), d in dpb.items():
            print("%-12s %-32s %8.0f %10.0f" % (prog, case, med(d["ns"]), med(d["net"])))
        tx = dpb.get(("sby_egress", "mode vf: redirect to VF"))
        rx1 = dpb.get(("vf_ingress", "unicast: redirect to standby"))
        rx2 = dpb.get(("sby_ingress", "unicast: pass"))
        if tx and rx1 and rx2:
            txn, rxn = med(tx["net"]), med(rx1["net"]) + max(0, med(rx2["net"]))
            txa, rxa = med(tx["ns"]), med(rx1["ns"]) + med(rx2["ns"])
            print("per packet, net of the baseline: TX %.0f ns (sby_egress), "
                  "RX %.0f ns (vf_ingress + sby_ingress); gross: TX %.0f, RX %.0f ns"
                  % (txn, rxn, txa, rxa))
            for name, v in (("TX program cost", txn), ("RX program cost", rxn)):
                verdicts.append((name + " (net of baseline)", v <= 60, f"{v:.0f} ns (<= 60)"))
    print()
    print("goals:")
    for name, ok, val in verdicts:
        # ok: True / False, or a paired verdict's own word (met, missed, not resolved)
        word = ok.upper() if isinstance(ok, str) else "MET" if ok else "MISSED"
        print("  %-34s %-7s %s" % (name, word, val))


# ---------------------------------------------------------------- decompose

DECOMPOSE_SETUPS = ("sby", "hook", "redir", "daemon")  # each compared with direct


def decompose(res_path):
    """decompose.py's table: per set-up and UDP test the paired ratios set-up /
    direct (and daemon / redir) with their 95 % CI, and the per-packet cost
    difference from the medians; the round trip's paired differences; the cost of
    switching between set-ups."""
    data = read_results(res_path)
    comparisons = [(s, "direct") for s in DECOMPOSE_SETUPS] + [("daemon", "redir")]
    # per packet in ns from a median: rx_pps is packets per second at the receiver,
    # kpps_per_cpu_s packets per sender CPU-millisecond
    per_pkt_ns = {"rx_pps": 1e9, "kpps_per_cpu_s": 1e6}
    print("UDP 64 B paired ratios (runs of the same round): median, 95 % CI of the median "
          "(order statistics; coverage), spread (1.4826 x MAD); medians of both set-ups; "
          "+ns/pkt = 1/median - 1/median of the reference (at the receiver: wall time "
          "per packet; per CPU-s: the sender's CPU time per packet)")
    print("%-7s %-12s %-13s %4s %8s %6s %6s %6s %6s %11s %11s %8s" % (
        "test", "metric", "set-up/ref", "N", "median", "low", "high", "cover", "spread",
        "set-up", "ref", "+ns/pkt"))
    for test in ("udp_tx", "udp_rx"):
        for key, label in (("rx_pps", "pps@receiver"), ("kpps_per_cpu_s", "kpkt/CPU-s")):
            d = data.get((test, key), {})
            for setup, ref in comparisons:
                a, b = d.get(setup, {}), d.get(ref, {})
                p = paired_ci(a, b)
                if p is None:
                    continue
                n, m, lo, hi, cover, spread = p
                ma, mb = med(list(a.values())), med(list(b.values()))
                ns = per_pkt_ns[key] / ma - per_pkt_ns[key] / mb
                print("%-7s %-12s %-13s %4d %8.4f %s %6.4f %11.1f %11.1f %+8.1f" % (
                    test, label, f"{setup}/{ref}", n, m, ci_cols(lo, hi, cover), spread,
                    ma, mb, ns))
    rr_lines = []
    for key in ("min_us", "p50_us"):
        d = data.get(("rr", key), {})
        for setup, ref in comparisons:
            a, b = d.get(setup, {}), d.get(ref, {})
            p = paired_ci(a, b, diff=True)
            if p is None:
                continue
            n, m, lo, hi, cover, spread = p
            rr_lines.append("%-7s %-12s %-13s %4d %+8.3f %s %6.3f %11.2f %11.2f" % (
                "rr", key, f"{setup}-{ref}", n, m, ci_cols(lo, hi, cover), spread,
                med(list(a.values())), med(list(b.values()))))
    if rr_lines:
        print()
        print("request/response round trip (us): paired differences set-up - reference, "
              "95 % CI of the median; medians of both")
        print("\n".join(rr_lines))
    sw = data.get(("switch", "s"), {})
    if sw:
        per_round = {}
        for setup, runs in sw.items():
            for r, v in runs.items():
                per_round[r] = per_round.get(r, 0.0) + v
        print()
        print("switching into a set-up (s, median over rounds): " + ", ".join(
            f"{setup} {med(list(runs.values())):.2f}" for setup, runs in sorted(sw.items())) +
              f"; per round {med(list(per_round.values())):.2f}")


# ---------------------------------------------------------------- switch

def pct(v, p):
    """Nearest-rank percentile: the smallest value that p % of v do not exceed."""
    if not v:
        return float("nan")
    v = sorted(v)
    k = max(0, min(len(v) - 1, math.ceil(p / 100.0 * len(v)) - 1))
    return v[k]


def switch(path):
    runs = [json.loads(l) for l in open(path) if l.strip()]
    scen = {}
    for r in runs:
        scen.setdefault(r["scenario"], []).append(r)
    print("%-10s %-26s %4s %6s %6s %6s %6s %6s  %s" % (
        "scenario", "measure", "N", "median", "p90", "max", "sum", "zero", "runs>0"))

    def row(sc, label, vals):
        vals = [v for v in vals if v is not None]
        nz = sum(1 for v in vals if v > 0)
        print("%-10s %-26s %4d %6s %6s %6s %6s %6d  %s" % (
            sc, label, len(vals), fmt(med(vals), 1), fmt(pct(vals, 90), 1),
            fmt(max(vals) if vals else float("nan"), 1), fmt(sum(vals), 0),
            len(vals) - nz, nz))

    for sc in ("orderly", "surprise"):
        rs = scen.get(sc, [])
        if not rs:
            continue
        row(sc, "lost guest->peer (remove)", [r["lost_tx_remove"] for r in rs])
        row(sc, "lost peer->guest (remove)", [r["lost_rx_remove"] for r in rs])
        row(sc, "gap guest->peer ms", [r["gap_tx_remove_ms"] for r in rs])
        row(sc, "  control window", [r.get("gap_tx_control_ms") for r in rs])
        row(sc, "gap peer->guest ms", [r["gap_rx_remove_ms"] for r in rs])
        row(sc, "  control window", [r.get("gap_rx_control_ms") for r in rs])
        row(sc, "TX on standby port, ms", [r.get("tx_on_standby_ms") for r in rs])
        row(sc, "daemon's first log, ms", [r.get("daemon_saw_remove_ms") for r in rs])
        row(sc, "  'active ->' logged, ms", [r.get("daemon_left_active_ms") for r in rs])
        row(sc, "ip link del took, ms", [r.get("del_ms") for r in rs])
        row(sc, "frames saved by devmap", [r.get("dp_tx_nodev") for r in rs])
        row(sc, "lost guest->peer (return)", [r["lost_tx_return"] for r in rs])
        row(sc, "lost peer->guest (return)", [r["lost_rx_return"] for r in rs])
    rs = [r for r in runs if r.get("return_first_any_ms") is not None or "return_first_data_ms" in r]
    if rs:
        row("return", "NEWLINK->first frame, ms", [r.get("return_first_any_from_newlink_ms") for r in rs])
        row("return", "NEWLINK->first data, ms", [r.get("return_first_data_from_newlink_ms") for r in rs])
        row("return", "NEWLINK after move start", [r.get("guest_newlink_ms") for r in rs])
        row("return", "first frame (from move), ms", [r.get("return_first_any_ms") for r in rs])
        row("return", "first data (from move), ms", [r.get("return_first_data_ms") for r in rs])
        row("return", "first data (move done), ms", [r.get("return_first_data_after_ms") for r in rs])
        row("return", "netlink move call, ms", [r.get("move_call_ms") for r in rs])
        row("return", "daemon saw VF, ms", [r.get("daemon_saw_vf_ms") for r in rs])
        row("return", "daemon: binding, ms", [r.get("daemon_binding_ms") for r in rs])
        row("return", "daemon: VF up event, ms", [r.get("daemon_vf_up_event_ms") for r in rs])
        row("return", "daemon: first probe sent, ms", [r.get("daemon_first_probe_ms") for r in rs])
        row("return", "daemon logged active, ms", [r.get("daemon_active_ms") for r in rs])
        row("return", "guest: vf0 RUNNING, ms", [r.get("guest_running_ms") for r in rs])
        row("return", "RUNNING->first probe, ms", [
            r["daemon_first_probe_ms"] - r["guest_running_ms"] for r in rs
            if r.get("daemon_first_probe_ms") is not None and r.get("guest_running_ms") is not None])
        row("return", "RUNNING->first data, ms", [
            r["return_first_data_ms"] - r["guest_running_ms"] for r in rs
            if r.get("return_first_data_ms") is not None and r.get("guest_running_ms") is not None])
        row("return", "host: hvf0 forwarding, ms", [r.get("host_port_forwarding_ms") for r in rs])
        row("return", "data before forwarding", [r.get("data_before_port_forwarding") for r in rs])
        late = [r["add_late_ms"] for r in rs if r.get("add_late_ms")]
        if late:
            print("return: the hot-plug came late (machine slow) in %d run(s), by up to %.0f ms" % (
                len(late), max(late)))
        miss = sum(1 for r in rs if r.get("return_first_data_ms") is None)
        if miss:
            print("return: %d run(s) saw no data frame on the new VF" % miss)


def drops(runs_path, drops_path):
    """IPv4 skb drops (kernel tracepoint, all namespaces) inside each run's windows,
    by location and reason, against the rate seen in a control window of the
    same run (before anything happened): other tenants' drops cancel out."""
    import bisect
    import collections
    import re
    pat = re.compile(r"\s*(\d+)\.(\d+): .*protocol=(\d+) location=([^+\s]+)\S* reason: (\S+)")
    ev = []
    for line in open(drops_path):
        m = pat.match(line)
        if m and m.group(3) == "2048":
            ev.append((int(m.group(1)) * 10**9 + int(m.group(2).ljust(9, "0")[:9]),
                       m.group(4), m.group(5)))
    ev.sort()
    times = [e[0] for e in ev]

    def count(a, b):
        c = collections.Counter()
        for t, loc, reason in ev[bisect.bisect_left(times, a):bisect.bisect_left(times, b)]:
            c[(loc, reason)] += 1
        return c

    runs = [json.loads(l) for l in open(runs_path) if l.strip()]
    agg = {}
    ms = 1_000_000
    for r in runs:
        if "error" in r or "t_rm_mono_ns" not in r:
            continue
        t_rm = r["t_rm_mono_ns"]
        t_add = r.get("t_add_mono_ns") or (t_rm + 400 * ms)
        ctl_a, ctl_b = t_rm - 350 * ms, t_rm - 2 * ms
        ctl = count(ctl_a, ctl_b)
        for name, a, b, lost in (
                ("remove", t_rm - 2 * ms, t_rm + 60 * ms, r["lost_tx_remove"] + r["lost_rx_remove"]),
                ("return", t_add - 2 * ms, t_add + 120 * ms, r["lost_tx_return"] + r["lost_rx_return"])):
            d = agg.setdefault((r["scenario"], name), {"runs": 0, "lost": 0, "ms": 0,
                                                       "seen": collections.Counter(),
                                                       "expect": collections.Counter()})
            d["runs"] += 1
            d["lost"] += lost
            d["ms"] += (b - a) / ms
            d["seen"].update(count(a, b))
            scale = (b - a) / (ctl_b - ctl_a)
            for k, n in ctl.items():
                d["expect"][k] += n * scale
    print("IPv4 frames dropped (skb:kfree_skb) in the windows: remove = [-2, +60] ms around the")
    print("removal, return = [-2, +120] ms around the hot-plug; 'expected' = same run's rate before")
    print("the removal (other tenants' drops), scaled; rows with an excess of at least 2")
    for (sc, name), d in sorted(agg.items()):
        print("%s / %s: %d runs, %d frames lost by the streams (both directions)" % (
            sc, name, d["runs"], d["lost"]))
        rows = [(n - d["expect"][k], n, d["expect"][k], k) for k, n in d["seen"].items()]
        rows.sort(reverse=True)
        shown = 0
        for exc, n, exp, (loc, reason) in rows:
            if exc < 2:
                break
            print("    %6d seen %8.1f expected   %-28s %s" % (n, exp, loc, reason))
            shown += 1
        if not shown:
            print("    (nothing above the background)")


def main(argv):
    if len(argv) >= 3 and argv[1] == "datapath":
        datapath(argv[2], argv[3:])
    elif len(argv) == 3 and argv[1] == "decompose":
        decompose(argv[2])
    elif len(argv) == 3 and argv[1] == "switch":
        switch(argv[2])
    elif len(argv) == 4 and argv[1] == "drops":
        drops(argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
