#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""VF leaving and coming back under traffic: orderly release then unplug (no loss),
surprise removal (bounded loss), a new VF with the same MAC taking over again."""

import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
from sfo_it import RATE, IntegrationTest



class RemovalTest(IntegrationTest):
    def test_orderly_release_then_unplug_loses_nothing(self):
        t = self.topo
        d = self.active_vf_setup()
        out, back = self.start_streams(3.0)
        out.at(0.7)
        c0 = t.all_host_counters()
        r = d.cli("release", "sby")
        self.assertEqual(r.returncode, 0, f"release sby: rc={r.returncode} {r.stderr}")
        p, waited = d.wait_state("draining", 1.0)
        self.note(f"release -> draining in {waited * 1000:.0f} ms, reason {p['reason']!r}")
        self.assertEqual(p["datapath"], "sby", "draining must carry traffic on the standby")
        out.at(1.4)
        # Between the release and the unplug the guest's frames use the standby only.
        self.assert_flows(c0, "sby", "rx_packets", 5000, "guest frames on the standby after "
                          "release")
        c1b = t.all_host_counters()
        out.at(1.5)
        c1c = t.all_host_counters()
        self.assertLessEqual(self.host_delta(c1b, c1c, "vf0", "rx_packets"), 0,
                             "guest still sends through the released VF")
        t.del_vf("vf0")
        d.wait_state("no-vf", 1.0)
        recv_out, recv_back = self.finish_streams(out, back)
        self.assertEqual(recv_out["lost"], 0, "orderly release lost guest->peer frames")
        self.assertEqual(recv_back["lost"], 0, "orderly release lost peer->guest frames")
        p = d.pair()
        self.assertEqual(p["datapath"], "sby")
        self.assertIsNone(p["vf"])
        # The release was for the VF that left: the next one is used.
        t.add_vf("vf1")
        d.wait_state("active", 2.0, vf="vf1")

    def test_surprise_removal_bounded_loss(self):
        t = self.topo
        d = self.active_vf_setup()
        out, back = self.start_streams(2.5)
        out.at(1.0)
        t0 = time.monotonic()
        t.del_vf("vf0")
        p, waited = d.wait_state("no-vf", 1.0)
        self.note(f"surprise removal -> no-vf reported after {(time.monotonic() - t0) * 1000:.0f}"
                  f" ms, reason {p['reason']!r}")
        self.assertEqual(p["datapath"], "sby")
        c0 = t.all_host_counters()
        out.at(2.0)
        self.assert_flows(c0, "sby", "rx_packets", 5000,
                          "guest traffic does not flow on the standby after the removal")
        recv_out, recv_back = self.finish_streams(out, back)
        print(f"SURPRISE REMOVAL LOSS: guest->peer {recv_out['lost']} frames, "
              f"peer->guest {recv_back['lost']} frames (at {RATE} pps)", flush=True)
        self.assert_reaction_loss(recv_out, self.senders[0])
        self.assert_reaction_loss(recv_back, self.senders[1])

    def test_vf_returns(self):
        t = self.topo
        d = self.active_vf_setup()
        t.del_vf("vf0")
        d.wait_state("no-vf", 1.0)
        out, back = self.start_streams(2.5)
        out.at(0.5)
        t0 = time.monotonic()
        t.add_vf("vf0")
        p, waited = d.wait_state("active", 2.0, vf="vf0")
        self.note(f"new VF -> active in {(time.monotonic() - t0) * 1000:.0f} ms")
        self.assertEqual(p["datapath"], "vf0")
        out.at(1.2)
        c0 = t.all_host_counters()
        self.assert_flows(c0, "vf0", "rx_packets", 10000,
                          "guest traffic does not flow through the new VF")
        self.assert_flows(c0, "vf0", "tx_packets", 10000,
                          "traffic to the guest does not come through the VF")
        c1 = t.all_host_counters()
        on_sby = self.host_delta(c0, c1, "sby", "rx_packets")
        self.note(f"after the return: hsby rx={on_sby} while the VF carried the rest")
        self.assertLessEqual(on_sby, 20)
        recv_out, recv_back = self.finish_streams(out, back)
        self.assert_reaction_loss(recv_out, self.senders[0],
                                  "switching onto the returning VF lost guest->peer frames")
        self.assert_reaction_loss(recv_back, self.senders[1],
                                  "switching onto the returning VF lost peer->guest frames")
        self.assertEqual(t.addrs("guest", "vf0"), [])
        self.assertEqual(t.read_proc(t.guest, "/proc/sys/net/ipv6/conf/vf0/disable_ipv6"), "1")


if __name__ == "__main__":
    sfo_it.main()
