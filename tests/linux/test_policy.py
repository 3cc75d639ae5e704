#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Devices with the standby's MAC that may not serve as VFs are reported unmanaged, with
a reason, and never used: a tap (driver "tun", not in the allowlist), a macvlan and a
bridge (stacked devices).  This kernel has no dummy driver."""

import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
from sfo_it import IntegrationTest


IMPOSTORS = ("tap0", "mv0", "brx")


class PolicyTest(IntegrationTest):
    def add_impostors(self):
        t = self.topo
        t.g("tuntap", "add", "mode", "tap", "name", "tap0")
        t.g("link", "set", "tap0", "address", t.mac)
        # A macvlan with the MAC, on a guest-local veth pair, up with carrier.
        t.g("link", "add", "name", "lnk0", "type", "veth", "peer", "name", "lnk1")
        for dev in ("lnk0", "lnk1"):
            t.sysctl(t.guest, f"net.ipv6.conf.{dev}.disable_ipv6", 1)
            t.g("link", "set", dev, "up")
        t.g("link", "add", "mv0", "link", "lnk0", "address", t.mac, "type", "macvlan", "mode",
            "bridge")
        t.sysctl(t.guest, "net.ipv6.conf.mv0.disable_ipv6", 1)
        t.g("link", "set", "mv0", "up")
        # And a bridge (no ports, so no carrier) with the MAC.
        t.g("link", "add", "brx", "address", t.mac, "type", "bridge")
        t.sysctl(t.guest, "net.ipv6.conf.brx.disable_ipv6", 1)
        t.g("link", "set", "brx", "up")

    def check_impostors(self, d):
        for name in IMPOSTORS:
            a = d.adapter(name)
            self.assertIsNotNone(a, f"{name} missing from adapters")
            self.note(f"{name}: role={a['role']} reason={a['reason']!r}")
            self.assertEqual(a["role"], "unmanaged", f"{name}: {a}")
            self.assertTrue(a["reason"], f"{name}: no reason given")
            self.assertEqual(a["mac"].lower(), self.topo.mac)
        self.assertIn("tun", d.adapter("tap0")["reason"], "reason should name the driver")

    def test_same_mac_devices_not_used(self):
        t = self.topo
        self.add_impostors()
        d = self.daemon()
        self.check_impostors(d)
        # Never used: the pair stays without VF for a while ...
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            p = d.pair()
            self.assertEqual(p["state"], "no-vf", p)
            self.assertIsNone(p["vf"])
            time.sleep(0.1)
        # ... a real VF arriving next to them is the one used, and gets the standby's
        # settings (which shows the daemon has applied them) ...
        t.g("link", "set", "sby", "promisc", "on")
        t.g("link", "set", "sby", "mtu", "1400")
        t.add_vf("vf0")
        p, _ = d.wait_state("active", 2.0, vf="vf0")
        self.assertEqual(p["spares"] if isinstance(p["spares"], int) else len(p["spares"]), 0)
        sfo_it.wait_until(lambda: t.mtu_of("guest", "vf0") == 1400 and
                          "PROMISC" in t.flags_of("guest", "vf0"), 2.0, 0.01,
                          "vf0 has the standby's MTU and promisc")
        # ... and nothing of them is copied onto the impostors.
        for name in IMPOSTORS:
            link = t.link("guest", name)
            self.assertNotIn("PROMISC", link["flags"], f"{name} got the standby's promisc")
            self.assertEqual(link["mtu"], 1500, f"{name} got the standby's MTU")
        self.assertNotIn("UP", t.flags_of("guest", "tap0"), "tap0 was brought up")
        self.assertEqual(t.read_proc(t.guest, "/proc/sys/net/ipv6/conf/tap0/disable_ipv6"), "0",
                         "tap0 was taken hold of (IPv6 turned off)")
        self.check_impostors(d)

    def test_impostors_after_vf(self):
        """Same-MAC devices arriving while a VF serves change nothing."""
        t = self.topo
        d = self.active_vf_setup()
        self.add_impostors()
        sfo_it.wait_until(lambda: all(d.adapter(n) for n in IMPOSTORS), 2.0, 0.02,
                          "tap0, mv0 and brx listed")
        self.check_impostors(d)
        p = d.pair()
        self.assertEqual((p["state"], p["vf"], p["datapath"]), ("active", "vf0", "vf0"))
        t.del_vf("vf0")
        p, _ = d.wait_state("no-vf", 1.0)
        self.assertIsNone(p["vf"], "an impostor took over from the VF")

    def test_unlisted_driver_without_config(self):
        """Without vf-drivers = veth, a veth VF is not used either."""
        t = self.topo
        t.add_vf("vf0")
        d = self.daemon(conf="[global]\n[standby sby]\n")
        a = sfo_it.wait_until(lambda: d.adapter("vf0"), 2.0, 0.02, "vf0 listed")
        self.note(f"vf0 without allowlist entry: {a}")
        self.assertEqual(a["role"], "unmanaged")
        self.assertIn("veth", a["reason"])
        self.assertEqual(d.pair()["state"], "no-vf")
        self.assertNotIn("UP", t.flags_of("guest", "vf0"))


if __name__ == "__main__":
    sfo_it.main()
