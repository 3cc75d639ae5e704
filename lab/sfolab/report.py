# SPDX-License-Identifier: BSD-2-Clause
"""The table printed at the end of a run, and the JSON document."""

from sfolabkit import table as tablekit
from sfolabkit.document import envelope

from . import VERSION
from .modes import TITLES

# Senders later than this (ms) make the per-phase numbers unreliable: say so.
LATE_WARN_MS = 20
SCHEMA = 1


def _lost(k):
    if k is None:
        return "-"
    return f"{k['udp_lost']['out']}/{k['udp_lost']['in']}"


def _pct(x):
    return "-" if x is None else f"{x * 100:.0f}%"


def _ms(x):
    return "-" if x is None else f"{x:.1f}"


def describe_params(doc):
    p = doc["params"]
    tcp = f" + TCP <= {p['tcp_mbit']} Mbit/s guest->peer" if p["tcp_mbit"] else ""
    s = (f"scenario {doc['scenario']}: UDP {p['rate']} pps x {p['size']} B each way{tcp}, "
         f"MTU {p['mtu']}, blackout {p['blackout_ms']:g} ms")
    if p.get("port_delay_s"):
        s += f", the new VF's host port forwards {p['port_delay_s'] * 1000:g} ms late"
    if doc["scenario"] in ("flap", "pingpong"):
        s += f", {p['cycles']} cycle(s)"
    if p["repetitions"] > 1:
        s += f", {p['repetitions']} repetitions"
    return s


GROUPS = (
    tablekit.Group("UDP frames lost, guest->peer/peer->guest, per phase", (10, 10, 11, 11, 10),
                ("steady", "release", "standby", "blackout", "return")),
    tablekit.Group("longest", (7,), ("gap ms",)),
    tablekit.Group("TCP", (7, 13), ("retrans", "survived"), align=">"),
    tablekit.Group("to VF", (6,), ("ms",)),
    tablekit.Group("VF share", (12,), ("run/return",)),
)

NOTES = ["phases: steady = before the first event; release = from the host's request (or "
         "the surprise unplug)",
         "to 0.5 s after the unplug; standby = the VM runs on virtio until the pause; "
         "blackout = pause, resume",
         "on the other host, switches relearning, up to the new VF; return = from the "
         "new VF's hot-add on.",
         "TCP survived: with its longest stall.",
         "to VF = from the VF's appearance until it carries most of the guest's frames "
         "(10 ms resolution;",
         "* = worst of several).",
         "VF share = frames through the VF / frames through VF + standby, whole run / "
         "return phase."]


def _row(label, r):
    k = r["by_kind"]
    tcp = r["tcp"]
    if tcp is None:
        retr, surv = "-", "-"
    else:
        retr = "-" if tcp["retransmits"] is None else str(tcp["retransmits"])
        surv = "yes" if tcp["survived"] else f"NO ({tcp['end_reason']})"
        if tcp["longest_stall_ms"] is not None:
            surv += f" {tcp['longest_stall_ms']:.0f}ms"
    rets = [x["ms"] for x in r["returns"]]
    if not rets:
        to_vf = "-"
    elif any(x is None for x in rets):
        to_vf = "never"
    else:
        to_vf = f"{max(rets):.0f}" + ("*" if len(rets) > 1 else "")
    share = f"{_pct(r['vf_share'])}/{_pct((k.get('return') or {}).get('vf_share'))}"
    return tablekit.row(GROUPS, label, [
        _lost(k.get("steady")), _lost(k.get("release")), _lost(k.get("standby")),
        _lost(k.get("blackout")), _lost(k.get("return")), _ms(r["longest_gap_ms"]), retr,
        surv, to_vf, share])


def table(doc):
    """The human-readable summary: one row per mode (and repetition)."""
    rows = []
    reps = doc["params"]["repetitions"]
    warnings = []
    for m in doc["modes"]:
        name = m["mode"]
        if not m["available"]:
            rows.append(tablekit.message_row(name, "unavailable", m["reason"]))
            continue
        for run in m["runs"]:
            label = name if reps == 1 else f"{name} #{run['repetition']}"
            if run.get("error"):
                rows.append(tablekit.message_row(label, "failed", run["error"]))
                continue
            rows.append(_row(label, run["result"]))
            late = max([x["late_max_ms"] for x in run["result"].get("senders", {}).values()],
                       default=0)
            if late > LATE_WARN_MS:
                warnings.append(f"{label}: the senders ran up to {late:.0f} ms behind "
                                f"schedule")
    warn = []
    if warnings:
        warn = ["WARNING: the machine was too busy for these numbers to be exact: " +
                "; ".join(warnings) + ".", "Frames are counted lost in the phase they "
                "were due in, and gaps include the senders' stalls." +
                ("" if doc["params"].get("realtime") else
                 " Run without --no-realtime, or with a lower --rate.")]
    eff = []
    for m in doc["modes"]:
        for run in m.get("runs", []):
            if run.get("result") and run["result"].get("effective_blackout_ms"):
                b = run["result"]["effective_blackout_ms"]
                eff.append(f"{m['mode']}{'' if reps == 1 else ' #' + str(run['repetition'])} "
                           f"{'/'.join(f'{x:.0f}' for x in b)}")
    blackout = []
    if eff:
        blackout = ["effective blackout, ms (from the pause command's end to the resume's): "
                    + ", ".join(eff)]
    return tablekit.render(describe_params(doc), GROUPS, rows, (warn, blackout, NOTES))


def document(scenario, params, modes, started_ns, kernel, build_dir, files):
    for m in modes:
        m.setdefault("title", TITLES.get(m["mode"], m["mode"]))
    return envelope("sfo-lab", VERSION, SCHEMA, scenario, params, modes, started_ns, files,
                    kernel=kernel, build_dir=build_dir)
