# SPDX-License-Identifier: BSD-2-Clause
"""How the guest uses its two NICs: the five modes the lab compares.

Each mode configures the guest of a fresh topology, reacts to what the host
does (release request, VF hot-added), and reports what it saw.  What the
host does is the same for every mode (choreography.py); only the guest
differs.

  sriov-failover  our daemon: the stack uses the standby, sriov-failoverd holds
                  the VF and steers through it; the host agent runs
                  `sriov-failover release` before each unplug.
  bonding         Linux bonding, active-backup over the VF (primary) and the
                  standby, the address on the bond; its best settings for this
                  job (below).  No host agent: the bond learns of an unplug
                  when the VF goes.  A new VF is enslaved as soon as it appears
                  (what a network manager would do, at once: optimistic).
  vf-only         no failover: the address on the VF alone, the standby unused.
                  A new VF gets the address as soon as it appears (again,
                  optimistic: no DHCP round trip).
  standby-only    virtio alone: the address on the standby, no VF ever plugged.
  ndis-edge       the Windows edge: sriovfo.sys's sources on the NDIS emulation
                  (sfo-ndis-host) with the standby and each VF as miniports
                  (AF_PACKET on sby, vf0) and the stack on a TAP device that has
                  the address; the host agent's release is the engine's (what
                  the Windows service's `release` asks the driver), the VF's
                  unplug then an orderly PnP removal (pause, unbind) before the
                  device goes; an unplug without a release is a surprise removal.
"""

import os
import shutil
import signal
import time

from sfolabkit import netns
from sfolabkit.daemon import Daemon
from sfolabkit.ndishost import NdisHost, mono_to_lab_s
from sfolabkit.proc import LabError, run, wait_until

from . import util
from .topology import STANDBY, VF

# Linux bonding, active-backup, at its best for a VF + virtio pair with one MAC:
# link monitoring every 10 ms (miimon), the VF as primary, taken back as soon as
# it is up (primary_reselect always, updelay 0), the bond's MAC following the
# active slave so that no slave's MAC is ever rewritten (fail_over_mac active:
# what VFs that may not change MAC need), and peer notifications after every
# failover (num_grat_arp / num_unsol_na).
BOND_OPTS = ["mode", "active-backup", "miimon", "10", "updelay", "0", "downdelay", "0",
             "fail_over_mac", "active", "num_grat_arp", "3", "num_unsol_na", "3",
             "peer_notify_delay", "0", "primary_reselect", "always"]

ALL = ("sriov-failover", "bonding", "vf-only", "standby-only", "ndis-edge")

TITLES = {
    "sriov-failover": "sriov-failover (our daemon, 2-netdev)",
    "bonding": "bonding active-backup (VF primary + standby)",
    "vf-only": "no failover (address on the VF)",
    "standby-only": "standby only (virtio, no VF)",
    "ndis-edge": "ndis-edge (the Windows driver's code on the NDIS emulation)",
}


class Mode:
    name = "?"
    uses_vf = True       # does the host plug VFs in this mode

    def __init__(self, bins, workdir):
        self.bins = bins
        self.workdir = workdir
        self.topo = None

    # Availability: (True, None) or (False, reason), checked once per run.
    @classmethod
    def probe(cls, bins, prefix):
        return True, None

    def setup(self, topo):
        """Configures the guest, plugs the first VF on host A (if the mode uses one)
        and waits until traffic flows the way the mode wants."""
        raise NotImplementedError

    def release(self):
        """The host asks for the VF back before the unplug; returns what was done."""
        return "no agent in this mode: nothing to do"

    def vf_added(self):
        """A VF was just hot-added (topo.vf); the guest reacts."""

    def vf_unplugging(self):
        """The VF is about to be unplugged (its device deleted); returns what was done
        first, or None."""
        return None

    def vf_removed(self):
        """The VF was just unplugged."""

    def collect(self, t0_ns):
        """What the mode has to tell after the run (JSON-able), before teardown."""
        return {}

    def teardown(self):
        pass


