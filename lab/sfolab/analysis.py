# SPDX-License-Identifier: BSD-2-Clause
"""From raw measurements to what the guest experienced.

Everything is put on grids of bins, time zero being the moment the senders
started (CLOCK_REALTIME): FINE (1 ms) bins for the UDP numbers of each phase,
DT (10 ms) bins for the plots, the JSON timeline and the port counters:

  * UDP: the receivers' timelines (received and lost per 10 ms interval, a lost
    frame placed where it would have arrived, see sfo-traffic(1)), shifted by
    their run start;
  * TCP: the sender's progress (bytes acknowledged per interval);
  * which port carried the guest's frames: counters of the host ends of the
    guest's ports, sampled every 10 ms in the namespaces that hold them: the
    VF's host ends (hvfK on host A or B: rx = frames the guest sent through the
    VF, tx = frames delivered to it through the VF) and the standby's (hsby in
    the VMM namespace).

A phase counts the UDP bins whose end falls inside it (a step can only cause
what happens after it starts: a loss in the millisecond the step started in
belongs to the step), and the counter bins whose middle does.
"""

import math
import re

from sfolabkit.timeline import DT, FINE, counter_grid, tcp_grid, udp_grid

_VF_END = re.compile(r"^hvf\d+$")

def build_grid(traffic, samples, t0_ns, duration):
    n = int(math.ceil((duration + 0.3) / DT))
    g = {"n": n, "dt": DT}
    nf = n * int(round(DT / FINE))
    fine = {"n": nf, "dt": FINE}
    for name in ("out", "in"):
        rep = (traffic.get(name) or {}).get("recv")
        fine[name + "_rx"], fine[name + "_lost"] = udp_grid(rep, t0_ns, nf, FINE)
        g[name + "_rx"], g[name + "_lost"] = udp_grid(rep, t0_ns, n, DT)
    g["fine"] = fine
    g["tcp_mbit"] = tcp_grid((traffic.get("tcp") or {}).get("send"), t0_ns, n)
    vf_rx = [0] * n
    vf_tx = [0] * n
    for role in ("hostA", "hostB"):
        r, x = counter_grid(samples.get(role, []), t0_ns, n, _VF_END.match)
        vf_rx = [a + b for a, b in zip(vf_rx, r)]
        vf_tx = [a + b for a, b in zip(vf_tx, x)]
    sby_rx, sby_tx = counter_grid(samples.get("vmm", []), t0_ns, n, lambda d: d == "hsby")
    # Seen from the guest: "tx" = what it sent, "rx" = what it was given.
    g["vf_guest_tx"], g["vf_guest_rx"] = vf_rx, vf_tx
    g["sby_guest_tx"], g["sby_guest_rx"] = sby_rx, sby_tx
    return g


def _sum(arr, a, b):
    return sum(arr[a:b])


def _range(g, start, end):
    a = max(0, int(round(start / DT)))
    b = min(g["n"], int(round(end / DT)))
    return a, max(a, b)


def share(vf, sby):
    tot = vf + sby
    return None if tot == 0 else round(vf / tot, 4)


def gaps_of(report, t0_ns):
    """Gaps of a udp-recv report in lab time: [{"start_s", "ms"}]."""
    if not report:
        return []
    off = (report["start_unix_ns"] - t0_ns) / 1e9
    gs = list(report.get("gaps") or [])
    lg = report.get("longest_gap")
    if lg and not any(abs(x["start_ms"] - lg["start_ms"]) < 1e-6 for x in gs):
        gs.append(lg)
    return [{"start_s": round(off + x["start_ms"] / 1000, 4), "ms": x["ms"]} for x in gs]


def _end_range(fine, start, end):
    """Fine bins i whose end (i + 1) * FINE lies in (start, end]."""
    a = max(0, int(math.ceil(start / FINE - 1e-9)))
    b = min(fine["n"], int(math.ceil(end / FINE - 1e-9)))
    return a, max(a, b)


def phase_metrics(g, phases, traffic, t0_ns):
    out_gaps = gaps_of((traffic.get("out") or {}).get("recv"), t0_ns)
    in_gaps = gaps_of((traffic.get("in") or {}).get("recv"), t0_ns)
    fine = g["fine"]
    res = []
    for ph in phases:
        a, b = _range(g, ph["start_s"], ph["end_s"])
        fa, fb = _end_range(fine, ph["start_s"], ph["end_s"])
        vf = _sum(g["vf_guest_tx"], a, b) + _sum(g["vf_guest_rx"], a, b)
        sby = _sum(g["sby_guest_tx"], a, b) + _sum(g["sby_guest_rx"], a, b)

        def longest(gs):
            inside = [x["ms"] for x in gs if ph["start_s"] <= x["start_s"] < ph["end_s"]]
            return max(inside) if inside else 0.0

        res.append({
            "kind": ph["kind"], "name": ph["name"],
            "start_s": ph["start_s"], "end_s": ph["end_s"],
            "udp_lost": {"out": _sum(fine["out_lost"], fa, fb),
                         "in": _sum(fine["in_lost"], fa, fb)},
            "udp_received": {"out": _sum(fine["out_rx"], fa, fb),
                             "in": _sum(fine["in_rx"], fa, fb)},
            "longest_gap_ms": {"out": longest(out_gaps), "in": longest(in_gaps)},
            "frames": {"vf": vf, "standby": sby},
            "vf_share": share(vf, sby),
        })
    return res


