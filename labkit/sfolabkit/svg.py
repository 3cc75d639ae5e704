# SPDX-License-Identifier: BSD-2-Clause
"""The timeline: a hand-written SVG, one panel per mode (and repetition), the
same picture for every lab; a Style says what differs (phase names and
colours, step labels, what the guest's two ports are called).

In each panel, x is the time since the traffic started.  Above the zero
line: UDP frames received per interval in each direction (blue:
guest->peer, green: peer->guest) and the TCP stream's progress in Mbit/s
(orange, right scale); below it, red bars: UDP frames lost in that interval
(placed where they were due), stacked by direction.  The
strip under the plot tells which port carried the guest's frames (purple:
the fast one (VF, primary), grey: the standby, blank: none).  Dashed vertical
lines are the host's steps, labelled, at their start (a black bar under the
label when the command took 5 ms or more: how long); phases are shaded.
Hovering a line or a failover state change (diamonds on the strip: the
daemon's, or the NDIS driver's in ndis-edge mode) shows its description.

A panel's run: {"grid": {"n", "dt", "out_rx", "in_rx", "out_lost", "in_lost",
"tcp_mbit", "vf_guest_tx", "vf_guest_rx", "sby_guest_tx", "sby_guest_rx"}
(lists of n numbers, "out" = guest->peer), "phases": [{"kind", "name",
"start_s", "end_s"}], "events": [{"what", "label", "t_s", "end_s",
"detail"}], "daemon_events": [{"t_s", "from", "to", "reason"}], "events_by":
who changed those states}, times in seconds since the traffic started.
"""

from dataclasses import dataclass, field

from xml.sax.saxutils import escape

W = 1200
PANEL_H = 302
PLOT_L, PLOT_R = 70, 60
PLOT_T, PLOT_B = 74, 62     # inside a panel: top (title, step labels), bottom (strip, axis)
LABEL_ROWS = 3               # rows of step labels above the plot
LABEL_CHAR_W = 6.2          # px per character of a step label (10 px sans-serif, generous)
UP = 0.62                   # share of the plot height above the zero line (received)
STRIP_H = 10
# phase colours, in the order a migration goes through them
PHASE_COLOURS = ("#fff4d6", "#eceff4", "#fde2e2", "#e3f4e1")
C_OUT, C_IN, C_TCP = "#1f77b4", "#2ca02c", "#ff7f0e"
C_LOST_OUT, C_LOST_IN = "#d62728", "#8c1515"
C_VF, C_SBY = "#7b3fb5", "#9a9a9a"


@dataclass
class Style:
    """What one lab calls things.  phases: the shaded phase kinds, in order (each
    gets the next of PHASE_COLOURS); step_labels: short label of a host step by
    its "what"; fast/tcp: legend names of the guest's fast port and of the TCP
    stream; tool: the picture's title prefix."""
    tool: str
    phases: tuple
    step_labels: dict = field(default_factory=dict)
    fast: str = "the VF"
    tcp: str = "TCP guest->peer"

    def fill(self, kind):
        if kind in self.phases:
            return PHASE_COLOURS[self.phases.index(kind) % len(PHASE_COLOURS)]
        return None


def _f(x):
    return f"{x:.1f}"


def _polyline(xs, ys, color, width=1.2, opacity=1.0):
    pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in zip(xs, ys))
    return (f'<polyline fill="none" stroke="{color}" stroke-width="{width}" '
            f'stroke-opacity="{opacity}" points="{pts}"/>')


def _gridline(y, pw, stroke, cls, label, tcp_label=None):
    """A scale line across the plot with its value on the left (and the TCP
    scale's on the right)."""
    e = [f'<line x1="{PLOT_L}" y1="{_f(y)}" x2="{PLOT_L + pw}" y2="{_f(y)}" '
         f'stroke="{stroke}" stroke-width="0.6"/>',
         f'<text x="{PLOT_L - 4}" y="{_f(y + 4)}" class="{cls}" text-anchor="end">{label}</text>']
    if tcp_label is not None:
        e.append(f'<text x="{PLOT_L + pw + 4}" y="{_f(y + 4)}" class="ax tcp">{tcp_label}</text>')
    return e