class SriovFailover(Mode):
    name = "sriov-failover"

    @classmethod
    def probe(cls, bins, prefix):
        for k in ("daemon", "cli"):
            if not os.access(bins[k], os.X_OK):
                return False, f"{bins[k]} is missing (build it: see --build-dir)"
        return True, None

    def __init__(self, bins, workdir):
        super().__init__(bins, workdir)
        self.daemon = None
        self.daemon_rc = None   # its exit status after teardown()

    @property
    def log(self):
        return self.daemon.log_path if self.daemon else None

    def setup(self, topo):
        self.topo = topo
        topo.guest_up(STANDBY)
        topo.guest_addr(STANDBY)
        # the bpffs: under /sys/fs/bpf of the private mount namespace `ip netns exec`
        # makes; the daemon mounts a bpffs there, gone when it exits.
        self.daemon = Daemon(self.bins, topo.ns["guest"],
                             os.path.join(self.workdir, f"{topo.id}-daemon"),
                             f"/sys/fs/bpf/{topo.id}", standby=STANDBY, spawn=util.Proc)
        self.daemon.start()
        topo.add_vf("A")
        self.daemon.wait_state("active", 5.0)

    def release(self):
        r = self.daemon.cli("release", STANDBY)
        if r.returncode != 0:
            raise LabError(f"sriov-failover release {STANDBY}: exit {r.returncode}: "
                           f"{r.stderr.strip()}")
        return f"sriov-failover release {STANDBY}"

    def collect(self, t0_ns):
        out = {"status": None, "events": [], "events_by": "sriov-failoverd"}
        if self.daemon is None:
            return out
        now = util.now_ns()
        # the lab's clock is CLOCK_REALTIME; the daemon stamps events with
        # CLOCK_MONOTONIC (mono_ns), exact where "ms ago" is read late
        mono_to_real = time.time_ns() - time.monotonic_ns()
        try:
            out["status"] = self.daemon.status()
            events = self.daemon.events()
        except LabError:
            return out
        for ev in events:
            ev = dict(ev)
            if "mono_ns" in ev:
                at = ev["mono_ns"] + mono_to_real
            else:
                at = now - ev.get("ms_ago", 0) * 1e6
            ev["t_s"] = round((at - t0_ns) / 1e9, 3)
            out["events"].append(ev)
        return out

    def teardown(self):
        if self.daemon is not None and self.daemon.proc is not None:
            self.daemon_rc = self.daemon.stop(signal.SIGTERM, 5.0)


class Bonding(Mode):
    name = "bonding"

    @classmethod
    def probe(cls, bins, prefix):
        ns = f"{prefix}-probe"
        try:
            netns.add(ns)
        except LabError as e:
            return False, f"cannot create a namespace: {e}"
        try:
            r = run(["ip", "-n", ns, "link", "add", "b0", "type", "bond"], check=False)
            if r.returncode != 0:
                why = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else \
                    f"exit {r.returncode}"
                return False, (f"this kernel has no bonding driver (ip link add b0 type bond: "
                               f"{why}); run with --in-vm")
            r = run(["ip", "-n", ns, "link", "set", "b0", "type", "bond"] + BOND_OPTS,
                    check=False)
            if r.returncode != 0:
                return False, f"bonding refuses its settings: {r.stderr.strip()}"
            return True, None
        finally:
            netns.delete(ns)

    def setup(self, topo):
        self.topo = topo
        g = topo.ns["guest"]
        run(["ip", "-n", g, "link", "add", "bond0", "mtu", str(topo.mtu), "type", "bond"] +
            BOND_OPTS)
        topo.ip("guest", "link", "set", STANDBY, "down")
        topo.ip("guest", "link", "set", STANDBY, "master", "bond0")
        topo.guest_addr("bond0")
        topo.guest_up("bond0")
        topo.add_vf("A")
        self.vf_added()
        wait_until(lambda: self.active_slave() == VF, 5.0, 0.02,
                        f"bond0: {VF} active")

    def vf_added(self):
        t = self.topo
        t.ip("guest", "link", "set", VF, "down")
        t.ip("guest", "link", "set", VF, "master", "bond0")
        t.ip("guest", "link", "set", "bond0", "type", "bond", "primary", VF)
        t.ip("guest", "link", "set", VF, "up")

    def active_slave(self):
        st = self.topo.link("guest", "bond0")
        try:
            return st["linkinfo"]["info_data"].get("active_slave")
        except (KeyError, TypeError):
            return None

    def collect(self, t0_ns):
        st = self.topo.link("guest", "bond0") if self.topo else None
        return {"bond": (st or {}).get("linkinfo", {}).get("info_data")}