def time_to_vf(g, events, rate):
    """For each VF hot-add: the time from the VF's appearance in the guest (the
    host's command returned; a busy machine can make that command wait) until the VF
    carries the guest's traffic: the end of the first 10 ms bin in which the guest
    sent at least half of its UDP rate through the VF, and more through the VF than
    through the standby (an upper bound, 10 ms resolution)."""
    need = max(1, 0.5 * rate * DT)
    out = []
    for ev in events:
        if ev["what"] != "plug" or (ev.get("detail") or "").startswith("skipped"):
            continue
        t = ev.get("effect_s", ev["t_s"])
        found = None
        for i in range(max(0, int(math.floor(t / DT))), g["n"]):
            vf, sby = g["vf_guest_tx"][i], g["sby_guest_tx"][i]
            if vf >= need and vf >= sby:
                found = round(((i + 1) * DT - t) * 1000, 1)
                break
        out.append({"at_s": t, "ms": found})
    return out


def releases(g, events):
    """For each release request followed by an unplug: what the guest still sent
    through the VF, and through the standby, from 20 ms after the request returned
    to the unplug.  An orderly release has moved everything to the standby."""
    out = []
    for i, ev in enumerate(events):
        if ev["what"] != "release" or (ev.get("detail") or "").startswith(("skipped", "no ")):
            continue
        nxt = next((e for e in events[i + 1:] if e["what"] == "unplug"), None)
        if nxt is None:
            continue
        a = int(math.ceil((ev["end_s"] + 0.02) / DT))
        b = int(math.floor(nxt["t_s"] / DT))
        out.append({"at_s": ev["t_s"], "unplug_s": nxt["t_s"],
                    "window_s": round(max(0, b - a) * DT, 3),
                    "vf_guest_tx": round(sum(g["vf_guest_tx"][a:b]), 1),
                    "standby_guest_tx": round(sum(g["sby_guest_tx"][a:b]), 1)})
    return out


def blackouts(events):
    """Effective blackouts: from the pause taking effect to the resume taking effect."""
    out, start = [], None
    for ev in events:
        if ev["what"] == "pause":
            start = ev.get("effect_s", ev["end_s"])
        elif ev["what"] == "resume" and start is not None:
            out.append(round((ev.get("effect_s", ev["end_s"]) - start) * 1000, 1))
            start = None
    return out


def udp_summary(rep):
    if not rep:
        return None
    lg = rep.get("longest_gap") or {}
    return {k: rep.get(k) for k in ("sent", "received", "lost", "duplicates", "reordered")} | {
        "longest_gap_ms": lg.get("ms")}


def tcp_summary(send, recv):
    if not send:
        return None
    st = send.get("longest_stall") or {}
    return {"survived": bool(send.get("survived")), "end_reason": send.get("end_reason"),
            "error": send.get("error"), "retransmits": send.get("retransmits"),
            "longest_stall_ms": st.get("ms"), "throughput_mbit": send.get("throughput_mbit"),
            "bytes_acked": send.get("bytes_acked"),
            "sink_clean": (recv or {}).get("clean")}


def totals_by_kind(phases):
    """Phase numbers summed per kind (several returns in pingpong and flap)."""
    tot = {}
    for ph in phases:
        k = tot.setdefault(ph["kind"], {"udp_lost": {"out": 0, "in": 0}, "frames":
                                        {"vf": 0, "standby": 0}, "longest_gap_ms": 0.0,
                                        "count": 0})
        k["count"] += 1
        for d in ("out", "in"):
            k["udp_lost"][d] += ph["udp_lost"][d]
            k["longest_gap_ms"] = max(k["longest_gap_ms"], ph["longest_gap_ms"][d])
        for d in ("vf", "standby"):
            k["frames"][d] += ph["frames"][d]
    for k in tot.values():
        k["vf_share"] = share(k["frames"]["vf"], k["frames"]["standby"])
    return tot


def analyse(traffic, samples, t0_ns, duration, events, phases, rate):
    g = build_grid(traffic, samples, t0_ns, duration)
    ph = phase_metrics(g, phases, traffic, t0_ns)
    vf = sum(g["vf_guest_tx"]) + sum(g["vf_guest_rx"])
    sby = sum(g["sby_guest_tx"]) + sum(g["sby_guest_rx"])
    out = (traffic.get("out") or {})
    inn = (traffic.get("in") or {})
    tcp = (traffic.get("tcp") or {})
    gaps = [x for x in (udp_summary(out.get("recv")), udp_summary(inn.get("recv"))) if x]
    senders = {}
    for name in ("out", "in"):
        late = ((traffic.get(name) or {}).get("send") or {}).get("late") or {}
        if late:
            senders[name] = {"late_max_ms": round(late.get("max_us", 0) / 1000, 3),
                             "late_mean_ms": round(late.get("mean_us", 0) / 1000, 3),
                             "late_packets": late.get("packets_over_period")}
    return {
        "senders": senders,
        "phases": ph,
        "by_kind": totals_by_kind(ph),
        "udp": {"out": udp_summary(out.get("recv")), "in": udp_summary(inn.get("recv"))},
        "udp_send_errors": {"out": (out.get("send") or {}).get("errors"),
                            "in": (inn.get("send") or {}).get("errors")},
        "longest_gap_ms": max([x["longest_gap_ms"] or 0 for x in gaps], default=None),
        "tcp": tcp_summary(tcp.get("send"), tcp.get("recv")),
        "returns": time_to_vf(g, events, rate),
        "effective_blackout_ms": blackouts(events),
        "releases": releases(g, events),
        "frames": {"vf": vf, "standby": sby},
        "vf_share": share(vf, sby),
    }, g
