#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Time the first frame from the guest on a host port (switch.py).

Runs in the host namespace. Opens an AF_PACKET capture (kernel receive
timestamps) on --ifname, prints "ready" on stdout, then reports, as one JSON
line, the CLOCK_REALTIME ns of the first frame whose source MAC is --mac and
whose kernel timestamp is at or after --after-ns (or null), and what it was.
Used on hsby while the VF leaves: that frame marks the moment the guest's TX
is back on the standby (by the kernel's devmap fallback or by the daemon).
"""
import argparse
import json
import sys
import time

from capture import Capture, ethertype_name


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ifname", required=True)
    ap.add_argument("--mac", required=True)
    ap.add_argument("--timeout", type=float, default=1.0)
    a = ap.parse_args()
    mac = bytes.fromhex(a.mac.replace(":", ""))
    cap = Capture(a.ifname)
    print("ready", flush=True)
    after = int(sys.stdin.readline().strip() or 0)  # the removal's time, sent when it happens
    out = {"first_ns": None, "kind": None}
    deadline = time.monotonic() + a.timeout
    while True:
        f = cap.next_from(mac, deadline)
        if f is None:
            break
        ts, etype, _ = f
        if ts >= after:
            out["first_ns"] = ts
            out["kind"] = ethertype_name(etype)
            break
    cap.close()
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except OSError as e:
        print("portwatch: %s" % e, file=sys.stderr)
        sys.exit(1)
