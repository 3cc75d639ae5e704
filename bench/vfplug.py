#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Hot-plug a new "VF" into the guest and time its first frames (switch.py).

Runs in the host namespace (ip netns exec HOST). Creates the veth pair
vf0/hvf0 there, bridges hvf0 and brings it up, opens an AF_PACKET capture on
hvf0 (kernel receive timestamps, SO_TIMESTAMPNS), then moves vf0 into the
guest namespace with one RTM_NEWLINK (IFLA_NET_NS_FD): that call is the
hot-plug, timed on both sides; link monitors note when the guest is told of
the new vf0 (RTM_NEWLINK), when it is reported up and running (IFF_RUNNING:
operstate up), and when the bridge puts hvf0 in forwarding state. Reports when the first frame from the guest's
MAC, and the first UDP datagram to --data-port, arrived on hvf0 (= left the
guest through the new VF). One JSON line on stdout. Times: CLOCK_REALTIME
ns, plus the CLOCK_MONOTONIC reading at the hot-plug (to line up with the
daemon's log).

The link monitors' times are their wake-ups (netlink carries no kernel
timestamp), so they run in a process of their own at real-time priority
OBSERVER_PRIORITY, above the daemon's (realtime-priority, default 10), and
with nothing else to do: otherwise the streams' load, a real-time daemon or
this process's own capture loop delays them, and every time measured from
"RUNNING" shrinks by that delay. The capture (kernel timestamps) stays at
normal priority, so that reading 40 kpps does not take a CPU from the guest.
"""
import argparse
import ctypes
import json
import os
import socket
import struct
import select
import subprocess
import sys
import time
import traceback

from capture import Capture, ethertype_name

OBSERVER_PRIORITY = 50

RTM_NEWLINK = 16
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
IFLA_NET_NS_FD = 28
IFLA_IFNAME = 3
IFLA_PROTINFO = 12
IFLA_BRPORT_STATE = 1
BR_STATE_FORWARDING = 3
AF_BRIDGE = 7
IFF_UP = 0x1
IFF_RUNNING = 0x40
RTMGRP_LINK = 1
CLONE_NEWNET = 0x40000000


def sh(*args):
    subprocess.run(args, check=True)


def move_to_netns(ifindex, ns_fd):
    """RTM_NEWLINK {ifindex, IFLA_NET_NS_FD}; returns (t0_real, t0_mono, t1_real)."""
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    nl.bind((0, 0))
    attr = struct.pack("=HHI", 8, IFLA_NET_NS_FD, ns_fd)
    ifi = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, ifindex, 0, 0)
    body = ifi + attr
    hdr = struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 1, 0)
    t0_mono = time.monotonic_ns()
    t0 = time.time_ns()
    nl.send(hdr + body)
    reply = nl.recv(65536)
    t1 = time.time_ns()
    nl.close()
    _, typ = struct.unpack_from("=IH", reply)
    if typ != NLMSG_ERROR:
        raise RuntimeError("unexpected netlink reply type %d" % typ)
    (err,) = struct.unpack_from("=i", reply, 16)
    if err:
        raise OSError(-err, "moving vf0: " + os.strerror(-err))
    return t0, t0_mono, t1


def guest_link_monitor(guest_ns_path):
    """A NETLINK_ROUTE socket subscribed to link events, in the guest netns."""
    libc = ctypes.CDLL(None, use_errno=True)
    here = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open(guest_ns_path, os.O_RDONLY)
    try:
        if libc.setns(there, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns to the guest")
        mon = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        mon.bind((0, RTMGRP_LINK))
    finally:
        if libc.setns(here, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns back to the host")
        os.close(here)
        os.close(there)
    return mon


def parse_links(buf):
    """Yield (family, flags, ifname, brport_state) of the RTM_NEWLINKs in @buf."""
    off = 0
    while off + 16 <= len(buf):
        ln, typ = struct.unpack_from("=IH", buf, off)
        if ln < 16:
            return
        if typ == RTM_NEWLINK and ln >= 32:
            family, _, _, flags = struct.unpack_from("=BxHiI", buf, off + 16)
            name, state = None, None
            a = off + 32
            while a + 4 <= off + ln:
                alen, atype = struct.unpack_from("=HH", buf, a)
                if alen < 4:
                    break
                atype &= 0x3FFF
                if atype == IFLA_IFNAME:
                    name = buf[a + 4:a + alen].rstrip(b"\0")
                elif atype == IFLA_PROTINFO:
                    b = a + 4
                    while b + 4 <= a + alen:
                        blen, btype = struct.unpack_from("=HH", buf, b)
                        if blen < 4:
                            break
                        if btype & 0x3FFF == IFLA_BRPORT_STATE:
                            state = buf[b + 4]
                        b += (blen + 3) & ~3
                a += (alen + 3) & ~3
            yield family, flags, name, state
        off += (ln + 3) & ~3


def watch_links(socks, until):
    """CLOCK_REALTIME (on wake-up) of the first RTM_NEWLINK of each watched
    name ("new"), the first with IFF_UP ("up"), with IFF_RUNNING ("running"),
    and, for a bridge port, the first in state forwarding ("fwd"). @socks maps
    a socket to (name, result dict); returns when each saw what it waits for."""
    def done(result):
        return "running" in result or "fwd" in result
    watching = dict(socks)
    while time.monotonic() < until and watching and not all(done(r) for _, r in socks.values()):
        ready, _, _ = select.select(list(watching), [], [], 0.05)
        now = time.time_ns()
        for mon in ready:
            name, result = watching[mon]
            try:
                buf = mon.recv(65536)
            except OSError as e:   # e.g. ENOBUFS: what it saw so far stands
                print("vfplug: watching %s: %s" % (name.decode(), e), file=sys.stderr)
                del watching[mon]
                continue
            for family, flags, ifname, state in parse_links(buf):
                if ifname != name:
                    continue
                result.setdefault("new", now)
                if family == AF_BRIDGE:
                    if state == BR_STATE_FORWARDING:
                        result.setdefault("fwd", now)
                    continue
                if flags & IFF_UP:
                    result.setdefault("up", now)
                if flags & IFF_RUNNING:
                    result.setdefault("running", now)


def start_observer(socks, until, close):
    """Forks the link watchers' process (real-time, see the top), which closes
    the sockets in @close (the capture: it would keep copying frames); returns a
    function that waits for it and gives back each socket's results."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(r)
            for sock in close:
                sock.close()
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(OBSERVER_PRIORITY))
            watch_links(socks, until)
            with os.fdopen(w, "w") as f:
                json.dump([socks[m][1] for m in socks], f)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(w)

    def results():
        with os.fdopen(r) as f:
            text = f.read()
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code or not text:
            raise RuntimeError("the link watchers' process failed (exit %d)" % code)
        return json.loads(text)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--guest-netns", required=True, help="path, e.g. /run/netns/NAME")
    ap.add_argument("--mac", required=True)
    ap.add_argument("--bridge", default="br0")
    ap.add_argument("--data-port", type=int, required=True,
                    help="UDP destination port of the guest's stream")
    ap.add_argument("--timeout", type=float, default=1.0, help="seconds to wait for frames")
    ap.add_argument("--host-end", default="hvf0", help="name of the new VF's host end")
    ap.add_argument("--wait-go", action="store_true",
                    help='set everything up, print "ready", and hot-plug only when a line '
                         "arrives on stdin")
    a = ap.parse_args()

    mac = bytes.fromhex(a.mac.replace(":", ""))
    sh("ip", "link", "add", "vf0", "address", a.mac, "type", "veth", "peer", "name", a.host_end)
    sh("ip", "link", "set", a.host_end, "master", a.bridge, "up")
    cap = Capture(a.host_end)
    ns_fd = os.open(a.guest_netns, os.O_RDONLY)
    ifindex = socket.if_nametoindex("vf0")
    mon = guest_link_monitor(a.guest_netns)
    # the host end as a bridge port: when does the bridge forward its frames?
    hmon = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    hmon.bind((0, RTMGRP_LINK))
    if a.wait_go:
        print("ready", flush=True)
        sys.stdin.readline()
    # drop what the sockets collected while waiting (the old VF's events...)
    for sock in (cap.sock, mon, hmon):
        sock.setblocking(False)
        try:
            while sock.recv(65536):
                pass
        except BlockingIOError:
            pass
        sock.setblocking(True)
    until = time.monotonic() + a.timeout + 0.5
    observer = start_observer({mon: (b"vf0", {}), hmon: (a.host_end.encode(), {})}, until,
                              [cap.sock])
    mon.close()
    hmon.close()

    t0, t0_mono, t1 = move_to_netns(ifindex, ns_fd)
    os.close(ns_fd)

    deadline = time.monotonic() + a.timeout
    first_any, first_data, data_ts, frames_before_data = None, None, [], 0
    while True:
        f = cap.next_from(mac, deadline)   # from the guest, not towards it
        if f is None:
            break
        ts, etype, data = f
        if first_any is None:
            first_any = (ts, ethertype_name(etype))
        is_data = (etype == 0x0800 and len(data) >= 38 and data[23] == 17 and
                   struct.unpack_from("!H", data, 14 + (data[14] & 0x0F) * 4 + 2)[0] == a.data_port)
        if is_data:
            data_ts.append(ts)
            if first_data is None:
                first_data = ts
                # keep watching a little: which frames came before the bridge forwarded?
                deadline = min(deadline, time.monotonic() + 0.03)
        elif first_data is None:
            frames_before_data += 1
    cap.close()
    seen, hseen = observer()

    def rel(t, since=t0):
        return (t - since) / 1e6 if t and since else None
    t_nl = seen.get("new")
    out = {"t0_real_ns": t0, "t0_mono_ns": t0_mono, "move_call_ms": (t1 - t0) / 1e6,
           "guest_newlink_ms": rel(t_nl),
           "first_any_ms": rel(first_any and first_any[0]),
           "first_any_kind": first_any and first_any[1],
           "first_data_ms": rel(first_data),
           "first_data_after_ms": rel(first_data, t1),
           "first_data_from_newlink_ms": rel(first_data, t_nl),
           "first_any_from_newlink_ms": rel(first_any and first_any[0], t_nl),
           "frames_before_data": frames_before_data,
           "guest_up_ms": rel(seen.get("up")),
           "guest_running_ms": rel(seen.get("running")),
           "host_port_forwarding_ms": rel(hseen.get("fwd"))}
    fwd = hseen.get("fwd")
    # data frames that reached hvf0 before its bridge port forwarded (the bridge
    # drops them); notification times are user-space wake-ups, so approximate
    out["data_before_port_forwarding"] = sum(1 for t in data_ts if fwd and t < fwd) if fwd else None
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        print("vfplug: %s" % e, file=sys.stderr)
        sys.exit(1)
