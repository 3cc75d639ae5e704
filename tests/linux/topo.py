# SPDX-License-Identifier: BSD-2-Clause
"""Network namespace topology for the sriov-failover integration tests.

    GUEST ns:  sby (standby, MAC M, 10.231.X.1/24, fd00:231::1/64)   vf0, vf1... (MAC M, no IP)
                 |                                                      |
    HOST ns:   hsby ------------------------ br0 --------------------- hvf0, hvf1...
                                              |
                                            hpeer
                                              |
    PEER ns:                                eth0 (10.231.X.2/24, fd00:231::2/64)

Every "VF" is a veth created *down* in the guest with the standby's MAC; its
host end is a bridge port.  The host-side counters tell which guest port a
frame really used: what the guest sends through a VF is received (rx) by its
host end, what it sends through the standby by hsby.

IPv6 is on in the guest and the peer (the daemon must keep it off on the VF
itself) and off in the host namespace (the bridge needs none).

Everything is named sfo-it-<pid>-<n>-{guest,host,peer}; destroy() removes the
namespaces and ends the processes started through the topology, by PID.  All
live topologies are also destroyed by cleanup_all(), which the harness runs at
exit and on SIGTERM/SIGINT/SIGHUP.  Python 3 standard library only.
"""

import os
import signal

from sfolabkit import netns
from sfolabkit.proc import Proc

_live = []  # topologies not yet destroyed
_counter = [0]