def _ticks(span):
    for step in (0.25, 0.5, 1, 2, 5, 10, 20, 30, 60):
        if span / step <= 14:
            return step
    return 120


def panel(y0, title, subtitle, run, params, style):
    """SVG elements of one panel whose top is at y0.  Above the zero line: UDP frames
    received per 10 ms in each direction, TCP Mbit/s (right scale); below it: UDP
    frames lost, stacked by direction.  Scales come from the configured rates;
    bursts above them are clipped."""
    g = run["grid"]
    n, dt = g["n"], g["dt"]
    dur = n * dt
    pw = W - PLOT_L - PLOT_R
    ph = PANEL_H - PLOT_T - PLOT_B
    top = y0 + PLOT_T
    bottom = top + ph
    zero = top + ph * UP
    expected = max(params["rate"] * dt, 1)
    hi = expected * 1.5
    lo = expected * 2.0          # both directions lost
    tmax = max(params["tcp_mbit"], 1) * 2.0

    def X(t):
        return PLOT_L + pw * t / dur

    def Y(v):                     # received, up
        return zero - (zero - top) * min(max(v, 0), hi) / hi

    def YL(v):                    # lost, down
        return zero + (bottom - zero) * min(max(v, 0), lo) / lo

    def YT(v):
        return zero - (zero - top) * min(max(v, 0), tmax) / tmax

    e = ['<g class="panel">',
         f'<text x="{PLOT_L}" y="{y0 + 16}" class="title">{escape(title)}</text>',
         f'<text x="{PLOT_L}" y="{y0 + 31}" class="sub">{escape(subtitle)}</text>']
    for p in run["phases"]:
        fill = style.fill(p["kind"])
        if fill:
            e.append(f'<rect x="{_f(X(p["start_s"]))}" y="{top}" '
                     f'width="{_f(max(0.5, X(p["end_s"]) - X(p["start_s"])))}" height="{ph}" '
                     f'fill="{fill}"><title>phase {escape(p["name"])}: '
                     f'{p["start_s"]:.3f}-{p["end_s"]:.3f} s</title></rect>')
    e.append(f'<rect x="{PLOT_L}" y="{top}" width="{pw}" height="{ph}" fill="none" '
             f'stroke="#888"/>')
    for frac in (0.5, 1.0):
        e += _gridline(Y(hi * frac), pw, "#ddd", "ax", f"{hi * frac:.0f}", f"{tmax * frac:.0f}")
    for frac in (0.5, 1.0):
        e += _gridline(YL(lo * frac), pw, "#f3d0d0", "ax lost", f"{lo * frac:.0f}")
    e.append(f'<line x1="{PLOT_L}" y1="{_f(zero)}" x2="{PLOT_L + pw}" y2="{_f(zero)}" '
             f'stroke="#666" stroke-width="0.8"/>')
    e.append(f'<text x="{PLOT_L - 4}" y="{_f(zero + 4)}" class="ax" text-anchor="end">0</text>')
    mid_up, mid_lo = (top + zero) / 2, (zero + bottom) / 2
    e.append(f'<text x="16" y="{_f(mid_up)}" class="ax" transform="rotate(-90 16 '
             f'{_f(mid_up)})" text-anchor="middle">received / {dt * 1000:.0f} ms</text>')
    e.append(f'<text x="16" y="{_f(mid_lo)}" class="ax lost" transform="rotate(-90 16 '
             f'{_f(mid_lo)})" text-anchor="middle">lost</text>')
    if params["tcp_mbit"]:
        e.append(f'<text x="{W - 12}" y="{_f(mid_up)}" class="ax tcp" transform="rotate(90 '
                 f'{W - 12} {_f(mid_up)})" text-anchor="middle">TCP Mbit/s</text>')
    step = _ticks(dur)
    t = 0.0
    while t <= dur + 1e-9:
        x = X(t)
        e.append(f'<line x1="{_f(x)}" y1="{bottom + STRIP_H + 4}" x2="{_f(x)}" '
                 f'y2="{bottom + STRIP_H + 8}" stroke="#555"/>')
        e.append(f'<text x="{_f(x)}" y="{bottom + STRIP_H + 20}" class="ax" '
                 f'text-anchor="middle">{t:g}</text>')
        t += step
    e.append(f'<text x="{PLOT_L + pw}" y="{bottom + STRIP_H + 34}" class="ax" '
             f'text-anchor="end">seconds since the traffic started</text>')
    bw = max(pw * dt / dur, 1.0)
    for i in range(n):
        lo_out, lo_in = g["out_lost"][i], g["in_lost"][i]
        if lo_out:
            e.append(f'<rect x="{_f(X(i * dt))}" y="{_f(zero)}" width="{_f(bw)}" '
                     f'height="{_f(YL(lo_out) - zero)}" fill="{C_LOST_OUT}"/>')
        if lo_in:
            y1 = YL(lo_out)
            e.append(f'<rect x="{_f(X(i * dt))}" y="{_f(y1)}" width="{_f(bw)}" '
                     f'height="{_f(max(0, YL(lo_out + lo_in) - y1))}" fill="{C_LOST_IN}"/>')
    xs = [X((i + 0.5) * dt) for i in range(n)]
    if params["tcp_mbit"]:
        e.append(_polyline(xs, [YT(v) for v in g["tcp_mbit"]], C_TCP, 1.0, 0.8))
    e.append(_polyline(xs, [Y(v) for v in g["in_rx"]], C_IN, 1.2, 0.9))
    e.append(_polyline(xs, [Y(v) for v in g["out_rx"]], C_OUT, 1.2, 0.9))
    sy = bottom + 2
    for i in range(n):
        vf = g["vf_guest_tx"][i] + g["vf_guest_rx"][i]
        sb = g["sby_guest_tx"][i] + g["sby_guest_rx"][i]
        if vf < 0.5 and sb < 0.5:
            continue
        color = C_VF if vf >= sb else C_SBY
        e.append(f'<rect x="{_f(X(i * dt))}" y="{sy}" width="{_f(bw + 0.3)}" '
                 f'height="{STRIP_H}" fill="{color}"/>')
    by = run.get("events_by", "daemon")
    for ev in run.get("daemon_events", []):
        if not 0 <= ev["t_s"] <= dur:
            continue
        x, cy = X(ev["t_s"]), sy + STRIP_H / 2
        e.append(f'<path d="M{_f(x)},{_f(cy - 5)} l4,5 l-4,5 l-4,-5 z" fill="#fff" '
                 f'stroke="#000" stroke-width="0.8"><title>{ev["t_s"]:.3f} s {escape(by)}: '
                 f'{escape(ev.get("from", ""))} -&gt; {escape(ev.get("to", ""))} '
                 f'({escape(ev.get("reason", ""))})</title></path>')
    free_from = [-1e9] * LABEL_ROWS    # per row: where its last label ends
    for ev in run["events"]:
        x = X(ev["t_s"])
        label = style.step_labels.get(ev["what"], ev["what"])
        # the lowest row with room, else the one whose last label ends first
        row = next((r for r in range(LABEL_ROWS) if x + 2 >= free_from[r]),
                   min(range(LABEL_ROWS), key=lambda r: free_from[r]))
        free_from[row] = x + 2 + LABEL_CHAR_W * len(label) + 3
        ly = top - 4 - row * 12
        detail = f": {ev['detail']}" if ev.get("detail") else ""
        took = (ev["end_s"] - ev["t_s"]) * 1000
        idle = (ev.get("detail") or "").startswith(("skipped", "no agent"))
        color = "#bbb" if idle else "#333"   # a step this mode had nothing for
        e.append(f'<line x1="{_f(x)}" y1="{ly + 2}" x2="{_f(x)}" y2="{bottom}" stroke="{color}" '
                 f'stroke-dasharray="4,3" stroke-width="0.9"><title>{ev["t_s"]:.3f} s: '
                 f'{escape(ev["label"] + detail)} (took {took:.0f} ms)</title></line>')
        if took >= 5:   # the host's command took a while: show how long
            e.append(f'<rect x="{_f(x)}" y="{top}" width="{_f(max(1.0, X(ev["end_s"]) - x))}" '
                     f'height="3" fill="#333"/>')
        e.append(f'<text x="{_f(x + 2)}" y="{ly}" class="ev{" idle" if idle else ""}">'
                 f'{escape(label)}</text>')
    e.append("</g>")
    return e


