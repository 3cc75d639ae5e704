#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The daemon dies and comes back: kill -9 under traffic leaves the datapath working
through the VF, a restarted daemon adopts it without moving it (keeps a released VF
unused, and the merged counters go on); an orderly stop with --release-on-exit hands the traffic back to the
standby."""

import os
import signal
import socket
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
from sfo_it import RATE, IntegrationTest

KILL_MAX_LOST = 50


class RestartTest(IntegrationTest):
    def test_kill9_and_adopt(self):
        t = self.topo
        d = self.active_vf_setup()
        first = d.status()["daemon"]
        out, back = self.start_streams(4.0)
        out.at(0.8)
        dc_killed = d.pair()["datapath_counters"]
        d.kill9()
        self.assertFalse(d.alive())
        killed_at = time.monotonic()
        c0 = t.all_host_counters()
        out.at(1.5)
        c1 = t.all_host_counters()
        vf_rx = self.host_delta(c0, c1, "vf0", "rx_packets")
        vf_tx = self.host_delta(c0, c1, "vf0", "tx_packets")
        sby_rx = self.host_delta(c0, c1, "sby", "rx_packets")
        self.note(f"without daemon: hvf0 rx={vf_rx} tx={vf_tx}, hsby rx={sby_rx}")
        self.assert_flows(c0, "vf0", "rx_packets", 5000,
                          "the VF datapath stopped when the daemon died")
        self.assert_flows(c0, "vf0", "tx_packets", 5000,
                          "traffic to the guest stopped coming through the VF")
        self.assertLessEqual(sby_rx, 20)
        r = d.cli("--json", "status")
        self.assertEqual(r.returncode, 3, "CLI with the daemon dead")
        # Restart: it adopts what it finds, without moving the datapath.
        t1 = time.monotonic()
        c_restart = t.all_host_counters()
        d.start()
        p, waited = d.wait_state("active", 2.0, vf="vf0")
        c_adopted = t.all_host_counters()
        moved = self.host_delta(c_restart, c_adopted, "sby", "rx_packets")
        dc_adopted = d.pair()["datapath_counters"]
        to_sby = dc_adopted["tx_standby_packets"] - dc_killed["tx_standby_packets"]
        self.note(f"restart {(t1 - killed_at) * 1000:.0f} ms after kill; ready+active in "
                  f"{(time.monotonic() - t1) * 1000:.0f} ms; reason {p['reason']!r}; guest "
                  f"frames through the standby meanwhile: {moved} (host end), {to_sby} "
                  "(datapath counter tx_standby_packets)")
        self.assertEqual(p["datapath"], "vf0")
        with self.subTest("adoption does not move the datapath"):  # the rest runs anyway
            self.assertLessEqual(moved, 5, f"{moved} guest frames went out through the "
                                 f"standby while the restarted daemon adopted the datapath "
                                 f"(its own tx_standby_packets grew by {to_sby}): it moved")
        second = d.status()["daemon"]
        self.assertNotEqual(second["pid"], first["pid"])
        c2 = t.all_host_counters()
        out.at(3.5)
        c3 = t.all_host_counters()
        self.assert_flows(c2, "vf0", "rx_packets", 5000, "guest frames through the VF after "
                          "the adoption")
        self.assertLessEqual(self.host_delta(c_adopted, c3, "sby", "rx_packets"), 5,
                             "the datapath moved to the standby after the adoption")
        r1, r2 = self.finish_streams(out, back)
        print(f"KILL -9 + RESTART LOSS: guest->peer {r1['lost']} frames, peer->guest "
              f"{r2['lost']} frames (at {RATE} pps)", flush=True)
        self.assertLessEqual(r1["lost"], KILL_MAX_LOST)
        self.assertLessEqual(r2["lost"], KILL_MAX_LOST)
        # Still fully managed after the adoption: a removal falls back, a return resumes.
        t.del_vf("vf0")
        d.wait_state("no-vf", 1.0)
        t.add_vf("vf0")
        d.wait_state("active", 2.0, vf="vf0")
        self.assertEqual(d.adapter("vf0")["role"], "vf")

    def test_vf_removed_while_daemon_dead(self):
        """The VF leaves while the daemon is dead: the kernel falls back on its own; a
        restarted daemon finds no VF, and takes the next one that comes."""
        t = self.topo
        d = self.active_vf_setup()
        d.kill9()
        t.del_vf("vf0")
        self.assert_ping("guest", t.peer_ip)  # the datapath fell back without the daemon
        d.start()
        p, _ = d.wait_state("no-vf", 2.0)
        self.assertEqual(p["datapath"], "sby")
        t.add_vf("vf1")
        p, _ = d.wait_state("active", 2.0, vf="vf1")
        self.assertEqual(p["datapath"], "vf1")
        self.assert_ping("guest", t.peer_ip)

    def test_vf_replaced_while_daemon_dead(self):
        """The VF is replaced by a new one (same MAC) while the daemon is dead, as on a
        migration during a daemon restart: the restarted daemon uses the new VF."""
        t = self.topo
        d = self.active_vf_setup()
        d.kill9()
        t.del_vf("vf0")
        t.add_vf("vf1")
        d.start()
        p, _ = d.wait_state("active", 2.0, vf="vf1")
        self.assertEqual(p["datapath"], "vf1")
        before = t.all_host_counters()
        self.assert_ping("guest", t.peer_ip, count=20, interval=0.01)
        after = t.all_host_counters()
        self.assertGreaterEqual(self.host_delta(before, after, "vf1", "rx_packets"), 20)

    def test_release_survives_restart(self):
        """The host asked for the VF back (release), then the daemon died before the
        VF left: the restarted daemon keeps it unused (traffic stays on the standby
        until the VF is unplugged), and resume still works."""
        t = self.topo
        d = self.active_vf_setup()
        r = d.cli("release", "sby")
        self.assertEqual(r.returncode, 0, f"release: {r.stdout}{r.stderr}")
        d.wait_state("draining", 2.0)
        d.kill9()
        d.start()
        p, _ = d.wait_state("draining", 2.0)
        self.assertEqual(p["datapath"], "sby", "the restarted daemon steered onto the "
                         "released VF")
        self.assertEqual(d.adapter("vf0")["role"], "vf")   # still held, isolated
        before = t.all_host_counters()
        self.assert_ping("guest", t.peer_ip, count=20, interval=0.01)
        after = t.all_host_counters()
        self.assertGreaterEqual(self.host_delta(before, after, "sby", "rx_packets"), 20)
        self.assertLessEqual(self.host_delta(before, after, "vf0", "rx_packets"), 2,
                             "guest frames went out through the released VF")
        r = d.cli("resume", "sby")
        self.assertEqual(r.returncode, 0, f"resume: {r.stdout}{r.stderr}")
        p, _ = d.wait_state("active", 2.0, vf="vf0")
        self.assertEqual(p["datapath"], "vf0")
        # resumed: a second restart uses the VF at once
        d.kill9()
        d.start()
        d.wait_state("active", 2.0, vf="vf0")

    def test_counters_survive_restart(self):
        """The pair's merged counters go on across kill -9 and a restart: what the VF
        counted before (also after the last reading) is not lost."""
        t = self.topo
        d = self.active_vf_setup()
        self.assert_ping("guest", t.peer_ip, count=40, interval=0.01)
        c1 = d.pair()["counters"]
        self.assert_ping("guest", t.peer_ip, count=30, interval=0.01)  # read by nobody yet
        d.kill9()
        d.start()
        d.wait_state("active", 2.0, vf="vf0")
        c2 = d.pair()["counters"]
        self.note(f"tx_packets before the kill {c1['tx_packets']}, after the restart "
                  f"{c2['tx_packets']}")
        for k in ("tx_packets", "rx_packets", "tx_bytes", "rx_bytes"):
            self.assertGreaterEqual(c2[k], c1[k], f"{k} went back across the restart")
        self.assertGreaterEqual(c2["tx_packets"] - c1["tx_packets"], 30,
                                "the VF's frames since the last reading were lost")

    def test_systemd_notify(self):
        """Type=notify: READY=1 only once the first dump is done, so a VF present at
        start is already held and isolated then (no network manager ordered after the
        daemon finds it free); STOPPING=1 at exit."""
        t = self.topo
        t.add_vf("vf0")    # before the daemon: found by the first dump
        path = os.path.join(self.tmp, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.bind(path)
        sock.settimeout(10)
        os.environ["NOTIFY_SOCKET"] = path
        try:
            d = self.daemon(start=False)
            d.start(wait=False)
        finally:
            del os.environ["NOTIFY_SOCKET"]
        msg = sock.recv(4096).decode()
        isolated = t.read_proc(t.guest, "/proc/sys/net/ipv6/conf/vf0/disable_ipv6")
        self.note(f"first notification: {msg!r}; vf0 disable_ipv6={isolated}")
        self.assertIn("READY=1", msg.splitlines())
        self.assertIn("STATUS=1 standby(s)", msg)
        self.assertEqual(isolated, "1", "READY=1 came before the VF was isolated")
        self.assertEqual(d.adapter("vf0")["role"], "vf")
        d.stop(signal.SIGTERM, 5.0)
        self.assertIn("STOPPING=1", sock.recv(4096).decode().splitlines())

    def test_release_on_exit(self):
        t = self.topo
        d = self.active_vf_setup()
        out, back = self.start_streams(2.5)
        out.at(0.8)
        t0 = time.monotonic()
        rc = d.stop(signal.SIGTERM, 5.0)
        self.note(f"SIGTERM -> exit {rc} in {(time.monotonic() - t0) * 1000:.0f} ms")
        self.assertEqual(rc, 0, "daemon exit status after SIGTERM")
        c0 = t.all_host_counters()
        out.at(1.8)
        c1 = t.all_host_counters()
        sby_rx = self.host_delta(c0, c1, "sby", "rx_packets")
        vf_rx = self.host_delta(c0, c1, "vf0", "rx_packets")
        self.note(f"after exit: hsby rx={sby_rx}, hvf0 rx={vf_rx}")
        self.assert_flows(c0, "sby", "rx_packets", 5000,
                          "traffic not handed back to the standby on exit")
        self.assertLessEqual(vf_rx, 20)
        r1, r2 = self.finish_streams(out, back)
        print(f"RELEASE-ON-EXIT LOSS: guest->peer {r1['lost']} frames, peer->guest "
              f"{r2['lost']} frames", flush=True)
        self.assertLessEqual(r1["lost"], KILL_MAX_LOST)
        self.assertLessEqual(r2["lost"], KILL_MAX_LOST)
        # A fresh start takes the VF again.
        d.start()
        d.wait_state("active", 2.0, vf="vf0")


if __name__ == "__main__":
    sfo_it.main()
