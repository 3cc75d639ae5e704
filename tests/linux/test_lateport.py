#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""A VF whose host switch port is not forwarding yet: carrier in the guest says nothing
about the host.  The VF's host end is up (the VF has carrier) but no bridge port, and
joins the bridge PORT_DELAY later.  Traffic must stay on the standby until an answer came
back through the VF, then move to it; a ready host still gets the VF at once; the same
after a carrier flap; at the bound the pair stays on the standby and says why."""

import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
from sfo_it import RATE, IntegrationTest

# s: the host port forwards this long after the VF has carrier; a VF used before
# then loses PORT_DELAY * RATE frames (16000), far above sfo_it.REACTION_MAX_LOST
PORT_DELAY = 0.8
PROBE_INTERVAL = 0.05  # s, the default probe-interval-ms
PROBE_TARGETS_MAX = 4  # SFO_PROBE_TARGETS_MAX, src/linux/netdev/probe.h


def probes_scheduled(seconds):
    """Probes the daemon sends in @seconds without an answer: at 0, then after
    gaps of 1, 2, 4... ms growing up to PROBE_INTERVAL (pair.c, probe_gap_ms)."""
    t, gap, n = 0.0, 0.001, 0
    while t <= seconds:
        n += 1
        t += gap
        gap = min(gap * 2, PROBE_INTERVAL)
    return n


class LatePortTest(IntegrationTest):
    def late_port(self, d, out, plugged_at):
        """The VF has carrier from plugged_at; its port forwards PORT_DELAY later.
        Checks the pair waits on the standby meanwhile, then moves; returns the pair."""
        t = self.topo
        p, _ = d.wait_state("probing", 2.0, vf="vf0")
        self.assertEqual(p["datapath"], "sby", "the datapath left the standby unproven")
        self.assertIn("waiting for the path through vf0", p["reason"])
        c0, w0 = t.all_host_counters(), time.monotonic()
        out.at(plugged_at + PORT_DELAY)
        c1, w1 = t.all_host_counters(), time.monotonic()
        p = d.pair()
        self.assertEqual(p["state"], "probing", f"{p['reason']!r}")
        self.assertEqual(p["datapath"], "sby")
        probes = p["failover"]["path_probes"]
        self.assertGreaterEqual(probes, 2, "probes are repeated")
        on_sby = self.host_delta(c0, c1, "sby", "rx_packets")
        on_vf = self.host_delta(c0, c1, "vf0", "rx_packets")
        self.note(f"port not forwarding, {(w1 - w0) * 1000:.0f} ms watched: {probes} probes, "
                  f"hsby rx={on_sby}, VF host end rx={on_vf}")
        # how long was watched depends on how soon "probing" was seen: the
        # guest's stream is judged against that time, at a quarter of its rate
        self.assertGreater(on_sby, RATE * (w1 - w0) / 4,
                           "guest traffic did not stay on the standby")
        # a probe is one frame per neighbour asked (at most PROBE_TARGETS_MAX)
        self.assertLessEqual(on_vf, probes * PROBE_TARGETS_MAX,
                             "frames other than probes went out of the VF")
        t0 = time.monotonic()
        t.vf_host_port_forward("vf0")
        p, waited = d.wait_state("active", 2.0, vf="vf0")
        self.note(f"port forwarding -> active after {(time.monotonic() - t0) * 1000:.0f} ms "
                  f"(a probe every {PROBE_INTERVAL * 1000:.0f} ms); reason {p['reason']!r}")
        self.assertIn("path through vf0 proven", p["reason"])
        self.assertEqual(p["datapath"], "vf0")
        c2 = t.all_host_counters()
        self.assert_flows(c2, "vf0", "rx_packets", 3000, "guest traffic does not use the VF")
        return p

    def check_loss(self, out, back, what):
        r1, r2 = self.finish_streams(out, back)
        s1, s2 = self.senders
        print(f"{what} LOSS: guest->peer {r1['lost']} frames, peer->guest {r2['lost']} "
              f"frames (at {RATE} pps, port late by {PORT_DELAY * 1000:.0f} ms)", flush=True)
        self.assert_reaction_loss(r1, s1)
        self.assert_reaction_loss(r2, s2)

    def test_new_vf_port_late(self):
        t = self.topo
        d = self.daemon()
        out, back = self.start_streams(3.0)
        out.at(0.5)
        t.add_vf("vf0", bridged=False)
        self.late_port(d, out, 0.5)
        self.check_loss(out, back, "LATE PORT")
        fo = d.pair()["failover"]
        self.assertEqual(fo["to_vf"], 1)
        self.assertGreaterEqual(fo["announcements"], 1, "no announcement after the switch")
        events = d.events()
        self.assertTrue(any(e.get("to") == "probing" and "waiting for the path" in e["reason"]
                            for e in events), events)
        self.assertTrue(any(e.get("from") == "probing" and e.get("to") == "active"
                            for e in events), events)

    def test_ready_port_switches_at_once(self):
        """A host that forwards at once: the first probe is answered, the VF serves
        (the time it takes is measured by bench/vfplug.py)."""
        t = self.topo
        d = self.daemon()
        out, back = self.start_streams(2.0)
        out.at(0.5)
        t0 = time.monotonic()
        t.add_vf("vf0")
        p, _ = d.wait_state("active", 2.0, vf="vf0")
        elapsed = time.monotonic() - t0
        self.note(f"plugged -> active in {elapsed * 1000:.0f} ms (polled); "
                  f"{p['failover']['path_probes']} probe(s)")
        self.assertIn("path through vf0 proven", p["reason"])
        # The first probe is answered; until the answer is in, the daemon keeps
        # to its schedule (1, 2, 4... ms apart up to the interval), never more.
        self.assertLessEqual(p["failover"]["path_probes"], probes_scheduled(elapsed),
                             "more probes than the time to the answer explains")
        self.check_loss(out, back, "READY PORT")

    def test_flap_port_late(self):
        """Carrier lost and back, and the port forwards late after the flap.  The streams
        start in fallback: what the carrier loss itself costs is test_carrier's."""
        t = self.topo
        d = self.active_vf_setup()
        t.vf_host_side_down("vf0")
        d.wait_state("fallback", 1.0, vf="vf0")
        t.vf_host_port_unbridge("vf0")
        out, back = self.start_streams(3.0)
        out.at(0.5)
        t.vf_host_side_up("vf0")
        self.late_port(d, out, 0.5)
        self.check_loss(out, back, "FLAP + LATE PORT")

    def test_bound_then_slow_probes(self):
        """The port forwards after the bound (probe-timeout-ms): the pair stays on the
        standby, says why, and keeps probing; the VF serves once the port forwards."""
        t = self.topo
        d = self.daemon(conf="[global]\nvf-drivers = veth\nprobe-timeout-ms = 300\n"
                        "[standby sby]\n")
        t.pin_neighbours()
        t.add_vf("vf0", bridged=False)
        p, _ = d.wait_state("fallback", 2.0, vf="vf0")
        self.assertEqual(p["datapath"], "sby")
        self.assertIn("no answer through vf0 in 300 ms", p["reason"])
        self.assertEqual(p["failover"]["path_probe_timeouts"], 1)
        self.assert_ping("guest", t.peer_ip)
        t.vf_host_port_forward("vf0")
        p, _ = d.wait_state("active", 3.0, vf="vf0")  # a probe a second after the bound
        self.assertIn("path through vf0 proven", p["reason"])

    def test_no_neighbour_used_unproven(self):
        """A guest that knows no neighbour cannot prove anything: the VF serves unproven
        rather than the standby for ever, and status says so."""
        t = self.topo
        d = self.daemon()
        t.flush_neighbours()
        t.add_vf("vf0")
        p, _ = d.wait_state("active", 2.0, vf="vf0")
        self.assertIn("no neighbour known to prove the path through vf0", p["reason"])
        self.assertEqual(p["failover"]["unproven"], 1)


if __name__ == "__main__":
    sfo_it.main()
