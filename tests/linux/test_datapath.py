#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The datapath while the VF is active: traffic really goes through the VF, the VF
stays without addresses and IPv6, the standby's RX mode (promisc, multicast) is
mirrored onto it, and IPv6 neighbour discovery works through it."""

import json
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
from sfo_it import IntegrationTest, describe_udp


def tentative(a):
    return bool(a.get("tentative")) or "tentative" in a.get("flags", [])


def dadfailed(a):
    return bool(a.get("dadfailed")) or "dadfailed" in a.get("flags", [])


class DatapathTest(IntegrationTest):
    def test_traffic_through_vf(self):
        t = self.topo
        d = self.active_vf_setup()
        p = d.pair()
        self.assertEqual(p["datapath"], "vf0")
        t.flush_neighbours()
        self.assert_ping("guest", t.peer_ip, count=10, interval=0.02)
        self.assert_ping("peer", t.guest_ip, count=10, interval=0.02)
        before = t.all_host_counters()
        out = self.udp("guest", "peer", 5000, 1.0)
        back = self.udp("peer", "guest", 5000, 1.0)
        recv, send = out.finish()
        brecv, bsend = back.finish()
        after = t.all_host_counters()
        self.note(describe_udp("guest->peer", recv, send))
        self.note(describe_udp("peer->guest", brecv, bsend))
        delta = {n: {k: after[n][k] - before[n][k] for k in after[n]} for n in after}
        self.note(f"host ends: hvf0 rx={delta['vf0']['rx_packets']} "
                  f"tx={delta['vf0']['tx_packets']}, hsby rx={delta['sby']['rx_packets']} "
                  f"tx={delta['sby']['tx_packets']}")
        self.assertLessEqual(recv["lost"], 5, "UDP guest->peer lost frames on a steady VF")
        self.assertLessEqual(brecv["lost"], 5, "UDP peer->guest lost frames on a steady VF")
        # What the guest sent went out through the VF ...
        self.assertGreaterEqual(delta["vf0"]["rx_packets"], recv["received"])
        # ... what it received came in through the VF ...
        self.assertGreaterEqual(delta["vf0"]["tx_packets"], brecv["received"])
        # ... and the standby's host end barely moved.
        limit = max(20, recv["received"] // 100)
        self.assertLessEqual(delta["sby"]["rx_packets"], limit,
                             "guest frames went out through the standby")
        self.assertLessEqual(delta["sby"]["tx_packets"], limit,
                             "frames for the guest went in through the standby")
        # The VF is the daemon's alone: no address of any family, IPv6 off.
        self.assertEqual(t.addrs("guest", "vf0"), [], "VF has addresses")
        r = t.g("-6", "addr", "show", "dev", "vf0")
        self.assertEqual(r.stdout.strip(), "", "ip -6 addr show dev vf0 is not empty")
        self.assertEqual(t.read_proc(t.guest, "/proc/sys/net/ipv6/conf/vf0/disable_ipv6"), "1")
        self.assertEqual(t.read_proc(t.guest, "/proc/sys/net/ipv6/conf/sby/disable_ipv6"), "0",
                         "IPv6 of the standby must stay on")
        self.assertEqual(t.g("route", "show", "dev", "vf0").stdout.strip(), "",
                         "routes on the VF")

    def test_promisc_and_multicast_mirrored(self):
        t = self.topo
        d = self.active_vf_setup()
        self.assertNotIn("PROMISC", t.flags_of("guest", "vf0"))
        t.g("link", "set", "sby", "promisc", "on")
        sfo_it.wait_until(lambda: "PROMISC" in t.flags_of("guest", "vf0"), 2.0, 0.01,
                          "vf0 promisc after sby promisc on")
        self.assertEqual(d.pair()["state"], "active")
        t.g("link", "set", "sby", "promisc", "off")
        sfo_it.wait_until(lambda: "PROMISC" not in t.flags_of("guest", "vf0"), 2.0, 0.01,
                          "vf0 promisc off after sby promisc off")
        # allmulti too
        t.g("link", "set", "sby", "allmulticast", "on")
        sfo_it.wait_until(lambda: "ALLMULTI" in t.flags_of("guest", "vf0"), 2.0, 0.01,
                          "vf0 allmulti after sby allmulticast on")
        t.g("link", "set", "sby", "allmulticast", "off")
        sfo_it.wait_until(lambda: "ALLMULTI" not in t.flags_of("guest", "vf0"), 2.0, 0.01,
                          "vf0 allmulti off")
        # A multicast group joined on the standby appears on the VF. It is
        # joined the way the stack does it (an IP group, "autojoin"): the
        # kernel announces no link-layer-only change (`ip maddr add`), so
        # the daemon follows address and group events.
        group = "01:00:5e:01:02:03"

        def vf_has(group):
            out = t.g("maddr", "show", "dev", "vf0").stdout
            return group in out

        t.g("addr", "add", "239.1.2.3/32", "dev", "sby", "autojoin")
        sfo_it.wait_until(lambda: vf_has(group), 2.0, 0.01, f"{group} on vf0")
        t.g("addr", "del", "239.1.2.3/32", "dev", "sby")
        sfo_it.wait_until(lambda: not vf_has(group), 2.0, 0.01, f"{group} gone from vf0")

    def test_promisc_set_before_vf(self):
        """RX mode set while no VF is there is applied when the VF arrives."""
        t = self.topo
        d = self.daemon()
        t.g("link", "set", "sby", "promisc", "on")
        t.add_vf("vf0")
        d.wait_state("active", 2.0, vf="vf0")
        sfo_it.wait_until(lambda: "PROMISC" in t.flags_of("guest", "vf0"), 2.0, 0.01,
                          "vf0 promisc (sby was promisc before the VF came)")

    def test_broadcast_and_multicast_not_duplicated(self):
        """Broadcasts and multicasts are flooded to both guest ports by the switch; while
        the VF is active the guest must see each only once."""
        t = self.topo
        t.sysctl(t.guest, "net.ipv4.icmp_echo_ignore_broadcasts", 0)
        d = self.active_vf_setup()
        bcast = t.peer_ip.rsplit(".", 1)[0] + ".255"
        r = t.ns_run(t.peer, "ping", "-n", "-b", "-c", "10", "-i", "0.05", "-W", "1", bcast,
                     check=False)
        self.note("ping -b: " + " ".join(r.stdout.strip().splitlines()[-2:]))
        self.assertIn(" 10 received", r.stdout, "broadcast pings not answered")
        self.assertNotIn("duplicates", r.stdout, "the guest answered broadcasts twice")
        r = t.ns_run(t.peer, "ping", "-6", "-n", "-c", "10", "-i", "0.05", "-W", "1",
                     "ff02::1%eth0", check=False)
        self.note("ping ff02::1: " + " ".join(r.stdout.strip().splitlines()[-2:]))
        dups = [line for line in r.stdout.splitlines() if "DUP" in line]
        self.assertEqual(dups, [], "the guest answered all-nodes multicast twice")
        self.assertGreaterEqual(d.pair()["datapath_counters"]["rx_dup_dropped"], 10)

    def test_switch_teaches_the_bridge(self):
        """After each switch the host bridge learns the guest's MAC on the new port
        promptly (announcements), without waiting for the guest to send."""
        t = self.topo

        def port_of_mac():
            r = sfo_it.run(["bridge", "-n", t.host, "-j", "fdb", "show", "br", "br0"])
            for e in json.loads(r.stdout or "[]"):
                if e.get("mac", "").lower() == t.mac and "permanent" not in e.get("state", ""):
                    return e.get("ifname")
            return None

        d = self.daemon()
        a0 = d.pair()["failover"]["announcements"]
        t.add_vf("vf0")
        d.wait_state("active", 2.0, vf="vf0")
        sfo_it.wait_until(lambda: port_of_mac() == "hvf0", 1.0, 0.01,
                          "bridge learns the guest MAC on hvf0 after the switch to the VF")
        a1 = d.pair()["failover"]["announcements"]
        self.assertGreater(a1, a0, "no announcement after the switch to the VF")
        self.assertEqual(d.cli("release", "sby").returncode, 0)
        d.wait_state("draining", 1.0)
        sfo_it.wait_until(lambda: port_of_mac() == "hsby", 1.0, 0.01,
                          "bridge learns the guest MAC on hsby after the release")
        self.assertGreater(d.pair()["failover"]["announcements"], a1)
        self.assertEqual(d.cli("resume", "sby").returncode, 0)
        d.wait_state("active", 2.0, vf="vf0")
        sfo_it.wait_until(lambda: port_of_mac() == "hvf0", 1.0, 0.01,
                          "bridge learns the guest MAC on hvf0 after the resume")

    def test_ipv6_nd_through_vf(self):
        t = self.topo
        d = self.active_vf_setup()
        # A new address on the standby does its DAD while the VF carries the traffic.
        t.g("-6", "addr", "add", "fd00:231::11/64", "dev", "sby")
        sfo_it.wait_until(lambda: not any(tentative(a) for a in t.addrs("guest", "sby", "-6")),
                          5.0, 0.05, "DAD of the standby's addresses")
        addrs = t.addrs("guest", "sby", "-6")
        self.note("sby IPv6: " + ", ".join(f"{a['local']}{' dadfailed' if dadfailed(a) else ''}"
                                           for a in addrs))
        self.assertFalse(any(dadfailed(a) for a in addrs), f"dadfailed on sby: {addrs}")
        self.assertTrue(any(a["local"].startswith("fe80:") for a in addrs), "no link-local")
        t.flush_neighbours()
        before = t.host_counters("vf0")
        self.assert_ping("peer", t.guest_ip6, count=5, interval=0.05)
        self.assert_ping("peer", "fd00:231::11", count=5, interval=0.05)
        self.assert_ping("guest", t.peer_ip6, count=5, interval=0.05)
        after = t.host_counters("vf0")
        self.assertGreaterEqual(after["rx_packets"] - before["rx_packets"], 15,
                                "ND/ping6 replies did not go through the VF")
        self.assertEqual(d.pair()["state"], "active")
        self.assertEqual(t.g("-6", "addr", "show", "dev", "vf0").stdout.strip(), "")


if __name__ == "__main__":
    sfo_it.main()
