#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""MTU: the standby's MTU is copied onto the VF (jumbo frames through the VF), and a
VF that cannot take the standby's MTU is not used (state unusable, MTU untouched,
traffic on the standby) until the MTUs fit again.

A veth accepts any MTU up to 65535, so the refusing VF is made for real: a
pass-everything XDP program on the VF's host end (xdp_hold.py) makes the kernel
lower the VF's max_mtu to what fits in a page (about 3500)."""

import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
from sfo_it import IntegrationTest, describe_udp

JUMBO = 9000
PAYLOAD = 8000  # UDP payload: one 8042-byte frame at MTU 9000, fragments at 1500


class MtuTest(IntegrationTest):
    def hold_xdp(self, host_end):
        """Lowers the max MTU of host_end's peer (the VF) until the test ends."""
        p = self.topo.start("host", [sys.executable, os.path.join(sfo_it.HERE, "xdp_hold.py"),
                                     host_end], stdout=subprocess.PIPE, stdin=subprocess.PIPE,
                            stderr=subprocess.PIPE, name="xdp_hold")
        line = p.popen.stdout.readline().strip()
        if line != "ready":
            err = p.popen.stderr.read() if not p.alive() else ""
            self.skipTest(f"cannot attach an XDP program to a veth here: {err.strip()}")
        return p

    def jumbo_udp(self, src, dst):
        t = self.topo
        before = t.all_host_counters()
        recv, send = self.udp(src, dst, 1000, 1.0, size=PAYLOAD).finish()
        after = t.all_host_counters()
        self.note(describe_udp(f"{src}->{dst} {PAYLOAD} B", recv, send))
        return recv, before, after

    def test_mtu_9000_through_vf(self):
        t = self.topo
        d = self.active_vf_setup()
        t.set_mtu(JUMBO)
        sfo_it.wait_until(lambda: t.mtu_of("guest", "vf0") == JUMBO, 2.0, 0.01,
                          "vf0 MTU follows sby to 9000")
        p = d.pair()
        self.assertEqual(p["state"], "active")
        self.assertEqual(p["datapath"], "vf0")
        t.pin_neighbours()
        recv, before, after = self.jumbo_udp("guest", "peer")
        self.assertEqual(recv["lost"], 0, "jumbo UDP guest->peer lost frames")
        pk = self.host_delta(before, after, "vf0", "rx_packets")
        by = self.host_delta(before, after, "vf0", "rx_bytes")
        self.assertGreaterEqual(pk, recv["received"])
        self.note(f"hvf0 rx: {pk} frames, {by} bytes, {by / max(pk, 1):.0f} bytes/frame")
        self.assertGreater(by / max(pk, 1), 4000, "frames through the VF are not jumbo "
                           "frames: the 8000-byte datagrams were fragmented")
        recv, before, after = self.jumbo_udp("peer", "guest")
        self.assertEqual(recv["lost"], 0, "jumbo UDP peer->guest lost frames (VF MTU?)")
        self.assertGreaterEqual(self.host_delta(before, after, "vf0", "tx_packets"),
                                recv["received"])
        before = t.all_host_counters()
        sink, stream = self.tcp("guest", "peer", 2.0, rate_mbit=1000).finish()
        after = t.all_host_counters()
        self.note(f"TCP: survived={stream['survived']} {stream['throughput_mbit']:.0f} Mbit/s "
                  f"retransmits={stream['retransmits']} longest stall="
                  f"{(stream['longest_stall'] or {}).get('ms')} ms")
        self.assertTrue(stream["survived"], f"TCP stream broke: {stream['end_reason']}")
        self.assertGreaterEqual(self.host_delta(before, after, "vf0", "rx_bytes"),
                                stream["bytes_acked"] * 0.9, "TCP did not go through the VF")
        self.assertEqual(d.pair()["state"], "active")
        # And back down.
        t.g("link", "set", "sby", "mtu", "1500")
        sfo_it.wait_until(lambda: t.mtu_of("guest", "vf0") == 1500, 2.0, 0.01,
                          "vf0 MTU follows sby back to 1500")

    def test_vf_mtu_set_before_arrival(self):
        """A VF arriving with MTU 1500 under a 9000 standby gets 9000 before it is used."""
        t = self.topo
        t.set_mtu(JUMBO)
        d = self.daemon()
        t.add_vf("vf0")
        p, _ = d.wait_state("active", 2.0, vf="vf0")
        self.assertEqual(t.mtu_of("guest", "vf0"), JUMBO)

    def check_refused(self, d, t):
        p, waited = d.wait_state("unusable", 2.0, vf="vf0")
        self.note(f"unusable: reason {p['reason']!r}")
        self.assertIn("MTU", p["reason"].upper())
        self.assertIn(str(JUMBO), p["reason"])
        self.assertEqual(p["datapath"], "sby")
        self.assertEqual(t.mtu_of("guest", "vf0"), 1500, "VF left with a changed MTU")
        # Jumbo traffic flows over the standby, none through the VF.
        t.pin_neighbours()
        recv, before, after = self.jumbo_udp("guest", "peer")
        self.assertEqual(recv["lost"], 0)
        self.assertGreaterEqual(self.host_delta(before, after, "sby", "rx_packets"),
                                recv["received"])
        self.assertLessEqual(self.host_delta(before, after, "vf0", "rx_packets"), 2)
        recv, before, after = self.jumbo_udp("peer", "guest")
        self.assertEqual(recv["lost"], 0)
        # The MTUs fit again: the VF is used.
        t.g("link", "set", "sby", "mtu", "1500")
        p, waited = d.wait_state("active", 2.0, vf="vf0")
        self.assertEqual(p["datapath"], "vf0")

    def test_mtu_refused_vf_known_max(self):
        """The VF's max_mtu is below the standby's MTU before the daemon sees it."""
        t = self.topo
        t.add_vf("vf0")
        self.hold_xdp("hvf0")
        self.assertLess(t.link("guest", "vf0")["max_mtu"], JUMBO)
        t.set_mtu(JUMBO)
        d = self.daemon()
        self.check_refused(d, t)

    def test_mtu_refused_while_active(self):
        """The standby's MTU grows beyond what the active VF can take."""
        t = self.topo
        d = self.active_vf_setup()
        self.hold_xdp("hvf0")
        self.assertLess(t.link("guest", "vf0")["max_mtu"], JUMBO)
        t.set_mtu(JUMBO)
        self.check_refused(d, t)


if __name__ == "__main__":
    sfo_it.main()
