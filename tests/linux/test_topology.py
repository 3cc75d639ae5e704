#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Self-test of the harness, without the daemon: topology, counters, sfo-traffic, cleanup.

Without the daemon, the standby carries everything and a VF, being down, carries
nothing: this checks that the host-side counters the other tests rely on tell
the two ports apart, and that every topology is removed again.
"""

import os
import signal
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
import topo as topo_mod
from sfo_it import IntegrationTest, describe_udp


class TopologyTest(IntegrationTest):
    def test_standby_path_and_counters(self):
        t = self.topo
        t.add_vf("vf0")
        self.assertIn("DOWN", t.link("guest", "vf0")["operstate"])
        self.assertEqual(t.link("guest", "vf0")["address"], t.mac)
        self.assert_ping("guest", t.peer_ip)
        t.pin_neighbours()
        before = t.all_host_counters()
        f = self.udp("guest", "peer", 20000, 1.5)
        r = self.udp("peer", "guest", 5000, 1.5)
        recv, send = f.finish()
        rrecv, rsend = r.finish()
        after = t.all_host_counters()
        self.note(describe_udp("guest->peer", recv, send))
        self.note(describe_udp("peer->guest", rrecv, rsend))
        self.assertLessEqual(recv["lost"], 5)
        self.assertLessEqual(rrecv["lost"], 5)
        self.assertGreaterEqual(self.host_delta(before, after, "sby", "rx_packets"),
                                recv["received"])
        self.assertLessEqual(self.host_delta(before, after, "vf0", "rx_packets"), 0)

    def test_ipv6_and_mtu(self):
        t = self.topo
        wait = sfo_it.wait_until
        wait(lambda: not any("tentative" in a.get("flags", []) or a.get("tentative")
                             for a in t.addrs("guest", "sby", "-6")), 5, 0.05, "DAD done")
        self.assert_ping("peer", t.guest_ip6)
        t.add_vf("vf0")
        t.set_mtu(9000)
        self.assertEqual(t.mtu_of("guest", "sby"), 9000)
        self.assertEqual(t.mtu_of("host", "hvf0"), 9000)
        self.assertEqual(t.mtu_of("guest", "vf0"), 1500, "a fresh VF keeps its own MTU")
        self.assert_ping("guest", t.peer_ip, size=8000)
        tcp = self.tcp("guest", "peer", 1.0, rate_mbit=500)
        sink, stream = tcp.finish()
        self.assertTrue(stream["survived"], stream)

    def test_carrier_helpers(self):
        t = self.topo
        t.add_vf("vf0")
        t.g("link", "set", "vf0", "up")
        t.vf_host_side_down("vf0")
        self.assertIn("NO-CARRIER", t.flags_of("guest", "vf0"))
        t.vf_host_side_up("vf0")
        sfo_it.wait_until(lambda: "NO-CARRIER" not in t.flags_of("guest", "vf0"), 2, 0.01,
                          "carrier back")
        t.del_vf("vf0")
        self.assertIsNone(t.link("guest", "vf0"))
        self.assertIsNone(t.link("host", "hvf0"))

    def test_xdp_lowers_vf_max_mtu(self):
        t = self.topo
        t.add_vf("vf0")
        holder = t.start("host", [sys.executable, os.path.join(sfo_it.HERE, "xdp_hold.py"),
                                  "hvf0"], stdout=subprocess.PIPE, stdin=subprocess.PIPE)
        self.assertEqual(holder.popen.stdout.readline().strip(), "ready")
        self.assertLess(t.link("guest", "vf0")["max_mtu"], 9000)
        r = t.g("link", "set", "vf0", "mtu", "9000", check=False)
        self.assertNotEqual(r.returncode, 0)
        t.set_mtu(9000)  # the host end itself (with the XDP program) takes 9000
        self.assertEqual(t.mtu_of("host", "hvf0"), 9000)
        holder.stop()
        self.assertEqual(t.link("guest", "vf0")["max_mtu"], 65535)

    def test_cleanup_removes_everything(self):
        t = self.topo
        names = (t.guest, t.host, t.peer)
        p = t.start("guest", ["sleep", "60"])
        t.destroy()
        self.assertFalse(p.alive())
        left = [n for n in topo_mod.namespaces_of_this_run() if n in names]
        self.assertEqual(left, [])

    def test_sigterm_cleans_up(self):
        """A child harness run killed with SIGTERM mid-test leaves no namespace behind."""
        if os.environ.get("SFO_IT_CHILD"):
            self.skipTest("child run")
        # python3 -c imports from its working directory: the harness's
        code = ("import time; import sfo_it, topo; sfo_it.BIN['traffic']='x';"
                "import signal; signal.signal(signal.SIGTERM, sfo_it._on_signal);"
                "t = topo.Topology().create(); print(t.id, flush=True); time.sleep(60)")
        child = subprocess.Popen([sys.executable, "-B", "-c", code], stdout=subprocess.PIPE,
                                 text=True, env=dict(os.environ, SFO_IT_CHILD="1"),
                                 cwd=os.path.dirname(os.path.abspath(__file__)))
        try:
            tid = child.stdout.readline().strip()
            self.assertTrue(tid.startswith("sfo-it-"), tid)
            child.send_signal(signal.SIGTERM)
            rc = child.wait(15)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            child.stdout.close()
        self.assertEqual(rc, 128 + signal.SIGTERM)
        out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        self.assertNotIn(tid, out)


if __name__ == "__main__":
    sfo_it.main(need_daemon=False)