class Topology:
    """One guest/host/peer namespace triple.  See the module docstring."""

    def __init__(self, mtu=1500):
        _counter[0] += 1
        self.n = _counter[0]
        self.id = f"sfo-it-{os.getpid()}-{self.n}"
        self.guest = f"{self.id}-guest"
        self.host = f"{self.id}-host"
        self.peer = f"{self.id}-peer"
        x = (os.getpid() + self.n) % 250 + 1
        self.subnet = x
        pid = os.getpid()
        self.mac = f"02:5f:{pid >> 8 & 0xff:02x}:{pid & 0xff:02x}:{self.n & 0xff:02x}:01"
        self.guest_ip = f"10.231.{x}.1"
        self.peer_ip = f"10.231.{x}.2"
        self.guest_ip6 = "fd00:231::1"
        self.peer_ip6 = "fd00:231::2"
        self.standby = "sby"
        self.bridge = "br0"
        self.mtu = mtu
        self.vfs = []          # VF names currently existing
        self.procs = []        # Proc started through this topology
        self.namespaces = []
        self.extra_cleanup = []
        _live.append(self)

    # ------------------------------------------------------------ commands
    def ns_run(self, ns, *argv, check=True, timeout=30):
        """Runs argv inside namespace ns (ip netns exec)."""
        return netns.run_in(ns, *argv, check=check, timeout=timeout)

    def ip(self, ns, *args, check=True):
        return netns.ip(ns, *args, check=check)

    def g(self, *args, check=True):
        return self.ip(self.guest, *args, check=check)

    def h(self, *args, check=True):
        return self.ip(self.host, *args, check=check)

    def p(self, *args, check=True):
        return self.ip(self.peer, *args, check=check)

    def sysctl(self, ns, key, value):
        netns.sysctl(ns, f"{key}={value}")

    def read_proc(self, ns, path):
        return self.ns_run(ns, "cat", path).stdout.strip()

    # ------------------------------------------------------------ build up
    def create(self):
        for ns in (self.guest, self.host, self.peer):
            netns.add(ns, ipv6=ns != self.host)
            self.namespaces.append(ns)
        netns.bridge(self.host, self.bridge, self.mtu)
        netns.veth(self.peer, "eth0", self.host, "hpeer", mtu=self.mtu)
        self._host_port("hpeer")
        self.p("addr", "add", f"{self.peer_ip}/24", "dev", "eth0")
        self.p("-6", "addr", "add", f"{self.peer_ip6}/64", "dev", "eth0", "nodad")
        self.p("link", "set", "eth0", "up")
        self.create_standby()
        return self

    def create_standby(self):
        """Creates (or re-creates) sby/hsby with the topology's MAC, addresses and MTU."""
        netns.veth(self.guest, self.standby, self.host, "hsby", mtu=self.mtu, mac=self.mac)
        self._host_port("hsby")
        self.g("addr", "add", f"{self.guest_ip}/24", "dev", self.standby)
        self.g("-6", "addr", "add", f"{self.guest_ip6}/64", "dev", self.standby)
        self.g("link", "set", self.standby, "up")

    def del_standby(self):
        self.g("link", "del", self.standby)

    def _host_port(self, name, up=True, bridged=True):
        if bridged:
            netns.port(self.host, name, self.bridge, up, self.mtu)
        else:  # up (or down) but no bridge port: its frames go nowhere
            self.h("link", "set", name, "mtu", str(self.mtu), "up" if up else "down")

    def add_vf(self, name, mtu=None, host_up=True, bridged=True):
        """Adds a VF veth: created down in the guest with the standby's MAC (and the
        default MTU of a fresh VF, 1500, unless mtu is given); host end h<name> on the
        bridge, up unless host_up is false (then the VF has no carrier).  With bridged
        false the host end is up but no bridge port: the VF has carrier and its frames
        go nowhere (a host switch port not forwarding yet) until vf_host_port_forward()."""
        # The host end is created in the host namespace already down, so a VF arriving
        # without carrier never has carrier.
        netns.veth(self.host, self.host_end(name), self.guest, name, mtu=self.mtu,
                   peer_mtu=mtu, peer_mac=self.mac)
        self._host_port(self.host_end(name), host_up, bridged)
        self.vfs.append(name)
        return name

    def vf_host_port_forward(self, name):
        """The VF's host end joins the bridge: its frames are forwarded from now on."""
        self.h("link", "set", self.host_end(name), "master", self.bridge)

    def vf_host_port_unbridge(self, name):
        """The VF's host end leaves the bridge (carrier stays as it is)."""
        self.h("link", "set", self.host_end(name), "nomaster")

    def del_vf(self, name):
        """Surprise removal: deletes the VF (its host end goes with it)."""
        self.g("link", "del", name)
        if name in self.vfs:
            self.vfs.remove(name)

    @staticmethod
    def host_end(name):
        return "hsby" if name == "sby" else f"h{name}"

    def vf_host_side_down(self, name):
        """Carrier loss on the VF: its host end goes down."""
        self.h("link", "set", self.host_end(name), "down")

    def vf_host_side_up(self, name):
        self.h("link", "set", self.host_end(name), "up")

    def set_mtu(self, mtu, standby=True):
        """Sets the MTU of every host and peer link (bridge ports first), then the standby's."""
        self.mtu = mtu
        ports = ["hsby", "hpeer"] + [self.host_end(v) for v in self.vfs]
        for port in ports:
            self.h("link", "set", port, "mtu", str(mtu))
        self.h("link", "set", self.bridge, "mtu", str(mtu))
        self.p("link", "set", "eth0", "mtu", str(mtu))
        if standby:
            self.g("link", "set", self.standby, "mtu", str(mtu))

    def pin_neighbours(self):
        """Permanent IPv4/IPv6 neighbour entries between guest standby and peer, so that a
        loss measurement is about the datapath, not about ARP/ND timing."""
        peer_mac = self.link("peer", "eth0")["address"]
        self.g("neigh", "replace", self.peer_ip, "lladdr", peer_mac, "dev", self.standby,
               "nud", "permanent")
        self.g("-6", "neigh", "replace", self.peer_ip6, "lladdr", peer_mac, "dev",
               self.standby, "nud", "permanent")
        self.p("neigh", "replace", self.guest_ip, "lladdr", self.mac, "dev", "eth0", "nud",
               "permanent")
        self.p("-6", "neigh", "replace", self.guest_ip6, "lladdr", self.mac, "dev", "eth0",
               "nud", "permanent")

    def flush_neighbours(self):
        self.g("neigh", "flush", "dev", self.standby, check=False)
        self.g("-6", "neigh", "flush", "dev", self.standby, check=False)
        self.p("neigh", "flush", "dev", "eth0", check=False)
        self.p("-6", "neigh", "flush", "dev", "eth0", check=False)

    # ------------------------------------------------------------ queries
    def ns_of(self, where):
        return {"guest": self.guest, "host": self.host, "peer": self.peer}.get(where, where)

    def link(self, where, dev):
        """`ip -d -s -j link show` of one device as a dict (None if it does not exist)."""
        return netns.link(self.ns_of(where), dev)

    def counters(self, where, dev):
        """Packet/byte counters of a device: {rx_packets, rx_bytes, tx_packets, tx_bytes,
        rx_dropped, tx_dropped}."""
        return netns.counters(self.ns_of(where), dev)

    def host_counters(self, name):
        """Counters of the host end of a guest port (sby or a VF)."""
        return self.counters("host", self.host_end(name))

    def all_host_counters(self):
        return {n: self.host_counters(n) for n in ["sby"] + list(self.vfs)}

    def mtu_of(self, where, dev):
        return self.link(where, dev)["mtu"]

    def flags_of(self, where, dev):
        return self.link(where, dev)["flags"]

    def addrs(self, where, dev, family=None):
        return netns.addrs(self.ns_of(where), dev, family)

    # ------------------------------------------------------------ processes
    def start(self, where, argv, stdout=None, stderr=None, stdin=None, name=None):
        """Starts argv in a namespace ("guest"/"host"/"peer", a namespace name, or None for
        the test's own) and remembers it for destroy()."""
        ns = self.ns_of(where) if where else None
        p = Proc(argv, ns=ns, stdout=stdout, stderr=stderr, stdin=stdin, name=name, text=True)
        self.procs.append(p)
        return p

    def stop(self, proc, sig=signal.SIGTERM, timeout=5.0):
        return proc.stop(sig, timeout)

    # ------------------------------------------------------------ teardown
    def destroy(self):
        for p in reversed(self.procs):
            try:
                p.stop(signal.SIGTERM, 2.0)
            except Exception:  # noqa: BLE001 - cleanup must go on
                pass
        self.procs = []
        for fn in reversed(self.extra_cleanup):
            try:
                fn()
            except Exception:  # noqa: BLE001
                pass
        self.extra_cleanup = []
        for ns in self.namespaces:
            netns.delete(ns)
        self.namespaces = []
        if self in _live:
            _live.remove(self)


def cleanup_all():
    for t in list(_live):
        t.destroy()


def namespaces_of_this_run():
    """Names of existing namespaces created by this process (for leak checks)."""
    return netns.existing(f"sfo-it-{os.getpid()}-")
