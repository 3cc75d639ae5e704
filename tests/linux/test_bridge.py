#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The standby as a port of a bridge in the guest, with the guest's address on the bridge
and a container behind it: after a migration, the container stays reachable because the
daemon announces what lives behind the standby (the bridge's address, the MACs the guest
bridge learned), not only the standby's own addresses.

    CTR ns:    eth0 (container, 10.231.X.3)
                 |
    GUEST ns:  vctr --- gbr (10.231.X.1) --- sby (standby)     vf0 / vf1 (VF, held)
                                              |                  |
    HOST ns:   host A: brA  (hsby, hvf0, upA)        host B: brB  (hvf1, upB)
                          \\                                 /
                           br0, the top-of-rack switch: tA, tB, hpeer
                                              |
    PEER ns:                                eth0 (10.231.X.2)

The migration: release, unplug vf0, the standby's backend moves to host B (hsby from brA
to brB), a new VF vf1 on host B. The top-of-rack switch learned the container's MAC on
host A's uplink; only a frame from that MAC on host B moves it.
"""

import json
import os
import re
import signal
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
from sfo_it import IntegrationTest

PING_INTERVAL = 0.01
AFTER_PINGS = 100
AFTER_MAX_LOST = 10  # of AFTER_PINGS, once the new VF is active


class BridgeTest(IntegrationTest):
    def build_hosts_and_container(self):
        """Host A and B bridges under the top-of-rack br0; the guest bridge gbr with sby
        and a container's veth; the guest's address moved from sby to gbr."""
        t = self.topo
        for side in ("A", "B"):
            t.h("link", "add", f"br{side}", "type", "bridge", "stp_state", "0",
                "mcast_snooping", "0")
            t.h("link", "set", f"br{side}", "up")
            t.h("link", "add", f"up{side}", "type", "veth", "peer", "name", f"t{side}")
            t.h("link", "set", f"up{side}", "master", f"br{side}", "up")
            t.h("link", "set", f"t{side}", "master", "br0", "up")
        t.h("link", "set", "hsby", "master", "brA")
        t.bridge = "brA"  # where add_vf puts the VF's host end

        t.g("addr", "flush", "dev", t.standby)
        t.g("link", "add", "gbr", "type", "bridge", "stp_state", "0", "mcast_snooping", "0")
        t.g("link", "set", t.standby, "master", "gbr")
        t.g("addr", "add", f"{t.guest_ip}/24", "dev", "gbr")
        t.g("link", "set", "gbr", "up")

        self.ctr = f"{t.id}-ctr"
        sfo_it.run(["ip", "netns", "add", self.ctr])
        t.namespaces.append(self.ctr)
        # quiet: no IPv6 chatter from the container's MAC of its own
        t.sysctl(self.ctr, "net.ipv6.conf.all.disable_ipv6", 1)
        t.sysctl(self.ctr, "net.ipv6.conf.default.disable_ipv6", 1)
        self.ctr_ip = f"10.231.{t.subnet}.3"
        t.g("link", "add", "vctr", "type", "veth", "peer", "name", "eth0", "netns", self.ctr)
        t.g("link", "set", "vctr", "master", "gbr", "up")
        t.ip(self.ctr, "addr", "add", f"{self.ctr_ip}/24", "dev", "eth0")
        t.ip(self.ctr, "link", "set", "eth0", "up")
        t.ip(self.ctr, "link", "set", "lo", "up")
        self.ctr_mac = t.link(self.ctr, "eth0")["address"]
        # Permanent neighbours between container and peer: the container then sends
        # nothing unprompted (no ARP probe that would teach the switches by chance),
        # so only an announcement moves its MAC.
        peer_mac = t.link("peer", "eth0")["address"]
        t.ip(self.ctr, "neigh", "replace", t.peer_ip, "lladdr", peer_mac, "dev", "eth0",
             "nud", "permanent")
        t.p("neigh", "replace", self.ctr_ip, "lladdr", self.ctr_mac, "dev", "eth0", "nud",
            "permanent")

    def tor_port_of(self, mac):
        """The top-of-rack port that learned mac (None if none)."""
        r = sfo_it.run(["bridge", "-n", self.topo.host, "-j", "fdb", "show", "br", "br0"])
        for e in json.loads(r.stdout or "[]"):
            if e.get("mac", "").lower() == mac and "permanent" not in e.get("state", ""):
                return e.get("ifname")
        return None

    def test_container_behind_guest_bridge_follows_migration(self):
        t = self.topo
        self.build_hosts_and_container()
        d = self.daemon()
        t.add_vf("vf0")
        d.wait_state("active", 2.0, vf="vf0")
        self.assert_ping("peer", self.ctr_ip, count=5)
        self.assert_ping("peer", t.guest_ip, count=5)
        self.assertEqual(self.tor_port_of(self.ctr_mac), "tA")

        # one ping stream through the whole migration, for the record
        log = os.path.join(self.tmp, "ping.out")
        with open(log, "w") as f:
            stream = t.start("peer", ["ping", "-n", "-i", str(PING_INTERVAL), "-W", "1",
                                      self.ctr_ip], stdout=f, stderr=f, name="ping")
        self.assert_ping("peer", self.ctr_ip, count=20, interval=PING_INTERVAL)
        a0 = d.pair()["failover"]["announcements"]

        # the migration: release, unplug, the backend moves, a new VF on host B
        self.assertEqual(d.cli("release", "sby").returncode, 0)
        d.wait_state("draining", 1.0)
        t.del_vf("vf0")
        d.wait_state("no-vf", 1.0)
        t.h("link", "set", "hsby", "master", "brB")
        t.bridge = "brB"
        t.add_vf("vf1")
        d.wait_state("active", 2.0, vf="vf1")

        sfo_it.wait_until(lambda: self.tor_port_of(self.ctr_mac) == "tB", 1.0, 0.01,
                          "the top-of-rack switch learns the container's MAC on host B")
        r = self.ping("peer", self.ctr_ip, count=AFTER_PINGS, interval=PING_INTERVAL)
        m = re.search(r"(\d+) packets transmitted, (\d+) received", r.stdout)
        self.assertIsNotNone(m, f"ping output: {r.stdout!r} {r.stderr!r}")
        lost_after = int(m.group(1)) - int(m.group(2))
        t.stop(stream, signal.SIGINT)
        with open(log) as f:
            out = f.read()
        m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
        total = f"{m.group(2)}/{m.group(1)} answered" if m else "no summary"
        print(f"BRIDGE CONTAINER: ping peer->container every {PING_INTERVAL * 1000:.0f} ms: "
              f"{lost_after}/{AFTER_PINGS} lost once vf1 is active; through the migration "
              f"{total}", flush=True)
        self.assertLessEqual(lost_after, AFTER_MAX_LOST,
                             "the container is not reachable after the migration")
        # counted: what was sent (the bridge's address, the container's MAC...)
        self.assertGreaterEqual(d.pair()["failover"]["announcements"] - a0, 2)
        self.assert_ping("peer", t.guest_ip, count=5)


if __name__ == "__main__":
    sfo_it.main()
