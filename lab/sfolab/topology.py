# SPDX-License-Identifier: BSD-2-Clause
"""The migration lab's network: two hosts, a top-of-rack switch, a remote peer,
and a guest whose virtio backend moves from one host to the other.

    PREFIX-guest   sby (standby, MAC M, 10.77.0.1/24)          vf0 (the VF: MAC M)
                    |                                            |
    PREFIX-vmm     hsby ==tc mirred wire==> toA | toB            |
                             (the VMM: the virtio backend,       |
                              "moves" by re-pointing the wire)   |
                           |                  |                  |
    PREFIX-hostA   tap0 -- br0 -- hvfK    PREFIX-hostB   tap0 -- br0 -- hvfK
                          |                                     |
                        uplink                               uplink
                          |                                     |
    PREFIX-tor            hostA ------------ br0 ------------ hostB
                                              |
                                             peer
                                              |
    PREFIX-peer                              eth0 (10.77.0.2/24)

Each host's br0 stands for the host NIC's embedded switch: the VF's host end
(hvfK, a veth whose guest end is the VF) and the virtio backend's tap (tap0)
are its ports, next to the uplink to the top-of-rack switch.  Every bridge
learns MAC addresses.

The standby is a veth whose other end (hsby) sits in the VMM namespace; two
tc mirred filters join hsby to toA (whose peer is host A's tap0) or to toB
(host B's).  The guest's standby interface is never touched, and its carrier
stays up for the whole migration, as a virtio NIC's does:

  * pause (the VM is stopped for the blackout): the wire's leg to the current
    host goes down; frames to and from the guest are dropped, the host's tap
    loses carrier (its bridge forgets the MAC);
  * resume on the other host: the wire is re-pointed and that leg comes up;
    the VMM then announces the MAC (RARP, as QEMU's announce-self) so that the
    switches learn the guest's new port.

A VF is a veth created in the guest *down*, with the standby's MAC and the
MTU of a fresh VF (1500), its host end up on the host's bridge: hot-add.
Deleting it in the guest is the unplug (its host end goes with it).

IPv6 is off in every namespace: the lab measures IPv4 traffic, and nothing
else (router solicitations, MLD, DAD) travels on the links.
"""

import json
import os
import subprocess
import sys

from sfolabkit import netns
from sfolabkit.proc import LabError, run

from . import util

HOSTS = ("A", "B")
GUEST_IP = "10.77.0.1"
PEER_IP = "10.77.0.2"
PREFIXLEN = 24
STANDBY = "sby"
VF = "vf0"
VF_END_INDEX = 1000   # + plug number: the ifindex of a VF's host end
# Classic BPF program "return -1": match every frame (cls_bpf; this kernel has no
# matchall classifier and no gact action, but cls_bpf and act_mirred).
_MATCH_ALL = ["bpf", "bytecode", "1,6 0 0 4294967295"]

_counter = [0]
HERE = os.path.dirname(os.path.abspath(__file__))


