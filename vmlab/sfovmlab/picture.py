# SPDX-License-Identifier: BSD-2-Clause
"""The VM lab's timeline: the JSON's per-mode "timeline" grid and "events", and
the SVG drawn from them by sfolabkit.svg, the namespace lab's picture.

Bins of DT seconds from the moment the traffic started, on the host's clock:

  out_rx, out_lost  udp_out (guest -> peer): the peer's receiver, host clock;
                    losses placed as in the table (report.udp_out_losses)
  in_rx, in_lost    udp_in (peer -> guest): the guest's receiver; its timeline is
                    on the guest's clock, which under TCG stands still while the
                    VM is stopped: mapped with the guest-host offset measured
                    before the traffic up to the first migration's stop, with
                    the one measured at the end after it; losses placed on the
                    sender's schedule (report.udp_in_losses)
  tcp_mbit          the peer's tcp-stream progress (bytes acknowledged)
  daemon_events     the guest daemon's state changes (mode sfo), on the guest's
                    clock, mapped like udp_in
  vf_guest_*        frames through the primaries' taps (tapS1, tapD1): tx = the
  sby_guest_*       guest sent them (tap rx), rx = handed to the guest (tap tx);
                    the standbys' taps (tapS0, tapD0) likewise
"""

import json
import math

from sfolabkit import svg, timeline

from .netlab import TAPS
from .report import PHASES, phase_starts, udp_in_losses, udp_out_losses

DT = 0.05   # 10 frames per bin at the default 200 pps
STYLE = svg.Style(
    tool="sfo-vmlab", phases=PHASES[1:],
    step_labels={"release": "release", "device_del": "unplug", "migrate": "migrate",
                 "cancel": "cancel", "resume": "resume", "device_add": "plug"},
    fast="the primary", tcp="TCP peer->guest")
PRIMARY_TAPS = {pair[1] for pair in TAPS.values()}
STANDBY_TAPS = {pair[0] for pair in TAPS.values()}


def _guest_to_host(res):
    """A function from the guest's CLOCK_REALTIME to the host's: the offset
    measured before the traffic up to the first migration's stop, the one
    measured at the end after it (the guest's clock stood still meanwhile)."""
    off0 = (res.get("clock_offset_start") or (0.0,))[0]
    off1 = (res.get("clock_offset_end") or res.get("clock_offset_start") or (0.0,))[0]
    stops = [leg["t_stop"] for leg in res["legs"] if leg.get("t_stop")]
    t_stop = stops[0] if stops else math.inf
    return lambda tg: tg - off0 if tg - off0 < t_stop else tg - off1


def _guest_udp_grid(rep, res, t0, n):
    """udp_in received per bin, the guest's timeline put on the host's clock."""
    rx = [0] * n
    tl = (rep or {}).get("timeline")
    if not tl or "start_unix_ns" not in rep:
        return rx
    to_host = _guest_to_host(res)
    g0 = rep["start_unix_ns"] / 1e9
    idt = tl["interval_ms"] / 1000
    for i, v in enumerate(tl.get("rx") or []):
        b = int(math.floor((to_host(g0 + (i + 0.5) * idt) - t0) / DT))
        if 0 <= b < n:
            rx[b] += v
    return rx


def grid(res):
    """The binned timeline of one mode's run (see the module's doc), or None."""
    raw = res.get("raw")
    marks = res.get("marks") or {}
    if not raw or "traffic_start" not in marks:
        return None
    t0 = marks["traffic_start"]
    t0_ns = int(t0 * 1e9)
    n = int(math.ceil((marks.get("traffic_stop", t0) - t0 + 0.3) / DT))
    off = res.get("clock_offset_end") or res.get("clock_offset_start") or (0.0, 0.0)
    ui, uo = raw.get("udp_in") or {}, raw.get("udp_out_recv") or {}
    g = {"n": n, "interval_ms": DT * 1000}
    g["out_rx"], _ = timeline.udp_grid(uo if "start_unix_ns" in uo else None, t0_ns, n, DT)
    g["out_lost"] = timeline.events_grid(udp_out_losses(uo) if "start_unix_ns" in uo else [],
                                         t0_ns, n, DT)
    g["in_rx"] = _guest_udp_grid(ui, res, t0, n)
    g["in_lost"] = timeline.events_grid(
        udp_in_losses(ui, raw.get("udp_in_send") or {}, off[0]) if "start_unix_ns" in ui
        else [], t0_ns, n, DT)
    g["tcp_mbit"] = [round(v, 3) for v in timeline.tcp_grid(raw.get("tcp_stream"), t0_ns, n, DT)]
    samples = [(int(t * 1e9), c) for t, c in res.get("samples") or []]
    for name, taps in (("vf", PRIMARY_TAPS), ("sby", STANDBY_TAPS)):
        rx, tx = timeline.counter_grid(samples, t0_ns, n, taps.__contains__, DT)
        g[name + "_guest_tx"] = [round(v, 2) for v in rx]
        g[name + "_guest_rx"] = [round(v, 2) for v in tx]
    return g


