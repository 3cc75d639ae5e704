# SPDX-License-Identifier: BSD-2-Clause
"""The frames a host port receives from the guest, with the kernel's receive
timestamps (AF_PACKET + SO_TIMESTAMPNS): when did the guest's traffic reach this
port?  Used by portwatch.py and vfplug.py (switch.py)."""

import select
import socket
import struct
import time

ETH_P_ALL = 0x0003
SO_TIMESTAMPNS = 35
PACKET_OUTGOING = 4
ETHERTYPES = {0x0806: "arp", 0x0800: "ipv4", 0x86dd: "ipv6"}


def ethertype_name(etype):
    """A frame's ethertype by name ("arp", "ipv4", "ipv6") or in hex."""
    return ETHERTYPES.get(etype, hex(etype))


class Capture:
    def __init__(self, ifname):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind((ifname, ETH_P_ALL))

    def next_from(self, mac, deadline):
        """(CLOCK_REALTIME ns, ethertype, frame) of the next frame received from
        the source MAC mac (bytes) before the CLOCK_MONOTONIC deadline (s), or
        None.  Frames the port sends are skipped."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            data, anc, _, addr = self.sock.recvmsg(2048, socket.CMSG_SPACE(16))
            if addr[2] == PACKET_OUTGOING or data[6:12] != mac:
                continue
            ts = None
            for level, typ, cdata in anc:
                if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("=qq", cdata[:16])
                    ts = sec * 1000000000 + nsec
            return (ts if ts is not None else time.time_ns(),
                    struct.unpack_from("!H", data, 12)[0], data)

    def close(self):
        self.sock.close()
