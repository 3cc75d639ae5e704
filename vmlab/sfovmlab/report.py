# SPDX-License-Identifier: BSD-2-Clause
"""From raw results to the per-mode report (JSON) and the table.

Phases, on the host's clock, per migration leg (legs after the first get a
suffix "#2"):
  steady     traffic running, primary in use, before the host does anything
  unplug     the host's first action (release / device_del, or migrate for
             net_failover) until the migration is active (for net_failover this
             holds setup and wait-unplug)
  migration  active until the destination resumes (cancel: until cancelled)
  replug     until the primary's tap carries the guest's traffic again
  settled    the rest, until the next leg or the end of the traffic

Where a lost frame is placed. The receivers list every gap longer than about
2.4 packet intervals with the sequence numbers around it. udp_in is sent by the
peer on the host's clock: a lost sequence number N is placed at the sender's
start + N / rate. udp_out is received by the peer: its losses are spread over
the gap they caused, on the host's clock. ping uses the send times of the lost
requests. The few losses no listed gap explains fall back to the receiver's loss
timeline; for the receiver in the guest that is on the guest's clock, which
under TCG stands still while the VM is stopped and lags under load, mapped with
the guest-host offset measured after the traffic. The totals are exact.
"""

import json

PHASES = ("steady", "unplug", "migration", "replug", "settled")
STREAMS = ("udp_in", "udp_out", "ping")


def phase_starts(res):
    m = res["marks"]
    starts = [(m["traffic_start"], "steady")]
    for leg in res["legs"]:
        sfx = "" if leg["n"] == 1 else "#%d" % leg["n"]
        starts.append((leg["t_action"], "unplug" + sfx))
        t_act = leg.get("t_status_active")
        if t_act:
            starts.append((t_act, "migration" + sfx))
        starts.append((leg["t_resume"], "replug" + sfx))
        if leg.get("t_primary_back"):
            starts.append((leg["t_primary_back"], "settled" + sfx))
    starts.sort()
    return starts


def phase_of(starts, t):
    name = starts[0][1]
    for s, n in starts:
        if t >= s:
            name = n
        else:
            break
    return name


def _timeline_losses(rep, base, budget):
    """(host time, count) from the receiver's loss timeline, at most budget frames,
    the largest intervals first."""
    tl = rep.get("timeline") or {}
    iv = (tl.get("interval_ms") or 10) / 1000.0
    out = []
    for i, n in sorted(enumerate(tl.get("lost") or []), key=lambda x: -x[1]):
        if budget <= 0 or not n:
            break
        n = min(n, budget)
        budget -= n
        out.append((base + (i + 0.5) * iv, n))
    return out


def _gap_losses(rep):
    """(gap, a, b) for the listed gaps that hide lost packets a+1 .. b-1. Gaps are
    listed in arrival order; a packet that arrives after a higher one (reordered,
    e.g. one copy through each NIC) makes a backward gap, and the next forward
    gap only loses what lies above the highest sequence number seen so far."""
    high = -1
    for g in rep.get("gaps") or []:
        a, b = g.get("seq_before"), g.get("seq_after")
        if a is None or b is None:
            continue
        a0 = max(a, high)
        high = max(high, a, b)
        if b > a0 + 1:
            yield g, a0, b


def udp_in_losses(rep, send_rep, offset):
    """Receiver in the guest, sender (peer) on the host's clock."""
    out, placed = [], 0
    rate = send_rep.get("rate_pps") or rep.get("sender_rate_pps")
    t0 = send_rep.get("start_unix_ns")
    if rate and t0:
        for _g, a, b in _gap_losses(rep):
            for seq in range(a + 1, b):
                out.append((t0 / 1e9 + seq / rate, 1))
            placed += b - a - 1
    if placed > (rep.get("lost") or 0):
        # packets of a gap arrived later, reordered: the gaps overcount
        out, placed = [], 0
    rest = (rep.get("lost") or 0) - placed
    if rest > 0:
        out += _timeline_losses(rep, rep["start_unix_ns"] / 1e9 - offset, rest)
    return out


def udp_out_losses(rep):
    """Receiver (peer) on the host's clock: spread each gap's losses over the gap."""
    out, placed = [], 0
    base = rep["start_unix_ns"] / 1e9
    for g, a, b in _gap_losses(rep):
        n = b - a - 1
        for k in range(n):
            out.append((base + (g["start_ms"] + g["ms"] * (k + 1) / (n + 1)) / 1000.0, 1))
        placed += n
    if placed > (rep.get("lost") or 0):
        out, placed = [], 0
    rest = (rep.get("lost") or 0) - placed
    if rest > 0:
        out += _timeline_losses(rep, base, rest)
    return out


