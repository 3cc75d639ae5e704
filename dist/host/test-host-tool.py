#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""sriov-failover-host against stand-ins (no root, no QEMU): a QMP server for
each QEMU and a qemu-guest-agent on unix sockets, and a fake virsh that logs
its calls.  Checks the order of the steps (the guest releases before the VF is
unplugged, the migration starts only once DEVICE_DELETED came, the plug only
after it completed) and that a failed step stops everything after it.  The
tool against a real QEMU and a real agent: vmlab's test (tests/test_vmlab.py).

    test-host-tool.py TOOL
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

TOOL = None
LOG = []            # ("who", "command", arguments) in the order they arrived
LOCK = threading.Lock()


def note(who, cmd, args):
    with LOCK:
        LOG.append((who, cmd, args))


class FakeServer(threading.Thread):
    """Serves one JSON-lines client at a time on a unix socket; answer(cmd, args)
    returns (reply, [events])."""

    def __init__(self, path, who, greeting=None):
        super().__init__(daemon=True)
        self.who, self.greeting = who, greeting
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(4)
        self.start()

    def run(self):
        while True:
            try:
                conn, _ = self.srv.accept()
            except OSError:
                return
            with conn:
                f = conn.makefile("rwb")
                if self.greeting:
                    f.write(json.dumps(self.greeting).encode() + b"\n")
                    f.flush()
                for line in f:
                    line = line.lstrip(b"\xff").strip()
                    if not line:
                        continue
                    m = json.loads(line)
                    note(self.who, m["execute"], m.get("arguments"))
                    reply, events = self.answer(m["execute"], m.get("arguments") or {})
                    for ev in events:
                        f.write(json.dumps(ev).encode() + b"\n")
                    f.write(reply + b"\n" if isinstance(reply, bytes)
                            else json.dumps(reply).encode() + b"\n")
                    f.flush()

    def close(self):
        self.srv.close()


class SourceQemu(FakeServer):
    def __init__(self, path):
        self.queries = 0
        super().__init__(path, "qmp-src", {"QMP": {"version": {}, "capabilities": []}})

    def answer(self, cmd, args):
        if cmd == "device_del":
            # DEVICE_DELETED follows the reply, as when a guest lets go of the device
            return (json.dumps({"return": {}}).encode() + b"\n" + json.dumps(
                {"event": "DEVICE_DELETED", "data": {"device": args["id"]},
                 "timestamp": {"seconds": 1, "microseconds": 0}}).encode()), []
        if cmd == "query-migrate":
            self.queries += 1
            return {"return": {"status": "active" if self.queries == 1 else "completed"}}, []
        return {"return": {}}, []


class DestQemu(FakeServer):
    def __init__(self, path):
        super().__init__(path, "qmp-dst", {"QMP": {"version": {}, "capabilities": []}})

    def answer(self, cmd, args):
        return {"return": {}}, []


class Agent(FakeServer):
    def __init__(self, path, exitcode=0):
        self.exitcode = exitcode
        super().__init__(path, "agent")

    def answer(self, cmd, args):
        if cmd == "guest-sync-delimited":
            return b"\xff" + json.dumps({"return": args["id"]}).encode(), []
        if cmd == "guest-exec":
            return {"return": {"pid": 42}}, []
        if cmd == "guest-exec-status":
            out = base64.b64encode(b"released eth0\n").decode()
            return {"return": {"exited": True, "exitcode": self.exitcode, "out-data": out}}, []
        return {"error": {"class": "CommandNotFound", "desc": cmd}}, []


def tool(*args):
    cp = subprocess.run([sys.executable, TOOL, "-j"] + list(args), capture_output=True,
                        text=True, timeout=60)
    steps = [json.loads(ln) for ln in cp.stdout.splitlines() if ln.strip()]
    return cp.returncode, steps, cp.stderr


class QmpTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sfo-host-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        LOG.clear()

    def servers(self, exitcode=0):
        p = {k: os.path.join(self.dir, k) for k in ("src", "dst", "ga")}
        for s in (SourceQemu(p["src"]), DestQemu(p["dst"]), Agent(p["ga"], exitcode)):
            self.addCleanup(s.close)
        return p

    def migrate_args(self, p):
        return ["migrate", "--qmp", p["src"], "--device", "hostdev0", "--uri",
                "tcp:127.0.0.1:4444", "--dest-qmp", p["dst"], "--plug",
                "driver=e1000e,netdev=hn1,id=hostdev0,mac=52:54:00:12:34:56,romfile=",
                "--ga", p["ga"], "--guest-cli", "sriov-failover -s /run/sfo/control.sock"]

    def test_release_unplug_migrate_plug_in_order(self):
        p = self.servers()
        rc, steps, err = tool(*self.migrate_args(p))
        self.assertEqual(rc, 0, err)
        self.assertEqual([s["step"] for s in steps], ["release", "unplug", "migrate", "plug"])
        self.assertEqual(steps[0]["via"], "guest-agent")
        self.assertEqual(steps[0]["output"], "released eth0")
        self.assertEqual(steps[2]["status"], "completed")
        order = [(who, cmd) for who, cmd, _ in LOG if cmd not in (
            "qmp_capabilities", "guest-sync-delimited", "guest-exec-status", "query-migrate")]
        self.assertEqual(order, [("agent", "guest-exec"), ("qmp-src", "device_del"),
                                 ("qmp-src", "migrate"), ("qmp-dst", "device_add")])
        ex = [a for who, cmd, a in LOG if cmd == "guest-exec"][0]
        self.assertEqual([ex["path"]] + ex["arg"], ["sriov-failover", "-s",
                                                    "/run/sfo/control.sock", "release", "eth0"])
        add = [a for who, cmd, a in LOG if cmd == "device_add"][0]
        self.assertEqual(add, {"driver": "e1000e", "netdev": "hn1", "id": "hostdev0",
                               "mac": "52:54:00:12:34:56", "romfile": ""})
        # the migration was not started before the unplug was complete
        self.assertLessEqual(steps[1]["end"], steps[2]["start"])

    def test_failed_release_unplugs_nothing(self):
        p = self.servers(exitcode=1)
        rc, steps, err = tool(*self.migrate_args(p))
        self.assertEqual(rc, 1)
        self.assertIn("release", err)
        self.assertEqual([s["step"] for s in steps], ["release", "error"])
        self.assertNotIn("device_del", [cmd for _, cmd, _ in LOG])

    def test_no_daemon_in_the_guest_is_no_reason_to_stop(self):
        p = self.servers(exitcode=3)
        rc, steps, err = tool(*self.migrate_args(p))
        self.assertEqual(rc, 0, err)
        self.assertEqual([s["step"] for s in steps], ["release", "unplug", "migrate", "plug"])
        self.assertIn("no daemon", steps[0]["what"])

    def test_no_release(self):
        p = self.servers()
        args = [x for x in self.migrate_args(p)]
        rc, steps, err = tool(*(args + ["--no-release"]))
        self.assertEqual(rc, 0, err)
        self.assertEqual([s["step"] for s in steps], ["unplug", "migrate", "plug"])
        self.assertNotIn("agent", [who for who, _, _ in LOG])

    def test_usage_errors(self):
        rc, _, err = tool("migrate", "--qmp", "/nonexistent")
        self.assertEqual(rc, 2)
        self.assertIn("needs --device, --uri", err)
        rc, _, err = tool("migrate", "--qmp", "/x", "--device", "d", "--uri", "u")
        self.assertEqual(rc, 2)
        self.assertIn("--ga", err)
        rc, steps, err = tool("migrate", "--qmp", os.path.join(self.dir, "none"), "--device",
                              "d", "--uri", "u", "--no-release")
        self.assertEqual(rc, 1)
        self.assertIn("cannot connect", err)

    def test_bad_plug_props(self):
        p = self.servers()
        args = self.migrate_args(p)
        args[args.index("--plug") + 1] = "netdev=hn1"
        rc, steps, err = tool(*(args + ["--no-release"]))
        self.assertEqual(rc, 1)
        self.assertIn("no driver=", err)


FAKE_VIRSH = r"""#!/bin/sh
# logs its arguments; answers as libvirt would
echo "$*" >> "$VIRSH_LOG"
case "$*" in
*qemu-agent-command*guest-exec-status*)
	echo '{"return":{"exited":true,"exitcode":0,"out-data":""}}' ;;
*qemu-agent-command*guest-exec*)
	echo '{"return":{"pid":7}}' ;;
*dumpxml*)
	# attached until the second look
	n=$(grep -c dumpxml "$VIRSH_LOG")
	if [ "$n" -lt 2 ]; then
		echo "<domain><devices><hostdev><source><address domain='0x0000' bus='0x03' slot='0x10' function='0x2'/></source></hostdev></devices></domain>"
	else
		echo "<domain><devices></devices></domain>"
	fi ;;
esac
exit 0
"""

VF_XML = """<hostdev mode='subsystem' type='pci' managed='yes'>
  <source>
    <address domain='0x0000' bus='0x03' slot='0x10' function='0x2'/>
  </source>
</hostdev>
"""


class VirshTest(unittest.TestCase):
    def test_virsh_steps_in_order(self):
        d = tempfile.mkdtemp(prefix="sfo-host-test-")
        self.addCleanup(shutil.rmtree, d, True)
        virsh = os.path.join(d, "virsh")
        with open(virsh, "w") as f:
            f.write(FAKE_VIRSH)
        os.chmod(virsh, 0o755)
        xml = os.path.join(d, "vf.xml")
        with open(xml, "w") as f:
            f.write(VF_XML)
        log = os.path.join(d, "log")
        os.environ["VIRSH_LOG"] = log
        rc, steps, err = tool("migrate", "--domain", "vm1", "--connect", "qemu:///system",
                              "--vf-xml", xml, "--dest-connect", "qemu+ssh://b/system",
                              "--virsh", virsh)
        self.assertEqual(rc, 0, err)
        self.assertEqual([s["step"] for s in steps], ["release", "unplug", "migrate", "plug"])
        with open(log) as f:
            calls = [ln.split() for ln in f.read().splitlines()]
        verbs = [c[2] for c in calls]
        self.assertEqual(verbs, ["qemu-agent-command", "qemu-agent-command", "detach-device",
                                 "dumpxml", "dumpxml", "migrate", "attach-device"])
        self.assertEqual(calls[5], ["-c", "qemu:///system", "migrate", "--live", "vm1",
                                    "qemu+ssh://b/system"])
        self.assertEqual(calls[6][:3], ["-c", "qemu+ssh://b/system", "attach-device"])


if __name__ == "__main__":
    TOOL = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
