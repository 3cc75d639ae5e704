# SPDX-License-Identifier: BSD-2-Clause
"""The lab network: two network namespaces of our own.

  <prefix>-l  the hypervisors' side: a learning bridge br0, four taps (tapS0/tapS1
              for the source QEMU's standby/primary, tapD0/tapD1 for the
              destination's), the loopback the migration stream uses, and one
              end of a veth pair; every QEMU runs in here.
  <prefix>-p  the peer: the other end of the veth pair, PEER_IP; the traffic
              tools run in here.

Nothing is created outside these namespaces; deleting them removes everything.
A counter sampler reads the taps' packet counters every 20 ms (through
/proc/PID/net/dev of an anchor process in the lab namespace) to tell which port
carries the guest's traffic.
"""

import subprocess
import threading
import time

from sfolabkit import netns
from sfolabkit.proc import LabError, argv_in, progress, run, stop_process

GUEST_IP = "10.77.0.10"
PEER_IP = "10.77.0.1"
PREFIXLEN = 24
MAC = "52:54:00:5f:00:01"
TAPS = {"S": ("tapS0", "tapS1"), "D": ("tapD0", "tapD1")}


class NetLab:
    def __init__(self, prefix, cleanup):
        self.lab = prefix + "-l"
        self.peer = prefix + "-p"
        self.cleanup = cleanup
        self.anchor = None
        self.sampler = None
        self._entry = None

    def ns(self, which, *cmd):
        return argv_in(self.lab if which == "lab" else self.peer, cmd)

    def setup(self):
        for n in (self.lab, self.peer):
            if netns.exists(n):
                raise LabError("network namespace %s exists already (another run?)" % n)
        self._entry = self.cleanup.push("delete namespaces %s %s" % (self.lab, self.peer), self.teardown)
        netns.add(self.lab)
        netns.add(self.peer)
        # a learning bridge with default ageing; no STP: ports forward at once
        netns.bridge(self.lab, "br0")
        for pair in TAPS.values():
            for t in pair:
                netns.ip(self.lab, "tuntap", "add", "dev", t, "mode", "tap")
                netns.port(self.lab, t)
        netns.veth(self.lab, "vpeer", self.peer, "eth0")
        netns.port(self.lab, "vpeer")
        netns.ip(self.peer, "addr", "add", "%s/%d" % (PEER_IP, PREFIXLEN), "dev", "eth0")
        netns.ip(self.peer, "link", "set", "eth0", "up")
        self.anchor = subprocess.Popen(self.ns("lab", "sleep", "infinity"), stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True)
        progress("net: namespaces %s (bridge, taps) and %s (%s) ready" % (self.lab, self.peer, PEER_IP))

    def start_sampler(self, interval=0.02):
        self.sampler = CounterSampler(self.anchor.pid, interval)
        self.sampler.start()
        return self.sampler

    def fdb(self):
        cp = run(self.ns("lab", "bridge", "fdb", "show", "br", "br0"), check=False)
        return [ln for ln in cp.stdout.splitlines() if MAC in ln]

    def teardown(self):
        try:
            if self.sampler:
                self.sampler.stop()
        finally:
            self.sampler = None
            if self.anchor:
                stop_process(self.anchor)
                self.anchor = None
        for n in (self.peer, self.lab):
            netns.delete(n)
        if self._entry:
            self.cleanup.done(self._entry)
            self._entry = None


class CounterSampler(threading.Thread):
    """Samples (host time, {ifname: (rx_packets, tx_packets)}) of the lab namespace."""

    def __init__(self, pid, interval):
        super().__init__(daemon=True)
        self.path = "/proc/%d/net/dev" % pid
        self.interval = interval
        self.samples = []
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def read(self):
        out = {}
        with open(self.path) as f:
            for line in f.readlines()[2:]:
                name, rest = line.split(":", 1)
                v = rest.split()
                out[name.strip()] = (int(v[1]), int(v[9]))
        return out

    def run(self):
        nxt = time.time()
        while not self._halt.is_set():
            try:
                s = (time.time(), self.read())
            except OSError:
                break
            with self._lock:
                self.samples.append(s)
            nxt += self.interval
            self._halt.wait(max(0.0, nxt - time.time()))

    def stop(self):
        self._halt.set()
        self.join(timeout=2)

    def snapshot(self, since=0.0):
        with self._lock:
            return [s for s in self.samples if s[0] >= since]


def on_primary(samples, sby, prim, since, window=0.3, share=0.8):
    """First host time >= since from which, over a window of `window` seconds, the
    primary's tap carries at least `share` of the guest's frames in both
    directions (guest->host: tap rx; host->guest: tap tx, so flooding to both
    ports does not count), refined to the first sample interval of that window
    in which only the primary carries frames each way. None if never."""
    pts = [s for s in samples if s[0] >= since]
    j = 0
    for i in range(len(pts)):
        t0, c0 = pts[i]
        while j < len(pts) and pts[j][0] < t0 + window:
            j += 1
        if j >= len(pts):
            return None
        c1 = pts[j][1]
        try:
            rp = c1[prim][0] - c0[prim][0]
            tp = c1[prim][1] - c0[prim][1]
            rs = c1[sby][0] - c0[sby][0]
            ts = c1[sby][1] - c0[sby][1]
        except KeyError:
            continue
        if rp > 0 and tp > 0 and rp >= share * (rp + rs) and tp >= share * (tp + ts):
            return _first_on_primary(pts[i:j + 1], sby, prim) or t0
    return None


def _first_on_primary(pts, sby, prim):
    """Within a window that is on the primary: the end of the first sample
    interval from which, in both directions, the primary carries frames and the
    standby none (the frames of that interval went through the primary)."""
    first = {}
    for (ta, a), (tb, b) in zip(pts, pts[1:]):
        for d in (0, 1):
            if d in first:
                continue
            if b[prim][d] > a[prim][d] and b[sby][d] == a[sby][d]:
                first[d] = ta
        if len(first) == 2:
            return max(first.values())
    return None


def port_shares(samples, taps, t_from, t_to):
    """Frames each tap carried between two host times: {tap: [rx, tx]}."""
    pts = [s for s in samples if t_from <= s[0] <= t_to]
    if len(pts) < 2:
        return {}
    a, b = pts[0][1], pts[-1][1]
    return {t: [b[t][0] - a[t][0], b[t][1] - a[t][1]] for t in taps if t in a and t in b}
