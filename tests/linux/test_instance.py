#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""One daemon per pin directory, and what a daemon leaves to others: a second daemon on
the same pins refuses to start and names the first; the datapath's start-up messages
reach the log; steering to a VF checks the VF's datapath as the kernel has it (a piece
removed behind the daemon's back is put back), not as the pair recorded it."""

import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sfo_it  # noqa: E402
from sfo_it import IntegrationTest  # noqa: E402


class InstanceTest(IntegrationTest):
    def test_second_daemon_on_the_same_pins_refuses(self):
        first = self.active_vf_setup()
        pid = first.status()["daemon"]["pid"]
        pins_before = sorted(os.listdir(first.pin))
        # Its own control socket: only the pin directory is shared.
        second = self.daemon(start=False, tag="second")
        second.pin = first.pin
        second.start(wait=False)
        rc = second.proc.wait(5)
        second.stopped = True  # its exit is what is tested
        log = second.log()
        self.note(f"second daemon: exit status {rc}; log: {log.strip().splitlines()[-1]!r}")
        self.assertEqual(rc, 1, f"a second daemon on {first.pin} did not refuse to start; "
                         f"log:\n{log}")
        self.assertIn(f"PID {pid}", log, "the error does not name the running daemon")
        self.assertIn(first.pin, log, "the error does not name the pin directory")
        self.assertNotIn("datapath adopted", log, "the second daemon opened the datapath")
        self.assertEqual(sorted(os.listdir(first.pin)), pins_before)
        # The first one goes on steering as before: a release still moves the traffic.
        p = first.pair()
        self.assertEqual((p["state"], p["datapath"]), ("active", "vf0"), p)
        self.assertEqual(first.cli("release", "sby").returncode, 0)
        first.wait_state("draining", 2.0, vf="vf0")
        self.assertEqual(first.cli("resume", "sby").returncode, 0)
        first.wait_state("active", 2.0, vf="vf0")

    def test_pin_directory_free_again_after_exit(self):
        first = self.daemon()
        first.kill9()  # the kernel drops the lock with the process
        again = self.daemon(start=False, tag="again")
        again.pin = first.pin
        again.start()
        self.assertNotIn("already runs", again.log())

    def test_datapath_start_up_messages_are_logged(self):
        d = self.daemon()
        d.kill9()  # pins stay
        pins = sorted(os.listdir(d.pin))
        gone = "sfo_tally" if "sfo_tally" in pins else [p for p in pins
                                                        if p.startswith("sfo_") and
                                                        p != "sfo_pairs"][0]
        os.unlink(os.path.join(d.pin, gone))  # the datapath completes what is missing
        d.start()
        log = d.log().split("=== start #2")[1]
        self.assertRegex(log, r"warning: datapath: .*maps were pinned: completed",
                         f"the datapath's warning about the missing pin {gone} was not "
                         f"logged:\n{log}")

    def vf_filter(self, vf):
        return self.topo.ns_run(self.topo.guest, "tc", "filter", "show", "dev", vf,
                                "ingress").stdout

    def test_steering_checks_the_vf_datapath(self):
        t = self.topo
        d = self.active_vf_setup()
        self.assertIn("handle 0x5f0", self.vf_filter("vf0"))
        # Someone removes the VF's ingress filter: the pair still records vf0.
        t.ns_run(t.guest, "tc", "filter", "del", "dev", "vf0", "ingress", "pref", "1",
                 "handle", "0x5f0", "bpf")
        t.vf_host_side_down("vf0")
        d.wait_state("fallback", 2.0, vf="vf0")
        t.vf_host_side_up("vf0")
        d.wait_state("active", 2.0, vf="vf0")
        self.assertIn("handle 0x5f0", self.vf_filter("vf0"),
                      "steered to a VF whose ingress filter is missing")
        self.assertIn("datapath of if", d.log())
        # Frames the VF receives reach the stack again.
        self.assert_ping("guest", t.peer_ip)


if __name__ == "__main__":
    sfo_it.main()
