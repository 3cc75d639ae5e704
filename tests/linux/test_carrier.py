#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Carrier loss of the VF (its host end goes down): fall back to the standby and keep
the traffic going; carrier back: active on the VF again."""

import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
from sfo_it import RATE, IntegrationTest



class CarrierTest(IntegrationTest):
    def test_carrier_loss_and_return(self):
        t = self.topo
        d = self.active_vf_setup()
        out, back = self.start_streams(3.0)
        out.at(0.8)
        t0 = time.monotonic()
        t.vf_host_side_down("vf0")
        p, waited = d.wait_state("fallback", 1.0, vf="vf0")
        self.note(f"carrier off -> fallback after {(time.monotonic() - t0) * 1000:.0f} ms, "
                  f"reason {p['reason']!r}")
        self.assertEqual(p["datapath"], "sby")
        c0 = t.all_host_counters()
        out.at(1.6)
        c1 = t.all_host_counters()
        on_sby = self.host_delta(c0, c1, "sby", "rx_packets")
        to_sby = self.host_delta(c0, c1, "sby", "tx_packets")
        self.note(f"during fallback: hsby rx={on_sby} tx={to_sby}")
        self.assert_flows(c0, "sby", "rx_packets", 5000, "guest traffic does not flow on the standby")
        self.assert_flows(c0, "sby", "tx_packets", 5000,
                          "traffic to the guest does not reach the standby")
        t1 = time.monotonic()
        t.vf_host_side_up("vf0")
        p, waited = d.wait_state("active", 2.0, vf="vf0")
        self.note(f"carrier on -> active after {(time.monotonic() - t1) * 1000:.0f} ms")
        self.assertEqual(p["datapath"], "vf0")
        out.at(2.2)
        c2 = t.all_host_counters()
        out.at(2.8)
        c3 = t.all_host_counters()
        self.assert_flows(c2, "vf0", "rx_packets", 5000,
                           "guest traffic does not go back to the VF")
        self.assertLessEqual(self.host_delta(c2, c3, "sby", "rx_packets"), 20)
        r1, r2 = self.finish_streams(out, back)
        s1, s2 = self.senders
        print(f"CARRIER LOSS + RETURN LOSS: guest->peer {r1['lost']} frames, "
              f"peer->guest {r2['lost']} frames (at {RATE} pps)", flush=True)
        self.assert_reaction_loss(r1, s1)
        self.assert_reaction_loss(r2, s2)
        fo = d.pair()["failover"]
        self.assertGreaterEqual(fo["to_standby"], 1)
        self.assertGreaterEqual(fo["to_vf"], 2)

    def test_vf_without_carrier_at_arrival(self):
        """A VF whose link has no carrier when it arrives is held but not used."""
        t = self.topo
        d = self.daemon()
        t.add_vf("vf0", host_up=False)
        p, _ = d.wait_state("binding", 2.0, vf="vf0")
        self.assertIn("UP", t.flags_of("guest", "vf0"), "the daemon brings the VF up")
        self.assertIn("NO-CARRIER", t.flags_of("guest", "vf0"))
        self.assertEqual(p["datapath"], "sby")
        self.assert_ping("guest", t.peer_ip)
        self.assertEqual(d.pair()["failover"]["to_vf"], 0, "a VF without carrier was used")
        t.vf_host_side_up("vf0")
        p, waited = d.wait_state("active", 2.0, vf="vf0")
        self.assertEqual(p["datapath"], "vf0")


if __name__ == "__main__":
    sfo_it.main()
