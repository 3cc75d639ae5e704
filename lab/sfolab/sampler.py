# SPDX-License-Identifier: BSD-2-Clause
"""Interface counter sampler, run inside one namespace of the lab:

    ip netns exec NS python3 sampler.py [--interval-ms N]

Every N ms (default 10) it reads /proc/net/dev (the namespace's own: it does
not take the RTNL lock, unlike /sys/class/net/*/statistics, which retries in
a loop while anybody holds it) and prints one JSON line

    {"t": CLOCK_REALTIME ns, "c": {"dev": [rx_packets, tx_packets], ...}}

for every interface but lo, until SIGTERM/SIGINT.  It keeps the real-time
priority it inherits from sfo-lab (a starved sampler would blur the
timeline); reading /proc/net/dev costs a few tens of microseconds.
Standalone: no import of the sfolab package, standard library only.
"""

import argparse
import json
import signal
import sys
import time

_stop = [False]


def sample(f):
    """{dev: [rx_packets, tx_packets]} from /proc/net/dev (open file f)."""
    c = {}
    f.seek(0)
    for line in f.read().splitlines()[2:]:
        name, _, rest = line.partition(":")
        name = name.strip()
        v = rest.split()
        if name == "lo" or len(v) < 10:
            continue
        c[name] = [int(v[1]), int(v[9])]
    return c


def main():
    ap = argparse.ArgumentParser(description="interface counter sampler")
    ap.add_argument("--interval-ms", type=int, default=10)
    a = ap.parse_args()
    period = max(1, a.interval_ms) * 1_000_000

    def stop(_sig, _frm):
        _stop[0] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    out = sys.stdout
    f = open("/proc/net/dev")
    nxt = time.monotonic_ns()
    while not _stop[0]:
        out.write(json.dumps({"t": time.time_ns(), "c": sample(f)}, separators=(",", ":")))
        out.write("\n")
        nxt += period
        d = nxt - time.monotonic_ns()
        if d > 0:
            time.sleep(d / 1e9)
        else:
            nxt = time.monotonic_ns()
    out.flush()


if __name__ == "__main__":
    main()
