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

from sfolabkit import table as tablekit
from sfolabkit.table import fmt

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
            "setup_time_ms", "host_total_time_ms", "host_downtime_ms", "release_output",
            "release_ms", "release_rc", "release_via", "unplug_ms", "wait_unplug_ms",
            "primary_back_ms", "primary_back_from_action_ms", "host", "host_tool")
    return {k: leg[k] for k in keys if k in leg}


def mode_report(res, shares, title):
    rep = {"mode": res["mode"], "title": title, "available": True,
           "scenario": res["scenario"], "boot_s": res.get("boot_s"),
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


def describe_params(doc):
    p = doc["params"]
    s = ("scenario %s: UDP %d pps each way, ping every %g s, TCP <= %d Mbit/s peer->guest; "
         "%g s steady, %g s settled" % (doc["scenario"], p["rate"], p["ping_interval"],
                                         p["tcp_mbit"], p["steady"], p["settle"]))
    if doc["scenario"] == "cancel":
        s += ", cancel during %s" % p["cancel_at"]
    if p.get("no_release"):
        s += ", no release (surprise removal)"
    return s


GROUPS = (
    tablekit.Group("frames lost per phase, udp_in + udp_out + ping", (7, 7, 9, 7, 8, 6),
                   ("steady", "unplug", "migration", "replug", "settled", "total")),
    tablekit.Group("longest outage, ms", (7, 7, 7, 7), ("udp_in", "udp_out", "ping", "tcp")),
    tablekit.Group("TCP", (8,), ("survived",)),
    tablekit.Group("migration, ms: QEMU (host)", (11, 11, 7), ("total", "downtime", "unplug")),
    tablekit.Group("primary", (9,), ("back, s",)),
)

NOTES = ["phases: steady = before the host acts; unplug = from the host's first step (release, "
         "device_del; net_failover: migrate,",
         "with QEMU's wait-unplug) until the migration is active; migration = until the "
         "destination resumes (or the cancel);",
         "replug = until the primary's tap carries the guest's traffic again; settled = "
         "the rest.",
         "longest outage: the longest stretch of sent frames that were all lost (the guest's "
         "clock stands still while the VM",
         "is stopped: outages are measured on the sender's clock).",
         "migration: QEMU's query-migrate total-time and downtime, in brackets the host's "
         "clock (migrate -> completed,",
         "STOP -> RESUME); unplug = device_del -> DEVICE_DELETED (net_failover: wait-unplug).",
         "primary back = from the resume (or cancel) until the primary carries the traffic "
         "(one value per migration)."]


def _qemu_host(leg, qemu, host):
    """QEMU's number (the host's): a migration that did not complete has neither,
    its status says what happened."""
    if leg.get("status") != "completed":
        return leg.get("status") or "-"
    return "%s(%s)" % (fmt(leg.get(qemu)), fmt(leg.get(host)))


def _row(name, r):
    ph = {p: 0 for p in PHASES}
    for n, v in r["lost_by_phase"].items():
        ph[n.split("#")[0]] += v["total"]
    legs = r["legs"]
    g = r["longest_outage_ms"]

    def per_leg(fn):
        return "/".join(fn(leg) for leg in legs) or "-"
    return tablekit.row(GROUPS, name, [
        str(ph["steady"]), str(ph["unplug"]), str(ph["migration"]), str(ph["replug"]),
        str(ph["settled"]), str(r["lost"]["total"]),
        fmt(g["udp_in"]), fmt(g["udp_out"]), fmt(g["ping"]), fmt(g["tcp"]),
        "yes" if r["tcp"]["survived"] else "NO",
        per_leg(lambda x: _qemu_host(x, "total_time_ms", "host_total_time_ms")),
        per_leg(lambda x: _qemu_host(x, "downtime_ms", "host_downtime_ms")),
        per_leg(lambda x: fmt(x.get("unplug_ms", x.get("wait_unplug_ms")))),
        per_leg(lambda x: fmt(x["primary_back_ms"] / 1000 if x.get("primary_back_ms")
                               is not None else None, 2))])


def table(doc):
    rows = []
    for r in doc["modes"]:
        if "lost_by_phase" not in r:
            rows.append(tablekit.message_row(r["mode"], "failed", "; ".join(r.get("errors") or
                                                                          ["no result"])))
        else:
            rows.append(_row(r["mode"], r))
    return tablekit.render(describe_params(doc), GROUPS, rows, (NOTES,))
