# SPDX-License-Identifier: BSD-2-Clause
"""The table printed at the end of a run, and the JSON document."""

import json

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
    if doc["scenario"] in ("flap", "pingpong"):
        s += f", {p['cycles']} cycle(s)"
    if p["repetitions"] > 1:
        s += f", {p['repetitions']} repetitions"
    return s


def table(doc):
    """The human-readable summary: one row per mode (and repetition)."""
    lines = [describe_params(doc), ""]
    hdr = (f"{'mode':<18} {'UDP frames lost, guest->peer/peer->guest, per phase':^56} "
           f"{'longest':>7} {'TCP':>21} {'to VF':>6} {'VF share':>12}")
    sub = (f"{'':<18} {'steady':>10} {'release':>10} {'standby':>11} {'blackout':>11} "
           f"{'return':>10} {'gap ms':>7} {'retrans':>7} {'survived':>13} {'ms':>6} "
           f"{'run/return':>12}")
    lines += [hdr, sub, "-" * len(sub)]
    reps = doc["params"]["repetitions"]
    warnings = []
    for m in doc["modes"]:
        name = m["mode"]
        if not m["available"]:
            lines.append(f"{name:<18} unavailable: {m['reason']}")
            continue
        for run in m["runs"]:
            label = name if reps == 1 else f"{name} #{run['repetition']}"
            if run.get("error"):
                err = run["error"].splitlines()[0]
                if len(err) > 150:
                    err = err[:150] + "... (whole message in the JSON)"
                lines.append(f"{label:<18} failed: {err}")
                continue
            r = run["result"]
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
            lines.append(
                f"{label:<18} {_lost(k.get('steady')):>10} {_lost(k.get('release')):>10} "
                f"{_lost(k.get('standby')):>11} {_lost(k.get('blackout')):>11} "
                f"{_lost(k.get('return')):>10} {_ms(r['longest_gap_ms']):>7} {retr:>7} "
                f"{surv:>13} {to_vf:>6} {share:>12}")
            late = max([x["late_max_ms"] for x in r.get("senders", {}).values()], default=0)
            if late > LATE_WARN_MS:
                warnings.append(f"{label}: the senders ran up to {late:.0f} ms behind "
                                f"schedule")
    if warnings:
        lines += ["", "WARNING: the machine was too busy for these numbers to be exact: " +
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
    if eff:
        lines += ["", "effective blackout, ms (from the pause command's end to the resume's): "
                  + ", ".join(eff)]
    lines += ["",
              "phases: steady = before the first event; release = from the host's request (or "
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
    return "\n".join(lines)


def document(scenario, params, modes, started_ns, kernel, build_dir, files):
    return {"tool": "sfo-lab", "version": VERSION, "schema": SCHEMA, "scenario": scenario,
            "params": params, "started_unix_ns": started_ns, "kernel": kernel,
            "build_dir": build_dir, "modes": modes, "files": files,
            "titles": {m["mode"]: TITLES.get(m["mode"], m["mode"]) for m in modes}}


def dumps(doc):
    return json.dumps(doc, separators=(",", ":"))
