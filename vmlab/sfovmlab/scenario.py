# SPDX-License-Identifier: BSD-2-Clause
"""One mode through one scenario: boot the source, start the traffic, run the
host's side of the failover around one or two live migrations, collect.

Modes (same guest image, same traffic):
  sfo           QEMU without failover=on; the host's side is dist/host's
                sriov-failover-host, as a user runs it, over QMP (a monitor of its
                own): it asks the guest's daemon to release the primary (guest-exec
                of sriov-failover release through qemu-guest-agent), device_del,
                waits for DEVICE_DELETED, migrates, device_add the primary with the
                same MAC on the destination.  (Scenario cancel: the lab does these
                steps itself, the release over the command channel: the tool does
                not cancel migrations.)
  net_failover  QEMU failover=on / failover_pair_id: QEMU unplugs the primary at
                migration setup (wait-unplug) and plugs it on the destination; the
                guest kernel's net_failover does the rest.
  none          the address on the primary only, no failover: device_del,
                migrate, device_add; the guest re-configures the new primary.

Scenarios: migrate (one migration), cancel (migrate_cancel during wait-unplug
or active; the primary returns on the source), pingpong (A -> B -> A).
"""

import json
import os
import subprocess
import sys
import time

from sfolabkit.proc import LabError, progress, run

from .console import ChannelError
from .netlab import MAC, NetLab, on_primary, port_shares
from .qemu import PRIMARY_ID, PRIMARY_PROPS, VM
from .traffic import Traffic

MODES = ("sfo", "net_failover", "none")
MODE_ALIASES = {"1": "sfo", "sriov-failover": "sfo", "sfo": "sfo",
                "2": "net_failover", "net_failover": "net_failover", "net-failover": "net_failover",
                "3": "none", "none": "none", "no-failover": "none"}
TITLES = {"sfo": "sriov-failover (2-netdev, our daemon in the guest)",
          "net_failover": "Linux net_failover (QEMU failover=on, 3-netdev)",
          "none": "no failover (address on the primary)"}
SOCK = "/run/sfo/control.sock"
CLI = "sriov-failover -s %s" % SOCK
HOST_TOOL = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.realpath(__file__)))), "dist", "host", "sriov-failover-host")


