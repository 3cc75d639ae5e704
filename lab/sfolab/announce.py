# SPDX-License-Identifier: BSD-2-Clause
"""QEMU announce-self stand-in, run inside the lab's VMM namespace:

    ip netns exec VMM python3 announce.py --mac MAC

Each line read on standard input names an interface; on it the guest's MAC is
announced as QEMU does after a migration: RARP requests (ethertype 0x8035,
broadcast, source MAC = the guest's), five rounds, sent at 0, 50, 200, 450 and
800 ms (QEMU's defaults: announce-initial 50 ms, announce-step 100 ms,
announce-max 550 ms, announce-rounds 5).  A newer request cancels the rounds
left of an older one.  Ends at end of input or on SIGTERM.  Standalone, standard
library only.
"""

import argparse
import signal
import socket
import struct
import sys
import threading
import time

ETH_P_RARP = 0x8035
SCHEDULE_MS = (0, 50, 200, 450, 800)


def rarp_frame(mac):
    m = bytes.fromhex(mac.replace(":", ""))
    eth = b"\xff" * 6 + m + struct.pack("!H", ETH_P_RARP)
    # htype Ethernet, ptype IPv4, hlen 6, plen 4, op 3 (reverse request)
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 3) + m + b"\0" * 4 + m + b"\0" * 4
    frame = eth + body
    return frame + b"\0" * max(0, 60 - len(frame))


class Announcer:
    def __init__(self, mac):
        self.frame = rarp_frame(mac)
        self.gen = 0
        self.lock = threading.Lock()

    def start(self, ifname):
        with self.lock:
            self.gen += 1
            gen = self.gen
        threading.Thread(target=self._rounds, args=(ifname, gen), daemon=True).start()

    def _rounds(self, ifname, gen):
        try:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_RARP))
            s.bind((ifname, 0))
        except OSError as e:
            print(f"announce: {ifname}: {e}", file=sys.stderr, flush=True)
            return
        t0 = time.monotonic()
        with s:
            for ms in SCHEDULE_MS:
                d = t0 + ms / 1000 - time.monotonic()
                if d > 0:
                    time.sleep(d)
                if self.gen != gen:
                    return
                try:
                    s.send(self.frame)
                except OSError as e:
                    print(f"announce: {ifname}: {e}", file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description="RARP announcer (QEMU announce-self)")
    ap.add_argument("--mac", required=True)
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ann = Announcer(a.mac)
    for line in sys.stdin:
        name = line.strip()
        if name:
            ann.start(name)
    time.sleep(SCHEDULE_MS[-1] / 1000 + 0.1)  # let the last rounds go out


if __name__ == "__main__":
    main()
