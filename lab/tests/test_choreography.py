#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The schedule runner (sfolab.choreography) against a fake network: a late step
delays the steps after it instead of eating into their phases, and a new VF's
phase waits, bounded, until the VF carries traffic.  No root, no network:
the fake guest's VF starts sending a given time after its plug.

    labkit/run lab/tests/test_choreography.py [unittest options]
"""

import argparse
import time
import unittest

from sfolabkit.proc import LabError

from sfolab import choreography

RATE = 1000


class FakeTopo:
    """What the runner's actions touch.  The VF sends RATE frames/s from
    carry_after s after its plug (never with None); pause() takes pause_s."""

    def __init__(self, carry_after, pause_s=0.0):
        self.carry_after, self.pause_s = carry_after, pause_s
        self.vf = {"name": "vf0", "host": "A"}
        self.backend_host = "A"
        self.plugged_at = None

    def del_vf(self):
        self.vf = None

    def add_vf(self, h, bridged=True):
        self.vf = {"name": "vf0", "host": h, "host_end": "hvf2", "appeared_ns": time.time_ns()}
        self.plugged_at = time.monotonic()
        self.forwarded_at = time.monotonic() if bridged else None
        return self.vf

    def forward_vf_port(self):
        self.forwarded_at = time.monotonic()
        return time.time_ns()

    def pause(self, dst):
        time.sleep(self.pause_s)
        self.backend_host = dst
        return time.time_ns()

    def resume(self):
        return time.time_ns()

    def announce(self):
        pass

    def guest_tx_packets(self, dev):
        if self.vf is None or self.carry_after is None:
            return 0
        sending = max(0.0, time.monotonic() - self.plugged_at - self.carry_after)
        return int(sending * RATE)


class FakeMode:
    uses_vf = True

    def release(self):
        return "released"

    def vf_added(self):
        pass

    def vf_unplugging(self):
        return None

    def vf_removed(self):
        pass


def knobs(**kw):
    p = dict(warmup=0.05, unplug_delay=0.05, precopy=0.1, blackout_s=0.01, plug_delay=0.05,
             port_delay=0.0, settle=0.3, cycles=1) | kw
    return argparse.Namespace(**p)


def play(topo, scenario="migrate", **kw):
    steps, planned = choreography.build(scenario, knobs(**kw))
    limit = choreography.traffic_bound(steps, planned)
    runner = choreography.Runner(topo, FakeMode(), steps, None, RATE)
    return runner.play(time.time_ns(), time.monotonic(), planned, limit)


def of(items, key, value):
    return [x for x in items if x[key] == value]


class RunnerTest(unittest.TestCase):
    def test_return_phase_waits_for_the_vf_to_carry(self):
        """The VF carries only 0.4 s after its plug, longer than the settle: the
        return phase still holds SETTLE s of the VF carrying."""
        events, phases, duration = play(FakeTopo(carry_after=0.4))
        plug = of(events, "what", "plug")[0]
        ret = of(phases, "kind", "return")[0]
        self.assertIn("event_s", plug, plug)
        self.assertGreaterEqual(plug["event_s"] - plug["t_s"], 0.4)
        self.assertGreaterEqual(ret["end_s"] - plug["event_s"], 0.3 - 0.01)
        self.assertEqual(ret["end_s"], duration)
        self.assertIn("carries traffic at", plug["detail"])

    def test_port_delay_moves_the_wait_after_the_port(self):
        """--port-delay: the plug does not wait, the host port forwards that long
        after it, and the wait for the VF carrying traffic follows the port."""
        topo = FakeTopo(carry_after=0.45)
        events, phases, duration = play(topo, port_delay=0.3)
        plug = of(events, "what", "plug")[0]
        port = of(events, "what", "port")[0]
        self.assertNotIn("event_s", plug, plug)
        self.assertIn("not yet on", plug["detail"])
        self.assertGreaterEqual(port["t_s"] - plug["end_s"], 0.3 - 0.005)
        self.assertGreaterEqual(topo.forwarded_at - topo.plugged_at, 0.3 - 0.005)
        self.assertIn("carries traffic at", port["detail"])
        self.assertGreaterEqual(duration - port["event_s"], 0.3 - 0.01)
        self.assertEqual(len(of(phases, "kind", "return")), 1)

    def test_late_step_delays_the_rest(self):
        """A pause that takes 0.8 s (ip(8) waiting for the RTNL lock) does not eat
        the phases after it: the plug comes PLUG_DELAY after the resume."""
        events, phases, duration = play(FakeTopo(carry_after=0.0, pause_s=0.8))
        resume = of(events, "what", "resume")[0]
        plug = of(events, "what", "plug")[0]
        pause = of(events, "what", "pause")[0]
        self.assertGreaterEqual(resume["t_s"] - pause["end_s"], 0.01 - 0.005)
        self.assertGreaterEqual(plug["t_s"] - resume["end_s"], 0.05 - 0.005)
        self.assertGreaterEqual(duration - plug["t_s"], 0.3)
        self.assertGreater(duration, 0.8 + 0.5)

    def test_a_vf_that_never_carries_ends_the_wait_at_the_bound(self):
        old = choreography.EVENT_TIMEOUT_S
        choreography.EVENT_TIMEOUT_S = 0.3
        self.addCleanup(setattr, choreography, "EVENT_TIMEOUT_S", old)
        events, _phases, _duration = play(FakeTopo(carry_after=None))
        plug = of(events, "what", "plug")[0]
        self.assertNotIn("event_s", plug)
        self.assertIn("not within 0.3 s", plug["detail"])

    def test_every_return_waits(self):
        """flap: each re-add waits for its VF."""
        events, _phases, _duration = play(FakeTopo(carry_after=0.1), "flap", cycles=2)
        plugs = of(events, "what", "plug")
        self.assertEqual(len(plugs), 2)
        for p in plugs:
            self.assertGreaterEqual(p["event_s"] - p["t_s"], 0.1)

    def test_a_run_past_the_traffic_bound_fails(self):
        steps, planned = choreography.build("migrate", knobs())
        runner = choreography.Runner(FakeTopo(0.0, pause_s=0.5), FakeMode(), steps, None,
                                     RATE)
        with self.assertRaisesRegex(LabError, "traffic's end"):
            runner.play(time.time_ns(), time.monotonic(), planned, 0.4)


if __name__ == "__main__":
    unittest.main(verbosity=2)
