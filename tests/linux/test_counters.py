#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The standby's merged counters in `status`: they never go backwards across VF
removals and returns, and they count every frame, whichever port carried it."""

import json
import sys
import threading

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
from sfo_it import IntegrationTest

CYCLES = 3
PHASE_S = 0.5
PHASE_PPS = 4000


class Sampler(threading.Thread):
    """Reads `status --json` every 20 ms and keeps the merged counters of sby."""

    def __init__(self, d):
        super().__init__(daemon=True)
        self.d = d
        self.samples = []
        self.errors = []
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            r = self.d.cli("--json", "status")
            if r.returncode == 0:
                try:
                    p = self.d.pair(status=json.loads(r.stdout))
                    if p:
                        self.samples.append((p["state"], dict(p["counters"])))
                except ValueError as e:
                    self.errors.append(str(e))
            else:
                self.errors.append(r.stderr.strip())
            self.halt.wait(0.02)


class CountersTest(IntegrationTest):
    def phase(self, label, sent, received):
        out = self.udp("guest", "peer", PHASE_PPS, PHASE_S)
        back = self.udp("peer", "guest", PHASE_PPS, PHASE_S)
        r1, s1 = out.finish()
        r2, s2 = back.finish()
        sent.append(s1["sent"])
        received.append(r2["received"])
        self.note(f"{label}: guest sent {s1['sent']}, guest received {r2['received']}")

    def test_counters_monotonic_across_removals(self):
        t = self.topo
        d = self.active_vf_setup()
        t.pin_neighbours()
        c0 = d.pair()["counters"]
        sampler = Sampler(d)
        sampler.start()
        sent, received = [], []
        try:
            for i in range(CYCLES):
                self.phase(f"cycle {i} on vf0", sent, received)
                t.del_vf("vf0")
                d.wait_state("no-vf", 1.0)
                self.phase(f"cycle {i} on sby", sent, received)
                t.add_vf("vf0")
                d.wait_state("active", 2.0, vf="vf0")
            self.phase("last, on vf0", sent, received)
        finally:
            sampler.halt.set()
            sampler.join(5)
        c1 = d.pair()["counters"]
        samples = [("start", c0)] + sampler.samples + [("end", c1)]
        self.note(f"{len(samples)} samples; start {c0}; end {c1}")
        self.assertGreater(len(sampler.samples), 20, f"sampler errors: {sampler.errors[:3]}")
        for key in c0:
            prev_state, prev = samples[0][0], samples[0][1][key]
            for state, c in samples[1:]:
                self.assertGreaterEqual(c[key], prev, f"counter {key} went back from {prev} "
                                        f"({prev_state}) to {c[key]} ({state})")
                prev_state, prev = state, c[key]
        tx = c1["tx_packets"] - c0["tx_packets"]
        rx = c1["rx_packets"] - c0["rx_packets"]
        total_sent, total_received = sum(sent), sum(received)
        self.note(f"merged tx grew by {tx} for {total_sent} UDP frames sent by the guest, "
                  f"rx by {rx} for {total_received} received")
        self.assertGreaterEqual(tx, total_sent, "merged tx_packets missed frames")
        self.assertGreaterEqual(rx, total_received, "merged rx_packets missed frames")
        # Not counted twice either (a few hundred frames of ARP/ND/MLD/announcements aside).
        self.assertLessEqual(tx, total_sent * 1.2 + 500, "merged tx_packets counts frames twice")
        self.assertLessEqual(rx, total_received * 1.2 + 500,
                             "merged rx_packets counts frames twice")
        self.assertGreaterEqual(c1["tx_bytes"] - c0["tx_bytes"], total_sent * 64)
        fo = d.pair()["failover"]
        self.assertGreaterEqual(fo["to_standby"], CYCLES)
        self.assertGreaterEqual(fo["to_vf"], CYCLES + 1)
        self.assertGreaterEqual(fo["vfs_bound"], CYCLES + 1)


if __name__ == "__main__":
    sfo_it.main()
