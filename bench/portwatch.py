#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Time the first frame from the guest on a host port (switch.sh).

Runs in the host namespace. Opens an AF_PACKET capture (kernel receive
timestamps) on --ifname, prints "ready" on stdout, then reports, as one JSON
line, the CLOCK_REALTIME ns of the first frame whose source MAC is --mac and
whose kernel timestamp is at or after --after-ns (or null), and what it was.
Used on hsby while the VF leaves: that frame marks the moment the guest's TX
is back on the standby (by the kernel's devmap fallback or by the daemon).
"""
import argparse
import json
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SO_TIMESTAMPNS = 35
PACKET_OUTGOING = 4


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ifname", required=True)
    ap.add_argument("--mac", required=True)
    ap.add_argument("--timeout", type=float, default=1.0)
    a = ap.parse_args()
    mac = bytes.fromhex(a.mac.replace(":", ""))
    cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    cap.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    cap.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    cap.bind((a.ifname, ETH_P_ALL))
    print("ready", flush=True)
    after = int(sys.stdin.readline().strip() or 0)  # the removal's time, sent when it happens
    out = {"first_ns": None, "kind": None}
    deadline = time.monotonic() + a.timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([cap], [], [], left)
        if not r:
            break
        data, anc, _, addr = cap.recvmsg(2048, socket.CMSG_SPACE(16))
        if addr[2] == PACKET_OUTGOING or data[6:12] != mac:
            continue
        ts = None
        for level, typ, cdata in anc:
            if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("=qq", cdata[:16])
                ts = sec * 1000000000 + nsec
        if ts is None or ts < after:
            continue
        etype = struct.unpack_from("!H", data, 12)[0]
        out["first_ns"] = ts
        out["kind"] = {0x0806: "arp", 0x0800: "ipv4"}.get(etype, hex(etype))
        break
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except OSError as e:
        print("portwatch: %s" % e, file=sys.stderr)
        sys.exit(1)