class VfOnly(Mode):
    name = "vf-only"

    def setup(self, topo):
        self.topo = topo
        topo.add_vf("A")
        self.vf_added()

    def vf_added(self):
        # As a network manager does: bring the link up, wait for carrier, then
        # configure the address (at once: no DHCP round trip, optimistic).
        t = self.topo
        t.guest_up(VF, mtu=t.mtu)
        wait_until(lambda: (t.link("guest", VF) or {}).get("operstate") == "UP", 5.0,
                        0.002, f"{VF} carrier")
        t.guest_addr(VF)


class StandbyOnly(Mode):
    name = "standby-only"
    uses_vf = False

    def setup(self, topo):
        self.topo = topo
        topo.guest_up(STANDBY)
        topo.guest_addr(STANDBY)


class NdisEdge(Mode):
    name = "ndis-edge"
    TAP = "sfo0"    # the stack's interface: the address is there

    @classmethod
    def probe(cls, bins, prefix):
        if not os.access(bins["ndis-host"], os.X_OK):
            return False, (f"{bins['ndis-host']} is missing (built natively with the Linux "
                           f"edge's libraries: see --build-dir)")
        if not os.path.exists("/dev/net/tun"):
            return False, "/dev/net/tun is missing: this kernel has no TUN/TAP"
        return True, None

    def __init__(self, bins, workdir):
        super().__init__(bins, workdir)
        self.host = None
        self.host_rc = None     # its exit status after teardown(): 0 no rule broken, no leak
        self.released = False   # the host asked for the VF back: its unplug is orderly

    @property
    def log(self):
        return self.host.log_path if self.host else None

    def setup(self, topo):
        self.topo = topo
        self.host = NdisHost(self.bins["ndis-host"], topo.ns["guest"],
                             os.path.join(self.workdir, f"{topo.id}-ndis"), standby=STANDBY,
                             tap=self.TAP, spawn=util.Proc)
        self.host.start()
        topo.guest_addr(self.TAP)
        topo.add_vf("A")
        self.host.wait_vf(lambda v: v["bound"] and v["link"], 5.0, f"{VF} bound with link")

    def release(self):
        r = self.host.command("release")
        self.released = True
        return f"sfo-ndis-host release: the engine drains {r['released']}"

    def vf_unplugging(self):
        """After a release the unplug is orderly: Windows removes the device (PnP: its
        binding paused and unbound) before it is gone.  Without one it is a surprise."""
        if not self.released:
            return None
        self.released = False
        r = self.host.command("unplug")
        return f"sfo-ndis-host unplug: PnP pause and unbind of {r['unplugged']}"

    def collect(self, t0_ns):
        out = {"status": None, "events": [], "events_by": "sriovfo (NDIS emulation)"}
        if self.host is None:
            return out
        try:
            out["status"] = self.host.command("status")
            events = self.host.command("events")["events"]
        except LabError:
            return out
        for ev in events:   # as the daemon's: from -> to (reason), for the timeline
            out["events"].append({"t_s": mono_to_lab_s(ev["mono_ns"], t0_ns),
                                  "event": ev["event"], "link": ev["link"],
                                  "from": ev.get("from", ""),
                                  "to": ev.get("to") or f"{ev['event']} {ev['link']}",
                                  "reason": ev["detail"]})
        return out

    def teardown(self):
        if self.host is not None and self.host.proc is not None:
            self.host_rc = self.host.stop(5.0)


CLASSES = {c.name: c for c in (SriovFailover, Bonding, VfOnly, StandbyOnly, NdisEdge)}


def have_tools():
    """Missing system tools, as a list of names."""
    return [t for t in ("ip", "tc", "ping") if shutil.which(t) is None]