def outage_ms(stream, rep, send_rep=None, ping_interval=None):
    """Longest outage: the longest stretch of the sender's time whose packets
    were all lost (udp_in: in sequence numbers on the sender's clock, or runs in
    the loss timeline; udp_out:
    the gaps with losses on the peer's clock; ping: runs of lost requests).
    Unlike the longest gap between arrivals, a receiver in the guest that is
    briefly not scheduled under TCG does not count."""
    if stream == "ping":
        n = rep.get("longest_loss_run")
        return round((n + 1) * ping_interval * 1000, 1) if n else 0.0
    if "lost" in rep and not rep["lost"]:
        return 0.0
    best = 0.0
    rate = (send_rep or {}).get("rate_pps") or rep.get("sender_rate_pps")
    for g, a, b in _gap_losses(rep):
        # (the arrival gap is on the guest's clock, which stands still while the
        # VM is stopped: use the sender's; reordered packets can make b - a
        # overcount, the receiver's lost count bounds it)
        if stream == "udp_in" and rate:
            v = min(b - a, (rep.get("lost") or 0) + 1) * 1000.0 / rate
        else:
            v = g["ms"]
        best = max(best, v)
    if rate:
        # the receiver in the guest does not see the VM's downtime as a gap (its
        # clock stood still), and single losses make gaps below the listing
        # threshold: runs of lost packets in the loss timeline, which is laid
        # out on the sender's schedule, catch those
        run = 0
        for n in ((rep.get("timeline") or {}).get("lost") or []) + [0]:
            if n:
                run += n
            else:
                best = max(best, (run + 1) * 1000.0 / rate if run else 0.0)
                run = 0
    if rep.get("lost") and not best:
        return None
    return round(best, 1)


def _gap(rep, key="longest_gap"):
    g = rep.get(key)
    return round(g["ms"], 1) if isinstance(g, dict) and g.get("ms") is not None else None


def analyse(res):
    raw = res.get("raw")
    if not raw:
        return None
    starts = phase_starts(res)
    off = res.get("clock_offset_end") or res.get("clock_offset_start") or (0.0, 0.0)
    streams = {}
    ui = raw.get("udp_in") or {}
    uo = raw.get("udp_out_recv") or {}
    if "start_unix_ns" in ui:
        streams["udp_in"] = {"rep": ui, "losses": udp_in_losses(ui, raw.get("udp_in_send") or {}, off[0])}
    if "start_unix_ns" in uo:
        streams["udp_out"] = {"rep": uo, "losses": udp_out_losses(uo)}
    ping = raw.get("ping") or {}
    streams["ping"] = {"rep": ping, "losses": [(t, 1) for t in ping.get("lost_times", []) if t]}

    names = [n for _, n in starts]
    lost = {n: {s: 0 for s in STREAMS} for n in names}
    for s, d in streams.items():
        for t, n in d["losses"]:
            lost[phase_of(starts, t)][s] += n
    for n in lost:
        lost[n]["total"] = sum(lost[n][s] for s in STREAMS)
    totals = {
        "udp_in": ui.get("lost"), "udp_out": uo.get("lost"), "ping": ping.get("lost"),
    }
    totals["total"] = sum(v for v in totals.values() if isinstance(v, int))
    tcp = raw.get("tcp_stream") or {}
    sink = raw.get("tcp_sink") or {}
    out = {
        "lost_by_phase": lost,
        "lost": totals,
        "sent": {"udp_in": ui.get("sent"), "udp_out": uo.get("sent"), "ping": ping.get("sent")},
        "duplicates": {"udp_in": ui.get("duplicates"), "udp_out": uo.get("duplicates"),
                       "ping": ping.get("duplicates")},
        "longest_outage_ms": {"udp_in": outage_ms("udp_in", ui, raw.get("udp_in_send")),
                              "udp_out": outage_ms("udp_out", uo),
                              "ping": outage_ms("ping", ping, ping_interval=res["ping_interval"]),
                              "tcp": _gap(tcp, "longest_stall")},
        "longest_gap_ms": {"udp_in": _gap(ui), "udp_out": _gap(uo),
                           "ping": ping.get("longest_gap_ms"), "tcp": _gap(tcp, "longest_stall")},
        "guest_send_errors": (raw.get("udp_out_send") or {}).get("errors"),
        "gaps_unlisted": {"udp_in": ui.get("gaps_unlisted"), "udp_out": uo.get("gaps_unlisted")},
        "tcp": {"survived": tcp.get("survived"), "end_reason": tcp.get("end_reason"),
                "error": tcp.get("error"), "bytes_acked": tcp.get("bytes_acked"),
                "retransmits": tcp.get("retransmits"),
                "longest_stall_ms": _gap(tcp, "longest_stall"),
                "sink_clean": sink.get("clean"), "sink_end_reason": sink.get("end_reason")},
        "phases": [{"name": n, "start_s": round(t - res["marks"]["traffic_start"], 3)} for t, n in starts],
    }
    return out


