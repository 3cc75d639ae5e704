#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Netlink overrun: the daemon is stopped (SIGSTOP) while thousands of links appear in
its namespace, so its event socket overruns (ENOBUFS); meanwhile the pair's facts
change.  After SIGCONT the daemon must end up with the kernel's current facts, whatever
was backed up in the socket or dropped: the new VF in use, no ghost of the old one, the
VF at the standby's MTU.

The flood is FLOOD veth pairs, both ends down in the guest, created in one `ip -batch`:
two NEWLINKs of about 2.7 KiB of receive buffer each per pair, so 4000 pairs overrun the
daemon's 16 MiB buffer by a third (3000 do not on every run); about 10 s to create on 2
cores.  They are made in one link group and deleted as one (`ip link del group`, about
2 s): a namespace that still held them would be unregistered by the kernel later, with
the RTNL lock held for seconds while the next test runs.  Each test checks that the
overrun really happened (`resyncs` in the status), then waits until the daemon has read
its events up to a marker link created after the resync, then checks the facts."""

import json
import os
import signal
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
from sfo_it import IntegrationTest

FLOOD = 4000
FLOOD_GROUP = 77
JUMBO = 9000
PING_SIZE = 8000  # ICMP payload that needs MTU 9000 end to end (-M do)
RESYNC_TIMEOUT = 120.0  # SIGCONT to the resync done: 8000 links to read, ASan, loaded box


class OverrunTest(IntegrationTest):
    def flood(self, n=FLOOD):
        """Creates n veth pairs in the guest, in link group FLOOD_GROUP."""
        path = os.path.join(self.tmp, "flood.batch")
        with open(path, "w") as f:
            f.writelines(f"link add ov{i} group {FLOOD_GROUP} type veth peer name ov{i}p\n"
                         for i in range(n))
        self.addCleanup(self.topo.g, "link", "del", "group", str(FLOOD_GROUP), check=False)
        sfo_it.run(["ip", "-n", self.topo.guest, "-batch", path], timeout=300)

    def stopped(self, d, changes):
        """Runs changes() while the daemon is stopped by SIGSTOP; it always continues."""
        d.proc.send(signal.SIGSTOP)
        try:
            changes()
        finally:
            d.proc.send(signal.SIGCONT)

    def wait_resynced(self, d):
        """Waits until the daemon has resynchronised after the overrun, then until it has
        read every event up to a marker link created after that."""
        def resyncs():
            # the daemon answers once it has read the link table again: wait as long
            r = d.cli("--json", "status", timeout=RESYNC_TIMEOUT)
            self.assertEqual(r.returncode, 0, r.stderr)
            return json.loads(r.stdout)["daemon"]["resyncs"]

        resyncs = sfo_it.wait_until(resyncs, RESYNC_TIMEOUT, 0.2, "resync after the overrun")
        self.note(f"resyncs: {resyncs}")
        self.topo.g("link", "add", "ovmark", "type", "veth", "peer", "name", "ovmarkp")
        sfo_it.wait_until(lambda: d.adapter("ovmark"), 30.0, 0.1, "marker link seen")

    def assert_no_ghost(self, d):
        names = {a["name"] for a in d.adapters()}
        real = {x["ifname"] for x in json.loads(self.topo.g("-j", "link", "show").stdout)}
        ghosts = sorted(names - real)
        self.assertEqual(ghosts, [], "adapters the kernel no longer has")

    def test_vf_replaced_during_overrun(self):
        """vf0 goes down and is replaced by vf1 (same MAC) while the socket overruns: vf1
        is used, vf0 is gone from the adapters."""
        t = self.topo
        d = self.active_vf_setup()

        def changes():
            t.g("link", "set", "vf0", "down")  # backed up before the overrun: stale
            self.flood()
            t.del_vf("vf0")                   # lost in the overrun
            t.add_vf("vf1")

        self.stopped(d, changes)
        self.wait_resynced(d)
        p, waited = d.wait_state("active", 10.0, vf="vf1")
        self.note(f"active on vf1 {waited:.2f} s after the marker")
        self.assertEqual(p["datapath"], "vf1")
        self.assertIsNone(d.adapter("vf0"), "the deleted vf0 came back")
        self.assert_no_ghost(d)
        self.assertEqual(t.mtu_of("guest", "vf1"), t.mtu_of("guest", "sby"))
        self.assert_ping("guest", t.peer_ip)

    def test_standby_mtu_during_overrun(self):
        """The standby's MTU goes 9000 -> 1500 (backed up) -> 9000 (lost in the overrun):
        the VF ends at 9000, like the standby, and jumbo frames pass."""
        t = self.topo
        d = self.active_vf_setup()
        t.set_mtu(JUMBO)
        sfo_it.wait_until(lambda: t.mtu_of("guest", "vf0") == JUMBO, 2.0, 0.01,
                          "vf0 MTU follows sby to 9000")

        def changes():
            t.g("link", "set", "sby", "mtu", "1500")
            self.flood()
            t.g("link", "set", "sby", "mtu", str(JUMBO))

        self.stopped(d, changes)
        self.wait_resynced(d)
        self.assertEqual(t.mtu_of("guest", "sby"), JUMBO)
        sfo_it.wait_until(lambda: t.mtu_of("guest", "vf0") == JUMBO, 5.0, 0.05,
                          "vf0 MTU back at the standby's 9000")
        p = d.pair()
        self.assertEqual((p["state"], p["datapath"]), ("active", "vf0"))
        t.pin_neighbours()
        self.assert_ping("guest", t.peer_ip, count=20, interval=0.02, size=PING_SIZE)


if __name__ == "__main__":
    sfo_it.main()
