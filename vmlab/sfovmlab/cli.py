# SPDX-License-Identifier: BSD-2-Clause
"""sfo-vmlab command line."""

import argparse
import json
import os
import shutil
import sys
import time
import types

from sfolabkit.document import dumps, envelope
from sfolabkit.proc import LabError, progress

from . import VERSION, picture
from .image import build_image
from .report import describe_params, mode_report, table
from .scenario import MODE_ALIASES, MODES, TITLES, ModeRun, summarize_shares
from .util import Cleanup, install_signal_handlers

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(HERE)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="sfo-vmlab",
        description="Run sriov-failover inside a real QEMU guest (TCG) whose primary NIC is "
                    "hot-unplugged around a real live migration, and measure it against Linux "
                    "net_failover and against no failover, with the same guest image and traffic.",
        epilog="Needs root, qemu-system-x86_64, busybox-static, apt-get and dpkg-deb "
               "(vmlab/packages.txt). See sfo-vmlab(1).")
    p.add_argument("--modes", default=",".join(MODES),
                   help="comma-separated modes: sfo (1, sriov-failover), net_failover (2), "
                        "none (3); default: all three")
    p.add_argument("--scenario", choices=("migrate", "cancel", "pingpong"), default="migrate",
                   help="migrate: one migration (default); cancel: migrate_cancel, the primary "
                        "returns on the source; pingpong: A -> B -> A")
    p.add_argument("--json", action="store_true",
                   help="print the report as JSON on standard output (the table goes to standard error)")
    p.add_argument("--out", default="vmlab-out", metavar="DIR",
                   help="where results.json and timeline.svg go (default ./vmlab-out)")
    p.add_argument("--keep", action="store_true",
                   help="keep the run directory (logs, consoles, raw reports) even when the run succeeds")
    p.add_argument("--work-dir", default=os.environ.get("SFO_VMLAB_WORK_DIR", "/var/tmp/sfo-vmlab"),
                   help="cache (kernel package, guest image) and run directories (default: %(default)s)")
    p.add_argument("--build-dir", default=os.path.join(REPO, "build"),
                   help="meson build directory with sriov-failoverd, sriov-failover and sfo-traffic "
                        "(default: %(default)s)")
    g = p.add_argument_group("traffic and timing")
    g.add_argument("--rate", type=int, default=200, help="UDP packets per second, each way (default 200)")
    g.add_argument("--ping-interval", type=float, default=0.05, help="seconds (default 0.05)")
    g.add_argument("--tcp-mbit", type=int, default=2, help="TCP stream rate, Mbit/s (default 2)")
    g.add_argument("--steady", type=float, default=3.0,
                   help="seconds of traffic before the host acts (default 3)")
    g.add_argument("--settle", type=float, default=3.0,
                   help="seconds of traffic after the primary is back (default 3)")
    g.add_argument("--replug-timeout", type=int, default=30,
                   help="longest wait for the traffic to be back on the primary (default 30 s)")
    g.add_argument("--boot-timeout", type=int, default=240, help="default 240 s")
    g.add_argument("--migrate-timeout", type=int, default=120, help="default 120 s")
    g.add_argument("--cancel-at", choices=("auto", "wait-unplug", "active"), default="auto",
                   help="cancel scenario: the migration state to cancel in; auto: wait-unplug for "
                        "net_failover, active for the others (they unplug before migrating)")
    g.add_argument("--cancel-bandwidth", type=int, default=16 << 20,
                   help="cancel scenario: max-bandwidth in bytes/s, slow enough to cancel while "
                        "active (default 16 MiB/s)")
    g.add_argument("--no-release", action="store_true",
                   help="mode sfo: do not ask the daemon to release before device_del (surprise removal)")
    p.add_argument("--version", action="version", version="sfo-vmlab " + VERSION)
    a = p.parse_args(argv)
    modes = []
    for m in a.modes.replace(" ", ",").split(","):
        if not m:
            continue
        if m not in MODE_ALIASES:
            p.error("unknown mode %r (sfo, net_failover, none)" % m)
        if MODE_ALIASES[m] not in modes:
            modes.append(MODE_ALIASES[m])
    if not modes:
        p.error("no mode")
    a.mode_list = modes
    return a


KEEP_RUNS = 10
SCHEMA = 1


def prune_runs(runs, keep):
    """Only the newest `keep` run directories stay in the work directory."""
    try:
        names = sorted(os.listdir(runs))
    except OSError:
        return
    for n in names[:-keep] if len(names) > keep else []:
        shutil.rmtree(os.path.join(runs, n), ignore_errors=True)