class Topology:
    """One complete lab network.  create() builds it, destroy() removes it; every
    namespace is registered with util's cleanup the moment it exists."""

    def __init__(self, mtu=1500, workdir="/tmp"):
        _counter[0] += 1
        pid = os.getpid()
        self.id = f"sfo-lab-{pid}-{_counter[0]}"
        self.ns = {role: f"{self.id}-{role}" for role in
                   ("guest", "vmm", "hostA", "hostB", "tor", "peer")}
        self.mac = f"02:5f:1a:{pid >> 8 & 0xff:02x}:{pid & 0xff:02x}:{_counter[0] & 0xff:02x}"
        self.mtu = mtu
        self.workdir = workdir
        self.guest_ip, self.peer_ip = GUEST_IP, PEER_IP
        self.backend_host = None   # "A" or "B": where the virtio backend runs
        self.vf = None             # {"name", "host", "host_end"} of the current VF
        self.plugs = 0             # VF hot-adds so far (names the host ends)
        self.samplers = []
        self.announcer = None
        self.guest_anchor = None   # a process in the guest's namespace: its /proc/PID/net

    # ------------------------------------------------------------ helpers
    def ip(self, role, *args, check=True):
        return netns.ip(self.ns[role], *args, check=check)

    def tc_batch(self, role, lines):
        return run(["tc", "-n", self.ns[role], "-batch", "-"], input="\n".join(lines) + "\n")

    def host(self, h):
        return "host" + h

    # ------------------------------------------------------------ build
    def create(self):
        for name in self.ns.values():
            netns.add(name)
        mtu = self.mtu
        for role in ("hostA", "hostB", "tor"):   # the switches
            netns.bridge(self.ns[role], "br0", mtu)
        for h in HOSTS:
            netns.veth(self.ns[self.host(h)], "uplink", self.ns["tor"], "host" + h, mtu=mtu,
                       peer_mtu=mtu)
            netns.port(self.ns[self.host(h)], "uplink")
            netns.port(self.ns["tor"], "host" + h)
        netns.veth(self.ns["peer"], "eth0", self.ns["tor"], "peer", mtu=mtu, peer_mtu=mtu)
        netns.port(self.ns["tor"], "peer")
        self.ip("peer", "addr", "add", f"{self.peer_ip}/{PREFIXLEN}", "dev", "eth0")
        self.ip("peer", "link", "set", "eth0", "up")
        # The standby and its backend: guest sby <-> vmm hsby, wired to host A.
        netns.veth(self.ns["guest"], STANDBY, self.ns["vmm"], "hsby", mtu=mtu, mac=self.mac,
                   peer_mtu=mtu)
        for h in HOSTS:
            netns.veth(self.ns["vmm"], "to" + h, self.ns[self.host(h)], "tap0", mtu=mtu,
                       peer_mtu=mtu)
            netns.port(self.ns[self.host(h)], "tap0")
        self.ip("vmm", "link", "set", "hsby", "up")
        match = " ".join(_quote(_MATCH_ALL))
        self.tc_batch("vmm", [f"qdisc add dev {d} clsact" for d in ("hsby", "toA", "toB")] + [
            f"filter add dev to{h} ingress pref 1 handle 1 {match} "
            f"action mirred egress redirect dev hsby" for h in HOSTS])
        self._point_wire("A")
        self.ip("vmm", "link", "set", "toA", "up")
        self.backend_host = "A"
        self._check_mtu()
        self.announcer = util.Proc(
            [sys.executable, os.path.join(HERE, "announce.py"), "--mac", self.mac],
            ns=self.ns["vmm"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, name="announce")
        self.guest_anchor = util.Proc(["sleep", "infinity"], ns=self.ns["guest"],
                                      name="guest-anchor")
        return self

    def _check_mtu(self):
        """Every link the lab made has the lab's MTU (a smaller one silently drops
        large frames)."""
        bad = []
        for role, ns in self.ns.items():
            for ln in netns.links(ns):
                if ln["ifname"] != "lo" and ln.get("mtu") != self.mtu:
                    bad.append(f"{role}/{ln['ifname']} {ln.get('mtu')}")
        if bad:
            raise LabError(f"links without MTU {self.mtu}: {', '.join(bad)}")

    def _point_wire(self, h):
        """Sends what the guest's standby transmits to the leg of host h.  (What a leg
        receives always goes to the standby: the filters on toA/toB ingress.)"""
        match = " ".join(_quote(_MATCH_ALL))
        self.tc_batch("vmm", [f"filter replace dev hsby ingress pref 1 handle 1 {match} "
                              f"action mirred egress redirect dev to{h}"])

    def start_samplers(self, interval_ms=10):
        """Counter samplers in the namespaces holding the guest ports' host ends."""
        for role in ("vmm", "hostA", "hostB"):
            path = os.path.join(self.workdir, f"{self.id}-{role}.counters")
            out = open(path, "w")
            try:
                p = util.Proc([sys.executable, os.path.join(HERE, "sampler.py"), "--interval-ms",
                               str(interval_ms)], ns=self.ns[role], stdout=out,
                              name="sampler")
            finally:
                out.close()
            self.samplers.append((role, p, path))

    def stop_samplers(self):
        """Stops the samplers; returns {role: [(t_ns, {dev: (rx, tx)})...]}."""
        res = {}
        for role, p, path in self.samplers:
            p.stop()
            res[role] = _read_samples(path)
        self.samplers = []
        return res

    # ------------------------------------------------------------ guest config
    def guest_addr(self, dev):
        self.ip("guest", "addr", "add", f"{self.guest_ip}/{PREFIXLEN}", "dev", dev)

    def guest_up(self, dev, mtu=None):
        args = ["link", "set", dev]
        if mtu:
            args += ["mtu", str(mtu)]
        self.ip("guest", *args, "up")

    # ------------------------------------------------------------ the VF
    def add_vf(self, h, bridged=True):
        """Hot-adds a VF on host h: guest vf0 (down, MAC M, MTU 1500), host end hvfK up
        on host h's bridge; with bridged false up but not on the bridge (the VF has
        carrier, its frames go nowhere) until forward_vf_port()."""
        if self.vf is not None:
            raise LabError(f"add_vf: {VF} already exists (on host {self.vf['host']})")
        self.plugs += 1
        end = f"hvf{self.plugs}"
        host = self.host(h)
        # The host end's ifindex never equals the guest end's: the kernel takes a veth
        # whose peer has its own ifindex (in another namespace) for a device without a
        # peer and delays its carrier events (linkwatch) by up to 1 s, and with them
        # the moment its bridge port forwards.
        netns.veth(self.ns[host], end, self.ns["guest"], VF, mtu=self.mtu, peer_mac=self.mac,
                   peer_mtu=1500, index=VF_END_INDEX + self.plugs)
        appeared = util.now_ns()   # the guest has a new device
        if bridged:
            netns.port(self.ns[host], end)
        else:  # up, but not a port of the bridge yet: forward_vf_port()
            self.ip(host, "link", "set", end, "up")
        self.vf = {"name": VF, "host": h, "host_end": end, "appeared_ns": appeared}
        return self.vf

    def forward_vf_port(self):
        """The VF's host end joins its host's bridge; returns when (ns)."""
        self.ip(self.host(self.vf["host"]), "link", "set", self.vf["host_end"], "master", "br0")
        return util.now_ns()

    def del_vf(self):
        """Unplugs the VF: the guest's device disappears (its host end with it)."""
        if self.vf is None:
            raise LabError("del_vf: no VF")
        self.ip("guest", "link", "del", VF)
        self.vf = None

    # ------------------------------------------------------------ migration
    def pause(self, dst):
        """Stops the VM: the backend's leg to its host goes down, nothing passes any
        more.  Then, inside the blackout, the wire is pointed at host dst (whose leg
        stays down until resume()).  Returns when the pause took effect (ns)."""
        self.ip("vmm", "link", "set", "to" + self.backend_host, "down")
        t = util.now_ns()
        if dst != self.backend_host:
            self._point_wire(dst)
        self.backend_host = dst
        return t

    def resume(self):
        """Resumes the VM on the host chosen by pause(): its leg comes up.  Returns when
        that took effect (ns)."""
        self.ip("vmm", "link", "set", "to" + self.backend_host, "up")
        return util.now_ns()

    def announce(self):
        """The VMM announces the guest's MAC from its new host (RARP, QEMU's timing)."""
        if self.announcer is None or not self.announcer.alive():
            raise LabError("the announcer is not running")
        self.announcer.popen.stdin.write(("to" + self.backend_host + "\n").encode())
        self.announcer.popen.stdin.flush()

    # ------------------------------------------------------------ queries
    def link(self, role, dev):
        return netns.link(self.ns[role], dev)

    def guest_tx_packets(self, dev):
        """Frames the guest's dev sent so far, None if it has no such device: read
        from /proc (no command to run: cheap enough to poll under TCG)."""
        try:
            with open(f"/proc/{self.guest_anchor.pid}/net/dev") as f:
                for line in f:
                    name, sep, rest = line.partition(":")
                    if sep and name.strip() == dev:
                        return int(rest.split()[9])
        except (OSError, AttributeError, IndexError, ValueError):
            pass
        return None

    def ping(self, count=3, timeout=5.0):
        """Pings the peer from the guest; True if an answer came."""
        r = netns.run_in(self.ns["guest"], "ping", "-n", "-q", "-c", str(count), "-i", "0.1",
                         "-W", "1", "-w", str(int(timeout)), self.peer_ip, check=False,
                         timeout=timeout + 5)
        return r.returncode == 0

    def drop_counters(self):
        """Where frames can vanish, as flat {"NS-ROLE/what": count}: every device's
        drop and error counters, the wire's mirred drops (a redirect to a leg that is
        down), and the UDP/IP counters of the guest and the peer (socket buffer
        overflows, no route, ...).  Taken before and after the traffic; the lab
        reports what grew."""
        out = {}
        for role in self.ns:
            for ln in netns.links(self.ns[role]):
                st = ln.get("stats64") or {}
                for d in ("rx", "tx"):
                    for k in ("dropped", "errors", "missed", "carrier_errors"):
                        v = (st.get(d) or {}).get(k)
                        if v:
                            out[f"{role}/{ln['ifname']}/{d}_{k}"] = v
        for role in ("guest", "peer"):
            r = netns.run_in(self.ns[role], "cat", "/proc/net/snmp", check=False)
            rows = [ln.split() for ln in r.stdout.splitlines()]
            for hdr, val in zip(rows[::2], rows[1::2]):
                if hdr and hdr[0] in ("Ip:", "Udp:") and hdr[0] == val[0]:
                    for k, v in zip(hdr[1:], val[1:]):
                        if k in ("InDiscards", "OutDiscards", "OutNoRoutes", "InErrors",
                                 "RcvbufErrors", "SndbufErrors", "NoPorts") and v.isdigit():
                            out[f"{role}/{hdr[0][:-1].lower()}/{k}"] = int(v)
        for leg in ("hsby", "toA", "toB"):
            r = run(["tc", "-n", self.ns["vmm"], "-s", "filter", "show", "dev", leg,
                     "ingress"], check=False)
            for ln in r.stdout.splitlines():
                ln = ln.strip()
                if ln.startswith("Sent") and "dropped" in ln:
                    try:
                        n = int(ln.split("dropped")[1].split(",")[0])
                    except (ValueError, IndexError):
                        continue
                    if n:
                        out[f"vmm/{leg}/mirred_dropped"] = n
        return out

    # ------------------------------------------------------------ teardown
    def destroy(self):
        for _role, p, _path in self.samplers:
            p.stop()
        self.samplers = []
        for p in (self.announcer, self.guest_anchor):
            if p is not None:
                p.stop()
        self.announcer = self.guest_anchor = None
        for name in reversed(list(self.ns.values())):
            netns.delete(name)


def _quote(words):
    return [f'"{w}"' if " " in w else w for w in words]


def _read_samples(path):
    out = []
    try:
        with open(path) as f:
            for line in f:
                try:
                    d = json.loads(line)
                except ValueError:
                    continue  # a line cut by the stop
                out.append((d["t"], {k: tuple(v) for k, v in d["c"].items()}))
    except OSError:
        pass
    return out