def legend(y, style, diamonds):
    items = [(C_OUT, "UDP guest->peer"), (C_IN, "UDP peer->guest"),
             (C_LOST_OUT, "lost guest->peer"), (C_LOST_IN, "lost peer->guest"),
             (C_TCP, style.tcp), (C_VF, "carried by " + style.fast),
             (C_SBY, "carried by the standby")]
    e, x = [], PLOT_L
    for color, text in items:
        e.append(f'<rect x="{x}" y="{y - 9}" width="14" height="10" fill="{color}"/>')
        e.append(f'<text x="{x + 18}" y="{y}" class="ax">{escape(text)}</text>')
        x += 26 + 6.6 * len(text)
    x2 = PLOT_L
    y2 = y + 16
    for kind in style.phases:
        e.append(f'<rect x="{x2}" y="{y2 - 9}" width="14" height="10" fill="{style.fill(kind)}" '
                 f'stroke="#bbb"/>')
        e.append(f'<text x="{x2 + 18}" y="{y2}" class="ax">phase: {kind}</text>')
        x2 += 130
    what = "dashed: host steps" + ("; diamonds: failover state changes" if diamonds else "")
    e.append(f'<text x="{x2 + 10}" y="{y2}" class="ax">{what} (hover for details)</text>')
    return e