def phases(res):
    """[{kind, name, start_s, end_s}] relative to the traffic's start."""
    marks = res["marks"]
    t0 = marks["traffic_start"]
    end = marks.get("traffic_stop", t0)
    starts = phase_starts(res)
    out = []
    for i, (t, name) in enumerate(starts):
        t1 = starts[i + 1][0] if i + 1 < len(starts) else end
        out.append({"kind": name.split("#")[0], "name": name,
                    "start_s": round(t - t0, 4), "end_s": round(max(t, t1) - t0, 4)})
    return out


def events(res):
    """The host's steps: [{what, label, t_s, end_s, detail}] relative to the
    traffic's start, from the marks and the legs."""
    marks = res["marks"]
    t0 = marks["traffic_start"]
    out = []

    def add(what, t, end=None, label=None, detail=None):
        if t is None:
            return
        out.append({"what": what, "label": label or what, "t_s": round(t - t0, 4),
                    "end_s": round((end if end is not None else t) - t0, 4),
                    "detail": detail})
    for leg in res["legs"]:
        sfx = "" if leg["n"] == 1 else "#%d" % leg["n"]
        if leg.get("release_ms") is not None:
            add("release", leg["t_action"], leg["t_action"] + leg["release_ms"] / 1000,
                "sriov-failover release in the guest", "exit %s" % leg.get("release_rc"))
        add("device_del", marks.get("device_del" + sfx), marks.get("unplugged" + sfx),
            "QMP device_del of the primary, until DEVICE_DELETED")
        add("migrate", marks.get("migrate" + sfx),
            leg.get("t_status_completed") or leg.get("t_resume"),
            "QMP migrate %s -> %s" % (leg["from"], leg["to"]),
            "%s, QEMU: total %s ms, downtime %s ms" % (
                leg.get("status"), leg.get("total_time_ms"), leg.get("downtime_ms")))
        add("cancel", marks.get("cancel" + sfx), None,
            "QMP migrate_cancel during %s" % leg.get("cancel_at"))
        if leg.get("status") == "completed":
            add("resume", leg.get("t_resume"), None, "the destination resumed")
        add("device_add", leg.get("t_device_add"), None,
            "QMP device_add of the primary (same MAC) on %s" % leg.get("host"))
    out.sort(key=lambda e: e["t_s"])
    return out


def daemon_events(res):
    """The guest daemon's state changes [{t_s, from, to, reason}] relative to the
    traffic's start, from `guest-now && sriov-failover -j events` run at the end
    (each event's age subtracted from the guest's time of the query), or []."""
    text = (res.get("guest") or {}).get("events") or ""
    first, _, rest = text.partition("\n")
    try:
        sec, usec = first.split()[:2]
        evs = json.loads(rest)["events"]
    except (ValueError, KeyError):
        return []
    t_query = int(sec) + int(usec) / 1e6
    to_host = _guest_to_host(res)
    t0 = res["marks"]["traffic_start"]
    return [{"t_s": round(to_host(t_query - e["ms_ago"] / 1000) - t0, 4),
             "from": e.get("from"), "to": e.get("to"), "reason": e.get("reason")}
            for e in evs if "ms_ago" in e]


def subtitle(rep):
    lost = rep["lost"]
    s = "lost %s udp_in, %s udp_out, %s ping; longest outage %s ms" % (
        lost.get("udp_in"), lost.get("udp_out"), lost.get("ping"),
        max([v for v in rep["longest_outage_ms"].values() if v is not None], default=0))
    tcp = rep["tcp"]
    s += "; TCP %s" % ("survived" if tcp["survived"] else "BROKE")
    legs = rep["legs"]

    def each(fn):
        return "/".join(fn(leg) for leg in legs)
    if all(leg.get("status") == "completed" for leg in legs):
        s += "; migration %s ms, downtime %s ms" % (each(lambda x: str(x.get("total_time_ms"))),
                                                   each(lambda x: str(x.get("downtime_ms"))))
    else:
        s += "; migration " + each(lambda x: str(x.get("status")))
    if legs and all(leg.get("primary_back_ms") is not None for leg in legs):
        s += "; primary back %s s after" % each(lambda x: "%.2f" % (x["primary_back_ms"] / 1000))
    return s


def svg_runs(doc):
    """(mode, title, subtitle, run) per mode of a report document."""
    out = []
    for m in doc["modes"]:
        title = doc["titles"].get(m["mode"], m["mode"])
        tl = m.get("timeline")
        if not tl or "lost" not in m:
            out.append((m["mode"], title, "failed: " + "; ".join(m.get("errors") or ["no data"]),
                        None))
            continue
        g = {"n": tl["n"], "dt": tl["interval_ms"] / 1000} | {
            k: v for k, v in tl.items() if isinstance(v, list)}
        out.append((m["mode"], title, subtitle(m),
                    {"grid": g, "phases": m["timeline_phases"], "events": m["events"],
                     "daemon_events": m.get("daemon_events") or []}))
    return out


def render(doc, headline):
    params = {"rate": doc["params"]["rate"], "tcp_mbit": doc["params"]["tcp_mbit"]}
    return svg.render(STYLE, headline, params, svg_runs(doc))