def preflight():
    if os.geteuid() != 0:
        return "needs root (network namespaces, taps)"
    for prog in ("qemu-system-x86_64", "busybox", "apt-get", "apt-cache", "dpkg-deb", "ip", "ping"):
        if not shutil.which(prog):
            return "missing %s (apt-get install $(cat vmlab/packages.txt))" % prog
    return None


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    why = preflight()
    if why:
        print("sfo-vmlab: %s" % why, file=sys.stderr)
        return 77
    install_signal_handlers()
    cleanup = Cleanup()
    work = os.path.abspath(a.work_dir)
    run_dir = os.path.join(work, "runs", time.strftime("%Y%m%d-%H%M%S") + "-%d" % os.getpid())
    os.makedirs(run_dir)
    ctx = types.SimpleNamespace(args=a, cleanup=cleanup, run_dir=run_dir, pid=os.getpid(),
                                qmp_log=open(os.path.join(run_dir, "qmp.log"), "w"),
                                chan_log=open(os.path.join(run_dir, "channel.log"), "w"))
    outdir = os.path.abspath(a.out)
    os.makedirs(outdir, exist_ok=True)
    files = {"json": os.path.join(outdir, "results.json"),
             "svg": os.path.join(outdir, "timeline.svg")}
    params = {k: getattr(a, k) for k in ("rate", "ping_interval", "tcp_mbit", "steady",
                                         "settle", "cancel_at", "no_release")}
    params["modes"] = a.mode_list
    started = time.time_ns()
    modes = []
    extra = {"run_dir": run_dir}   # the document's own keys after the envelope's
    ok = True
    t0 = time.time()
    progress("sfo-vmlab %s: scenario %s, modes %s, run dir %s"
             % (VERSION, a.scenario, " ".join(a.mode_list), run_dir))
    try:
        ctx.image = build_image(work, os.path.abspath(a.build_dir))
        ctx.host_traffic = os.path.join(os.path.abspath(a.build_dir), "tools", "traffic", "sfo-traffic")
        extra["guest_kernel"] = ctx.image.kernel_version
        extra["image"] = ctx.image.key
        for mode in a.mode_list:
            ctx.tag = mode[:3]
            t = time.time()
            mr = ModeRun(ctx, mode, a.scenario)
            try:
                res = mr.run()
            except LabError as e:
                progress("%s: FAILED: %s" % (mode, e))
                ok = False
                res = mr.res
            except KeyboardInterrupt:
                raise
            except Exception as e:  # report and go on with the next mode
                progress("%s: FAILED (%s): %s" % (mode, type(e).__name__, e))
                ok = False
                res = mr.res
            shares = summarize_shares(res) if res.get("marks") else None
            rep = mode_report(res, shares, TITLES[mode])
            if res.get("raw") and "traffic_start" in res.get("marks", {}):
                rep["timeline"] = picture.grid(res)
                rep["timeline_phases"] = picture.phases(res)
                rep["events"] = picture.events(res)
                rep["daemon_events"] = picture.daemon_events(res)
            rep["wall_s"] = round(time.time() - t, 1)
            modes.append(rep)
            with open(os.path.join(run_dir, "raw-%s.json" % mode), "w") as f:
                json.dump(res, f, default=str)
            if rep.get("errors"):
                ok = False
    except KeyboardInterrupt as e:
        progress("interrupted (%s), cleaning up" % (e or "Ctrl-C"))
        ok = False
        extra["interrupted"] = True
    except LabError as e:
        progress("FAILED: %s" % e)
        extra["error"] = str(e)
        ok = False
    finally:
        cleanup.run()
        ctx.qmp_log.close()
        ctx.chan_log.close()
    extra["wall_s"] = round(time.time() - t0, 1)
    report = envelope("sfo-vmlab", VERSION, SCHEMA, a.scenario, params, modes, started, files,
                      **extra)
    with open(files["json"], "w") as f:
        f.write(dumps(report) + "\n")
    with open(files["svg"], "w") as f:
        f.write(picture.render(report, describe_params(report)))
    tab = table(report) if report["modes"] else ""
    if a.json:
        print(dumps(report))
        if tab:
            print(tab, file=sys.stderr)
    elif tab:
        print(tab)
        print()
        print("timeline: %s" % files["svg"])
        print("results:  %s" % files["json"])
    keep = a.keep or not ok
    if keep:
        progress("run directory kept: %s" % run_dir)
    else:
        shutil.rmtree(run_dir, ignore_errors=True)
    prune_runs(os.path.join(work, "runs"), KEEP_RUNS)
    progress("done in %.0f s: %s" % (time.time() - t0, "ok" if ok else "FAILED"))
    if report.get("interrupted"):
        return 130
    return 0 if ok else 1
