# SPDX-License-Identifier: BSD-2-Clause
"""Measurements on a common grid of time bins (time zero: the moment the
senders started, CLOCK_REALTIME), from sfo-traffic's reports and from
interface counter samples: what the labs' analyses and pictures are made of.

  udp_grid      received and lost per bin, from a udp-recv report's timeline
  tcp_grid      Mbit/s per bin, from a TCP report's progress timeline
  counter_grid  per-bin deltas of (rx, tx) packet counters
  events_grid   counts per bin of timed events (e.g. placed losses)
"""

import math

DT = 0.010
FINE = 0.001


def _bin_of(t, n, dt=DT):
    i = int(math.floor(t / dt))
    return i if 0 <= i < n else None


def udp_grid(report, t0_ns, n, dt=DT):
    """(rx[], lost[]) on a grid of dt bins, from a udp-recv report."""
    rx, lost = [0] * n, [0] * n
    if not report or not report.get("timeline"):
        return rx, lost
    tl = report["timeline"]
    off = (report["start_unix_ns"] - t0_ns) / 1e9
    idt = tl["interval_ms"] / 1000
    for key, dst in (("rx", rx), ("lost", lost)):
        for i, v in enumerate(tl.get(key) or []):
            b = _bin_of(off + (i + 0.5) * idt, n, dt)
            if b is not None:
                dst[b] += v
    return rx, lost


def tcp_grid(report, t0_ns, n, dt=DT):
    """Mbit/s per bin from a tcp-stream or tcp-sink report (progress: bytes
    acknowledged or received)."""
    out = [0.0] * n
    if not report or not report.get("timeline"):
        return out
    tl = report["timeline"]
    off = (report["start_unix_ns"] - t0_ns) / 1e9
    idt = tl["interval_ms"] / 1000
    for i, v in enumerate(tl.get("bytes") or []):
        b = _bin_of(off + (i + 0.5) * idt, n, dt)
        if b is not None:
            out[b] += v * 8 / 1e6 / dt
    return out


def counter_grid(samples, t0_ns, n, match, dt=DT):
    """Per-bin deltas of (rx, tx) summed over the devices whose name match() accepts.
    The delta between two samples is spread evenly over the bins their interval
    covers (a late sample does not pile its frames into one bin).  A device that
    appears between two samples counts from zero; the first sample is the baseline."""
    rx, tx = [0.0] * n, [0.0] * n
    prev, prev_t = None, None
    for t_ns, c in samples:
        t = (t_ns - t0_ns) / 1e9
        if prev is not None:
            dr = dx = 0
            for dev, (r, x) in c.items():
                if match(dev):
                    pr, px = prev.get(dev, (0, 0))
                    dr += max(0, r - pr)
                    dx += max(0, x - px)
            if dr or dx:
                _spread(rx, tx, prev_t, t, dr, dx, n, dt)
        prev, prev_t = c, t
    return rx, tx


def _spread(rx, tx, a, b, dr, dx, n, dt):
    if b <= a:
        b = a + 1e-9
    i = int(math.floor(a / dt))
    while i * dt < b:
        lo, hi = max(a, i * dt), min(b, (i + 1) * dt)
        if hi > lo and 0 <= i < n:
            w = (hi - lo) / (b - a)
            rx[i] += dr * w
            tx[i] += dx * w
        i += 1


def events_grid(events, t0_ns, n, dt=DT):
    """Counts per bin from [(CLOCK_REALTIME s, count)], e.g. lost frames placed
    where they were due."""
    out = [0] * n
    for t, k in events:
        b = _bin_of(t - t0_ns / 1e9, n, dt)
        if b is not None:
            out[b] += k
    return out
