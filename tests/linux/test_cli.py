#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The command line: JSON schemas of status / adapters / events, release and resume,
exit codes (0 ok, 1 refused, 2 usage, 3 daemon not reachable)."""

import json
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import sfo_it
from sfo_it import IntegrationTest
from sfolabkit import cli_schema
from sfolabkit.cli_schema import INT

DP_COUNTERS = ["tx_vf_packets", "tx_vf_bytes", "tx_standby_packets", "tx_nodev",
               "rx_vf_packets", "rx_vf_bytes", "rx_dup_dropped", "close_hook_flips"]


class CliTest(IntegrationTest):
    def check_types(self, obj, spec, where):
        errors = cli_schema.type_errors(obj, spec, where)
        self.assertFalse(errors, "; ".join(errors))

    def check_status(self, st, pid):
        self.check_types(st, {"daemon": dict, "pairs": list}, "status")
        self.check_types(st["daemon"], {"pid": INT, "version": str, "uptime_ms": (int, float),
                                        "close_hook": bool, "resyncs": INT}, "daemon")
        self.assertEqual(st["daemon"]["pid"], pid)
        self.assertGreaterEqual(st["daemon"]["uptime_ms"], 0)
        self.assertEqual(len(st["pairs"]), 1, st["pairs"])
        p = st["pairs"][0]
        errors = cli_schema.pair_errors(p)
        self.assertFalse(errors, "; ".join(errors))
        self.check_types(p, {"datapath_counters": dict}, "pair")  # Linux's own
        for k in DP_COUNTERS:
            self.check_types(p["datapath_counters"], {k: INT}, "datapath_counters")
        return p

    def test_json_schemas(self):
        t = self.topo
        d = self.daemon()
        pid = d.proc.pid
        r = d.cli("--json", "status")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip().count("\n"), 0, "status --json is not one line")
        p = self.check_status(json.loads(r.stdout), pid)
        self.assertEqual(p["standby"], "sby")
        self.assertEqual(p["standby_ifindex"], t.link("guest", "sby")["ifindex"])
        self.assertEqual((p["state"], p["vf"], p["datapath"]), ("no-vf", None, "sby"))
        t.add_vf("vf0")
        d.wait_state("active", 2.0, vf="vf0")
        self.assert_ping("guest", t.peer_ip, count=10, interval=0.01)
        # -j is the short form.
        r = d.cli("-j", "status")
        self.assertEqual(r.returncode, 0, r.stderr)
        p = self.check_status(json.loads(r.stdout), pid)
        self.assertEqual(p["vf_ifindex"], t.link("guest", "vf0")["ifindex"])
        self.assertEqual(p["datapath"], "vf0")
        self.assertGreaterEqual(p["failover"]["to_vf"], 1)
        self.assertGreaterEqual(p["failover"]["vfs_bound"], 1)
        self.assertGreaterEqual(p["datapath_counters"]["tx_vf_packets"], 10,
                                "BPF counters did not see the pings through the VF")
        self.assertGreaterEqual(p["datapath_counters"]["rx_vf_packets"], 10)
        # adapters
        ads = d.json_cmd("adapters")
        self.assertIsInstance(ads.get("adapters"), list)
        by = {}
        for a in ads["adapters"]:
            errors = cli_schema.adapter_errors(a, f"adapter {a}")
            self.assertFalse(errors, "; ".join(errors))
            by[a["name"]] = a
        self.assertEqual(by["sby"]["role"], "standby")
        self.assertEqual(by["vf0"]["role"], "vf")
        self.assertEqual(by["vf0"]["driver"], "veth")
        self.assertEqual(by["vf0"]["mac"].lower(), t.mac)
        self.assertNotIn("lo", [n for n, a in by.items() if a["role"] in ("vf", "spare")])
        # events
        ev = d.json_cmd("events")
        self.assertIsInstance(ev.get("events"), list)
        self.assertGreaterEqual(len(ev["events"]), 1)
        for e in ev["events"]:
            errors = cli_schema.event_errors(e)
            self.assertFalse(errors, "; ".join(errors))
        self.assertTrue(any(e["to"] == "active" and e["standby"] == "sby" for e in ev["events"]),
                        ev)
        # Human-readable forms answer too.
        for cmd in ("status", "adapters", "events"):
            r = d.cli(cmd)
            self.assertEqual(r.returncode, 0, f"{cmd}: {r.stderr}")
            self.assertTrue(r.stdout.strip(), f"{cmd}: no output")

    def test_release_and_resume(self):
        t = self.topo
        d = self.active_vf_setup()
        r = d.cli("release", "sby")
        self.assertEqual(r.returncode, 0, r.stderr)
        p, _ = d.wait_state("draining", 1.0, vf="vf0")
        self.assertEqual(p["datapath"], "sby")
        before = t.all_host_counters()
        self.assert_ping("guest", t.peer_ip, count=10, interval=0.01)
        after = t.all_host_counters()
        self.assertGreaterEqual(self.host_delta(before, after, "sby", "rx_packets"), 10)
        r = d.cli("resume", "sby")
        self.assertEqual(r.returncode, 0, r.stderr)
        p, _ = d.wait_state("active", 2.0, vf="vf0")
        self.assertEqual(p["datapath"], "vf0")
        self.assertTrue(d.alive())

    def test_release_without_vf_does_not_stick(self):
        """A release is for the VF that is there; with none, it may be refused (1) or
        accepted, but the next VF must not stay released."""
        t = self.topo
        d = self.daemon()
        r = d.cli("release", "sby")
        self.assertIn(r.returncode, (0, 1), f"release with no VF: rc={r.returncode}")
        self.note(f"release with no VF: rc={r.returncode} {(r.stdout + r.stderr).strip()!r}")
        t.add_vf("vf0")
        p, waited = d.wait_state("active", 2.0, vf="vf0")
        self.assertEqual(p["datapath"], "vf0")

    def test_status_unknown_interface(self):
        """`status IFNAME` of an interface the daemon does not know is refused like
        release/resume are: exit 1 and a message."""
        d = self.daemon()
        r = d.cli("status", "nosuchif")
        self.assertEqual(r.returncode, 1, f"status nosuchif: rc={r.returncode} "
                         f"out={r.stdout!r} err={r.stderr!r}")
        self.assertIn("nosuchif", r.stderr)

    def test_exit_codes(self):
        d = self.daemon()
        r = d.cli("release", "nosuchif")
        self.assertEqual(r.returncode, 1, f"release nosuchif: rc={r.returncode} "
                         f"out={r.stdout!r} err={r.stderr!r}")
        self.assertTrue(r.stderr.strip(), "release nosuchif: no message on stderr")
        r = d.cli("resume", "nosuchif")
        self.assertEqual(r.returncode, 1, f"resume nosuchif: rc={r.returncode}")
        r = d.cli("frobnicate")
        self.assertEqual(r.returncode, 2, f"bad command: rc={r.returncode} {r.stderr!r}")
        r = d.cli("release")
        self.assertEqual(r.returncode, 2, f"release without IFNAME: rc={r.returncode}")
        r = sfo_it.run([sfo_it.BIN["cli"], "--no-such-option", "status"], check=False)
        self.assertEqual(r.returncode, 2, f"bad option: rc={r.returncode}")
        self.assertTrue(d.alive(), "the daemon died on bad requests")
        self.assertEqual(d.cli("status").returncode, 0)
        # Daemon not running.
        d.stop()
        for args in (("status",), ("--json", "status"), ("release", "sby")):
            r = d.cli(*args)
            self.assertEqual(r.returncode, 3, f"{args} with no daemon: rc={r.returncode} "
                             f"{r.stderr!r}")
            self.assertIn("sriov-failoverd is not running", r.stderr)
            self.assertIn(d.sock, r.stderr)
        missing = os.path.join(self.tmp, "never-existed.sock")
        r = sfo_it.cli(missing, "status")
        self.assertEqual(r.returncode, 3)
        self.assertIn(missing, r.stderr)

    def test_status_since_and_uptime_advance(self):
        d = self.daemon()
        st1 = d.status()
        time.sleep(0.3)  # time has to pass: there is no condition to poll
        st2 = d.status()
        self.assertGreater(st2["daemon"]["uptime_ms"], st1["daemon"]["uptime_ms"])
        self.assertGreaterEqual(st2["pairs"][0]["failover"]["ms_on_standby"],
                                st1["pairs"][0]["failover"]["ms_on_standby"] + 200)


if __name__ == "__main__":
    sfo_it.main()