def leg_summary(leg):
    keys = ("n", "from", "to", "cancel", "cancel_at", "status", "total_time_ms", "downtime_ms",
            "setup_time_ms", "host_total_time_ms", "host_downtime_ms", "release_output", "release_ms", "release_rc", "unplug_ms", "wait_unplug_ms",
            "primary_back_ms", "primary_back_from_action_ms", "host")
    return {k: leg[k] for k in keys if k in leg}


def mode_report(res, shares):
    rep = {"mode": res["mode"], "scenario": res["scenario"], "boot_s": res.get("boot_s"),
           "errors": res["errors"], "legs": [leg_summary(leg) for leg in res["legs"]]}
    a = analyse(res)
    if a:
        rep.update(a)
    rep["final_ports"] = shares
    rep["primary_carries_traffic"] = bool(
        shares and (shares.get("primary_share_from_guest") or 0) >= 0.9
        and (shares.get("primary_share_to_guest") or 0) >= 0.9)
    rep["clock_offset_ms"] = {
        k: round(res[k][0] * 1000, 1) if res.get(k) else None
        for k in ("clock_offset_start", "clock_offset_end")}
    rep["guest"] = res.get("guest")
    rep["console"] = res.get("console")
    rep["bridge_fdb_end"] = res.get("bridge_fdb_end")
    return rep


def _fmt(v, nd=0):
    if v is None:
        return "-"
    if isinstance(v, float):
        return ("%%.%df" % nd) % v
    return str(v)


def table(report):
    modes = report["modes"]
    lines = []
    hdr = ("%-13s %7s %7s %9s %7s %8s %6s | %7s %7s %7s %7s | %-4s | %11s %11s %7s | %9s"
           % ("mode", "steady", "unplug", "migration", "replug", "settled", "total",
              "udp_in", "udp_out", "ping", "tcp", "tcp", "total", "downtime", "unplug", "prim back"))
    lines.append("frames lost per phase (udp_in + udp_out + ping)      | longest outage, ms            "
                 "| TCP  | migration ms, QEMU(host)        | s after resume")
    lines.append(hdr)
    for name, r in modes.items():
        if "lost_by_phase" not in r:
            lines.append("%-13s  failed: %s" % (name, "; ".join(r.get("errors", []))[:150]))
            continue
        ph = {p: 0 for p in PHASES}
        for n, v in r["lost_by_phase"].items():
            ph[n.split("#")[0]] += v["total"]
        legs = r["legs"]
        g = r["longest_outage_ms"]

        def legs_join(key, scale=1.0, nd=0):
            vals = [leg.get(key) for leg in legs]
            return "/".join(_fmt(v * scale if isinstance(v, (int, float)) else v, nd) for v in vals) or "-"
        def qh(q, h):
            return "/".join("%s(%s)" % (_fmt(leg.get(q)), _fmt(leg.get(h))) for leg in legs) or "-"
        unplug = "/".join(_fmt(leg.get("unplug_ms", leg.get("wait_unplug_ms"))) for leg in legs)
        lines.append("%-13s %7d %7d %9d %7d %8d %6d | %7s %7s %7s %7s | %-4s | %11s %11s %7s | %9s" % (
            name, ph["steady"], ph["unplug"], ph["migration"], ph["replug"], ph["settled"],
            r["lost"]["total"], _fmt(g["udp_in"]), _fmt(g["udp_out"]), _fmt(g["ping"]), _fmt(g["tcp"]),
            "ok" if r["tcp"]["survived"] else "LOST",
            qh("total_time_ms", "host_total_time_ms"), qh("downtime_ms", "host_downtime_ms"), unplug,
            legs_join("primary_back_ms", 0.001, 2)))
    return "\n".join(lines)


def dump(report, path):
    with open(path, "w") as f:
        json.dump(report, f, indent=1, default=str)