class ModeRun:
    def __init__(self, ctx, mode, scenario):
        self.ctx = ctx
        self.args = ctx.args
        self.mode = mode
        self.scenario = scenario
        self.res = {"mode": mode, "scenario": scenario, "legs": [], "errors": [],
                    "ping_interval": ctx.args.ping_interval}
        self.vms = []
        self.marks = {}

    # --- helpers ----------------------------------------------------------

    def log(self, msg):
        progress("%s: %s" % (self.mode, msg))

    def mark(self, name, t=None):
        self.marks[name] = t if t is not None else time.time()
        return self.marks[name]

    def new_vm(self, name, side, primary, port=None):
        vm = VM(self.ctx, self.lab, "%s-%s" % (self.ctx.tag, name), self.mode, side, primary, port)
        self.vms.append(vm)
        vm.start()
        return vm

    def wait_mode_ready(self, vm, timeout=90):
        """Until the primary carries the guest's traffic as the mode intends."""
        end = time.time() + timeout
        last = ""
        while time.time() < end:
            if self.mode == "sfo":
                rc, out = vm.chan.run("%s -j status eth0" % CLI, timeout=20)
                if rc == 0 and '"state":"active"' in out:
                    return
            else:
                rc, out = vm.chan.run("netinfo; ip -4 -o addr show", timeout=20)
                for line in out.splitlines():
                    if "driver=e1000e" in line and "oper=up" in line and "carrier=1" in line:
                        name = line.split()[0]
                        if self.mode == "net_failover" and "master=-" not in line:
                            return
                        if self.mode == "none" and (" %s " % name) in out and "inet " in out:
                            return
            last = out
            time.sleep(0.5)
        raise LabError("%s: guest %s not ready (primary not in use) after %ds:\n%s"
                       % (self.mode, vm.name, timeout, last[-1500:]))

    def guest_offset(self, vm, tries=3):
        """guest CLOCK_REALTIME - host time, from the sample with the shortest round trip."""
        best = None
        for _ in range(tries):
            t0 = time.time()
            rc, out = vm.chan.run("guest-now", timeout=10)
            t1 = time.time()
            try:
                sec, usec = out.split()[:2]
                g = int(sec) + int(usec) / 1e6
            except ValueError:
                continue
            if best is None or t1 - t0 < best[1]:
                best = (g - (t0 + t1) / 2, t1 - t0)
        return best

    # --- the run ------------------------------------------------------------

    def run(self):
        self.lab = NetLab("sfovm%d%s" % (self.ctx.pid % 100000, self.mode[:2]), self.ctx.cleanup)
        depth = self.ctx.cleanup.depth()
        try:
            self.lab.setup()
            self.sampler = self.lab.start_sampler()
            self._run()
        except Exception as e:
            self.res["errors"].append("%s: %s" % (type(e).__name__, e))
            raise
        finally:
            self._collect_logs()
            self.res["bridge_fdb_end"] = getattr(self, "_fdb_end", None)
            # this mode's QEMUs, traffic tools and namespaces, newest first
            self.ctx.cleanup.run(to=depth)
        return self.res

    def _run(self):
        a = self.args
        src = self.new_vm("a", "S", primary=True)
        boot = src.wait_booted(a.boot_timeout)
        self.res["boot_s"] = round(boot, 1)
        self.log("guest booted in %.1f s" % boot)
        self.wait_mode_ready(src)
        self.log("primary in use %.1f s after QEMU start" % (time.time() - src.t_start))
        # warm the peer's ARP cache
        for _ in range(20):
            if run(self.lab.ns("peer", "ping", "-c", "1", "-W", "1", "10.77.0.10"), check=False).returncode == 0:
                break
        self.res["clock_offset_start"] = self.guest_offset(src)
        self.traffic = Traffic(self.ctx, self.lab, a.rate, a.ping_interval, a.tcp_mbit)
        self.traffic.start(src.chan)
        self.mark("traffic_start", self.traffic.t_start)
        time.sleep(a.steady)

        cur = src
        legs = {"migrate": [("b", "D", 4444, False)],
                "cancel": [("b", "D", 4444, True)],
                "pingpong": [("b", "D", 4444, False), ("c", "S", 4445, False)]}[self.scenario]
        for i, (name, side, port, cancel) in enumerate(legs):
            for vm in self.vms:
                if vm is not cur and vm.side == side and vm.alive():
                    vm.stop()       # the previous user of these taps
            dst = self.new_vm(name, side, primary=(self.mode == "net_failover"), port=port)
            leg = self.leg(i + 1, cur, dst, port, cancel)
            self.res["legs"].append(leg)
            if leg.get("status") == "completed":
                cur.stop()
                cur = dst
            else:
                dst.stop()
            leg["host"] = cur.name
            self.wait_primary_back(leg, cur)
            time.sleep(a.settle)

        try:
            self.res["clock_offset_end"] = self.guest_offset(cur)
        except ChannelError as e:
            self.res["errors"].append("guest clock: %s" % e)
        self.mark("traffic_stop")
        self.log("stopping traffic")
        self.raw = self.traffic.stop(cur.chan)
        self.res["errors"] += self.raw.get("errors", [])
        self.mark("traffic_end")
        self.res["raw"] = self.raw
        self.res["marks"] = self.marks
        self.res["final_vm"] = cur.name
        self.res["final_taps"] = list(cur.taps)
        self.res["samples"] = self.sampler.snapshot()
        self._fdb_end = self.lab.fdb()
        self._guest_state(cur)

    def leg(self, n, src, dst, port, cancel):
        a = self.args
        L = {"n": n, "from": src.name, "to": dst.name, "cancel": cancel}
        sfx = "" if n == 1 else "#%d" % n
        for q in (src.qmp, dst.qmp):
            q.cmd("migrate-set-capabilities", capabilities=[{"capability": "events", "state": True}])
        bw = a.cancel_bandwidth if cancel else (1 << 30)
        src.qmp.cmd("migrate-set-parameters", **{"max-bandwidth": bw, "downtime-limit": 300})
        time.sleep(0.2)
        t_action = self.mark("action" + sfx)
        L["t_action"] = t_action
        by_tool = self.mode == "sfo" and not cancel
        if by_tool:
            t_mig = self.host_tool(L, src, dst, port)
        elif self.mode in ("sfo", "none"):
            if self.mode == "sfo" and not a.no_release:
                t = time.time()
                rc, out = src.chan.run("time %s release eth0" % CLI, timeout=30)
                L["release_output"] = out.strip()
                L["release_ms"] = round((time.time() - t) * 1000, 1)
                L["release_rc"] = rc
                if rc != 0:
                    self.res["errors"].append("leg %d: release failed (%d): %s" % (n, rc, out.strip()))
                self.log("leg %d: sriov-failover release eth0 -> %d in %.0f ms" % (n, rc, L["release_ms"]))
            t = self.mark("device_del" + sfx)
            src.qmp.cmd("device_del", id=PRIMARY_ID)
            ev = src.qmp.wait_event("DEVICE_DELETED", 30, since=t,
                                    pred=lambda d: d.get("device") == PRIMARY_ID)
            if not ev:
                raise LabError("leg %d: no DEVICE_DELETED for %s within 30 s" % (n, PRIMARY_ID))
            L["unplug_ms"] = round((ev[0] - t) * 1000, 1)
            self.mark("unplugged" + sfx, ev[0])
            self.log("leg %d: device_del -> DEVICE_DELETED in %.0f ms" % (n, L["unplug_ms"]))
        if not by_tool:
            t_mig = self.mark("migrate" + sfx)
            src.qmp.cmd("migrate", uri="tcp:127.0.0.1:%d" % port)
            self.log("leg %d: migrate %s -> %s" % (n, src.name, dst.name))
        final = None
        if cancel:
            at = a.cancel_at
            if at == "auto":
                at = "wait-unplug" if self.mode == "net_failover" else "active"
            ev = src.qmp.wait_event("MIGRATION", 30, since=t_mig, pred=lambda d: d.get("status") == at)
            if not ev:
                raise LabError("leg %d: migration never reached %s" % (n, at))
            if at == "active":
                time.sleep(0.3)
            self.mark("cancel" + sfx)
            src.qmp.cmd("migrate_cancel")
            L["cancel_at"] = at
            self.log("leg %d: migrate_cancel during %s" % (n, at))
        end = time.time() + a.migrate_timeout
        while True:
            m = src.qmp.cmd("query-migrate")
            if m.get("status") in ("completed", "failed", "cancelled"):
                final = m
                break
            if time.time() > end:
                src.qmp.cmd("migrate_cancel")
                raise LabError("leg %d: migration not finished in %ds: %s" % (n, a.migrate_timeout, m))
            time.sleep(0.05)
        if final["status"] == "completed" and not final.get("total-time"):
            # QEMU 7.2 sets the status to completed before it computes total-time and
            # downtime: a query right then reads 0 for both; ask again
            for _ in range(20):
                time.sleep(0.1)
                final = src.qmp.cmd("query-migrate")
                if final.get("total-time"):
                    break
        L["status"] = final["status"]
        L["query_migrate"] = final
        if final["status"] == "failed":
            self.res["errors"].append("leg %d: migration failed: %s" % (n, final.get("error-desc")))
        if cancel and final["status"] != "cancelled":
            self.res["errors"].append("leg %d: migration %s before the cancel took effect"
                                      % (n, final["status"]))
        for k in ("total-time", "downtime", "setup-time"):
            L[k.replace("-", "_") + "_ms"] = final.get(k)
        for st in ("setup", "wait-unplug", "active", "completed", "cancelling", "cancelled", "failed"):
            t = src.qmp.migration_status_time(st, since=t_mig)
            if t:
                L["t_status_" + st.replace("-", "_")] = t
        if L.get("t_status_wait_unplug"):
            nxt = L.get("t_status_active") or L.get("t_status_cancelling") or L.get("t_status_cancelled")
            if nxt:
                L["wait_unplug_ms"] = round((nxt - L["t_status_wait_unplug"]) * 1000, 1)
        if L.get("t_status_active"):
            self.mark("active" + sfx, L["t_status_active"])
        if final["status"] == "completed":
            ev = dst.qmp.wait_event("RESUME", 30, since=t_mig)
            if not ev:
                raise LabError("leg %d: destination did not resume" % n)
            L["t_resume"] = ev[0]
            # both on the host's clock too: QMP events, stop on the source -> resume on
            # the destination
            stop = src.qmp.find_event("STOP", since=t_mig)
            if stop:
                L["t_stop"] = stop[0]
                L["host_downtime_ms"] = round((ev[0] - stop[0]) * 1000, 1)
            if L.get("t_status_completed"):
                L["host_total_time_ms"] = round((L["t_status_completed"] - t_mig) * 1000, 1)
            self.mark("resume" + sfx, ev[0])
            self.log("leg %d: completed: QEMU says total %s ms, downtime %s ms; host clock: "
                     "total %s ms, stop->resume %s ms%s" % (
                n, final.get("total-time"), final.get("downtime"), L.get("host_total_time_ms"),
                L.get("host_downtime_ms"),
                ", wait-unplug %.0f ms" % L["wait_unplug_ms"] if "wait_unplug_ms" in L else ""))
            host = dst
        else:
            t_end = L.get("t_status_" + final["status"]) or time.time()
            L["t_resume"] = t_end
            self.mark("resume" + sfx, t_end)
            self.log("leg %d: migration %s; the source keeps running" % (n, final["status"]))
            host = src
            # the destination QEMU gives up on its incoming migration
        if self.mode in ("sfo", "none") and not by_tool:
            t = self.mark("device_add" + sfx)
            host.qmp.cmd("device_add", driver="e1000e", netdev="hn1", id=PRIMARY_ID, mac=MAC,
                         bus="rp1", romfile="")
            L["t_device_add"] = t
            self.log("leg %d: device_add %s on %s" % (n, PRIMARY_ID, host.name))
        return L

    def host_tool(self, L, src, dst, port):
        """Mode sfo: release, unplug, migrate and plug by sriov-failover-host over the
        QEMUs' second monitors and the source's guest agent, as a user would run it.
        Fills the leg's record from its steps; returns the migration's start."""
        a = self.args
        n = L["n"]
        sfx = "" if n == 1 else "#%d" % n
        argv = [sys.executable, HOST_TOOL, "-j", "migrate", "--qmp", src.host_qmp_path,
                "--device", PRIMARY_ID, "--uri", "tcp:127.0.0.1:%d" % port,
                "--dest-qmp", dst.host_qmp_path, "--plug", "driver=e1000e," + PRIMARY_PROPS,
                "--migrate-timeout", str(a.migrate_timeout)]
        if a.no_release:
            argv.append("--no-release")
        else:
            argv += ["--ga", src.qga_path, "--guest-cli", CLI, "--interface", "eth0"]
        self.log("leg %d: sriov-failover-host migrate %s -> %s" % (n, src.name, dst.name))
        try:
            cp = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=a.migrate_timeout + 120)
        except subprocess.TimeoutExpired:
            raise LabError("leg %d: sriov-failover-host did not finish" % n) from None
        steps = {}
        for line in cp.stdout.splitlines():
            try:
                s = json.loads(line)
            except ValueError:
                continue
            steps[s["step"]] = s
        L["host_tool"] = {"argv": argv[1:], "steps": list(steps.values()),
                          "exit": cp.returncode}
        if cp.returncode != 0:
            raise LabError("leg %d: sriov-failover-host failed (exit %d): %s"
                           % (n, cp.returncode, cp.stderr.strip()))
        rel = steps.get("release")
        if rel:
            L["release_output"] = rel["output"]
            L["release_ms"] = round((rel["end"] - rel["start"]) * 1000, 1)
            L["release_rc"] = rel["exitcode"]
            L["release_via"] = rel["via"]
            self.log("leg %d: release through the guest agent -> %d in %.0f ms"
                     % (n, rel["exitcode"], L["release_ms"]))
        un = steps["unplug"]
        t = self.mark("device_del" + sfx, un["start"])
        ev = src.qmp.find_event("DEVICE_DELETED", since=t,
                                pred=lambda d: d.get("device") == PRIMARY_ID)
        t_del = ev[0] if ev else un["end"]
        L["unplug_ms"] = round((t_del - t) * 1000, 1)
        self.mark("unplugged" + sfx, t_del)
        t_mig = self.mark("migrate" + sfx, steps["migrate"]["start"])
        L["t_device_add"] = self.mark("device_add" + sfx, steps["plug"]["start"])
        return t_mig

    def wait_primary_back(self, leg, vm):
        sby, prim = vm.taps
        t0 = leg["t_resume"]
        end = time.time() + self.args.replug_timeout
        t_back = None
        while time.time() < end:
            t_back = on_primary(self.sampler.snapshot(t0 - 1), sby, prim, t0)
            if t_back:
                break
            time.sleep(0.2)
        sfx = "" if leg["n"] == 1 else "#%d" % leg["n"]
        if t_back:
            leg["t_primary_back"] = t_back
            leg["primary_back_ms"] = round((t_back - t0) * 1000, 1)
            leg["primary_back_from_action_ms"] = round((t_back - leg["t_action"]) * 1000, 1)
            self.mark("primary_back" + sfx, t_back)
            self.log("leg %d: traffic back on the primary %.2f s after %s" % (
                leg["n"], t_back - t0, "the destination resumed" if leg["status"] == "completed"
                else "the cancel"))
        else:
            leg["primary_back_ms"] = None
            self.mark("primary_back" + sfx, time.time())
            self.res["errors"].append("leg %d: traffic not back on the primary within %ds"
                                      % (leg["n"], self.args.replug_timeout))
            self.log("leg %d: traffic NOT back on the primary within %d s"
                     % (leg["n"], self.args.replug_timeout))

    def _guest_state(self, vm):
        g = {}
        cmds = {"netinfo": "netinfo", "addresses": "ip -4 -o addr show",
                "dmesg": "dmesg | grep -i -E 'e1000e|virtio_net|failover|pciehp|BUG|Oops|WARN' | tail -40"}
        if self.mode == "sfo":
            # the guest's clock first: the picture places the events with it
            cmds.update({"status": "%s -j status" % CLI,
                         "events": "guest-now && %s -j events" % CLI,
                         "adapters": "%s -j adapters" % CLI})
        elif self.mode == "net_failover":
            # the daemon runs beside the kernel's failover: what it made of it
            cmds.update({"status": "%s -j status" % CLI, "adapters": "%s -j adapters" % CLI})
        for k, c in cmds.items():
            try:
                g[k] = vm.chan.run(c, timeout=15)[1]
            except Exception as e:
                g[k] = "error: %s" % e
                break       # a guest that does not answer will not answer the next
        self.res["guest"] = g

    def _collect_logs(self):
        """The daemon's log lines (mode sfo) and kernel warnings from every console."""
        logs = {}
        for vm in self.vms:
            text = vm.console_text()
            lines = [ln.rstrip("\r") for ln in text.splitlines()]
            logs[vm.name] = {
                "daemon": [ln[6:] for ln in lines if ln.startswith("sfod: ")],
                "sfovm": [ln for ln in lines if ln.startswith("sfovm:")],
                "kernel_problems": [ln for ln in lines if any(k in ln for k in (
                    "BUG", "Oops", "WARNING", "Kernel panic", "Bad page", "corruption"))],
            }
        self.res["console"] = logs


def summarize_shares(res, window=2.0):
    """Which tap carried the guest's frames over the last window of traffic."""
    samples = res.get("samples") or []
    t1 = res["marks"].get("traffic_stop")
    if not samples or not t1:
        return None
    sby, prim = res["final_taps"]
    sh = port_shares(samples, (sby, prim), t1 - window, t1)
    if not sh:
        return None
    rx = sh[prim][0] + sh[sby][0]
    tx = sh[prim][1] + sh[sby][1]
    return {"window_s": window, "primary": prim, "standby": sby, "frames": sh,
            "primary_share_from_guest": round(sh[prim][0] / rx, 3) if rx else None,
            "primary_share_to_guest": round(sh[prim][1] / tx, 3) if tx else None}
