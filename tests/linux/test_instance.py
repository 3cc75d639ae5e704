#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""One daemon per pin directory, and what a daemon leaves to others: a second daemon on
the same pins refuses to start and names the first; the datapath's start-up messages
reach the log; steering to a VF checks the VF's datapath as the kernel has it (a piece
removed behind the daemon's back is put back), not as the pair recorded it.
systemd-networkd's runtime .network files are written only where networkd manages the
daemon's network namespace (a private /run/systemd and a stand-in "systemd-networkd"
process here), match more than a name, follow a held VF's rename and do not outlive
the run.  Renames: a held VF renamed is given back with IPv6 on under its new name; a
standby renamed out of the configuration ends its pair in `events`, and renamed back
its counters go on."""

import os
import shutil
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
from sfo_it import IntegrationTest
from sfolabkit.proc import run, wait_until

NETWORKD_DIR = "/run/systemd/network"


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

    def test_held_vf_renamed_then_given_back(self):
        t = self.topo
        d = self.active_vf_setup()
        self.assertEqual(t.read_proc(t.guest, "/proc/sys/net/ipv6/conf/vf0/disable_ipv6"), "1")
        t.g("link", "set", "vf0", "down")  # a rename needs the link down
        t.g("link", "set", "vf0", "name", "vfr")
        t.g("link", "set", "vfr", "up")
        d.wait_state("active", 2.0, vf="vfr")
        self.assertEqual(d.stop(), 0)  # --release-on-exit: every VF given back
        self.assertEqual(t.read_proc(t.guest, "/proc/sys/net/ipv6/conf/vfr/disable_ipv6"), "0",
                         "the VF renamed while held was given back with IPv6 still off")

    def test_standby_renamed_out_of_the_configuration_and_back(self):
        t = self.topo
        d = self.active_vf_setup()  # the configuration names [standby sby] only
        self.assertEqual(self.ping("guest", t.peer_ip, count=20, interval=0.01).returncode, 0)
        before = d.pair()["counters"]
        t.g("link", "set", "sby", "down")
        t.g("link", "set", "sby", "name", "sbx")
        wait_until(lambda: d.pair() is None, 2.0, 0.01, "pair of sby gone")
        last = d.events()[-1]
        self.note(f"last event: {last}")
        self.assertEqual((last["standby"], last["from"], last["to"]), ("sbx", "active", "no-vf"))
        self.assertIn("sby renamed to sbx", last["reason"])
        t.g("link", "set", "sbx", "name", "sby")
        t.g("link", "set", "sby", "up")
        t.g("addr", "replace", f"{t.guest_ip}/24", "dev", "sby")
        p, _ = d.wait_state("active", 3.0, vf="vf0")
        after = p["counters"]
        for key in ("rx_packets", "tx_packets", "rx_bytes", "tx_bytes"):
            self.assertGreaterEqual(after[key], before[key], f"{key} went back: {before} -> "
                                    f"{after}")


class NetworkdTest(IntegrationTest):
    """A private /run/systemd (tmpfs, in this test's mount namespace) where networkd is
    installed (netif exists), and a stand-in process called systemd-networkd."""

    def setUp(self):
        super().setUp()
        r = run(["mount", "-t", "tmpfs", "-o", "mode=0755", "sfo-it-run", "/run/systemd"],
                check=False)
        if r.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs on /run/systemd: {r.stderr.strip()}")
        self.addCleanup(run, ["umount", "-l", "/run/systemd"], check=False)
        os.makedirs("/run/systemd/netif")
        os.makedirs(NETWORKD_DIR)

    def fake_networkd(self, where):
        exe = os.path.join(self.tmp, "systemd-networkd")  # comm: "systemd-network"
        shutil.copy(shutil.which("sleep"), exe)
        pid = self.topo.start(where, [exe, "600"], name="fake-networkd").pid

        def comm():
            with open(f"/proc/{pid}/comm") as f:
                return f.read().strip()

        wait_until(lambda: comm() == "systemd-network", 5.0, 0.005,
                   "the stand-in systemd-networkd running")  # not "ip" any more

    def files(self):
        return sorted(os.listdir(NETWORKD_DIR))

    def read(self, name):
        with open(os.path.join(NETWORKD_DIR, f"10-sriov-failover-{name}.network")) as f:
            return f.read()

    def test_networkd_elsewhere_gets_no_files(self):
        self.fake_networkd("host")  # networkd runs, but in another namespace
        d = self.active_vf_setup()
        self.assertEqual(self.files(), [], "a daemon in a namespace networkd does not manage "
                         f"wrote into its directory:\n{d.log()}")
        self.assertIn("does not manage this network namespace", d.log())

    def test_networkd_here_gets_matching_files(self):
        t = self.topo
        self.fake_networkd("guest")
        stale = "10-sriov-failover-gone0.network"
        with open(os.path.join(NETWORKD_DIR, stale), "w") as f:
            f.write("[Match]\nName=gone0\n\n[Link]\nUnmanaged=yes\n")
        d = self.active_vf_setup()
        self.assertEqual(self.files(), ["10-sriov-failover-vf0.network"],
                         "the stale file of an earlier run was not removed")
        text = self.read("vf0")
        self.note(f"vf0's file:\n{text}")
        self.assertIn("Name=vf0\n", text)
        self.assertIn("Driver=veth\n", text)  # the standby's driver differs
        self.assertIn("Unmanaged=yes", text)
        t.g("link", "set", "vf0", "down")
        t.g("link", "set", "vf0", "name", "vfr")
        t.g("link", "set", "vfr", "up")
        d.wait_state("active", 2.0, vf="vfr")
        wait_until(lambda: self.files() == ["10-sriov-failover-vfr.network"], 2.0, 0.01,
                   f"the file follows the rename (files: {self.files()})")
        self.assertIn("Name=vfr\n", self.read("vfr"))
        self.assertEqual(d.stop(), 0)  # --release-on-exit
        self.assertEqual(self.files(), [], "a file outlived the VF's hold")


if __name__ == "__main__":
    sfo_it.main()