def render(style, headline, params, runs):
    """The whole picture.  headline: the line on top (what was run); params: "rate"
    (UDP frames per second each way) and "tcp_mbit" set the scales; runs: [(mode,
    title, subtitle, run)]; unavailable or failed modes: run None, subtitle says why."""
    body = []
    y = 60
    body += legend(y - 20, style, any(r and r.get("daemon_events") for *_, r in runs))
    y += 14
    for _mode, title, subtitle, run in runs:
        if run is None:
            body.append(f'<text x="{PLOT_L}" y="{y + 20}" class="title">{escape(title)}</text>')
            body.append(f'<text x="{PLOT_L}" y="{y + 36}" class="sub na">'
                        f'{escape(subtitle)}</text>')
            y += 52
            continue
        body += panel(y, title, subtitle, run, params, style)
        y += PANEL_H
    h = y + 10
    head = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" '
            f'viewBox="0 0 {W} {h}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
            "<style>.title{font-size:14px;font-weight:bold}.sub{font-size:11.5px;fill:#333}"
            ".ax{font-size:10.5px;fill:#444}.tcp{fill:#c85a00}.lost{fill:#a01010}"
            ".ev{font-size:10px;fill:#222}.idle{fill:#aaa}"
            ".na{fill:#a00}</style>",
            f'<rect width="{W}" height="{h}" fill="#fff"/>',
            f'<text x="{PLOT_L}" y="22" class="title">{escape(style.tool)}: '
            f'{escape(headline)}</text>']
    return "\n".join(head + body + ["</svg>"]) + "\n"
