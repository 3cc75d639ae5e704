# SPDX-License-Identifier: BSD-2-Clause
"""sfo-lab's command line and main loop."""

import argparse
import atexit
import os
import platform
import shutil
import sys
import tempfile
import time

from . import VERSION, analysis, choreography, invm, modes, report, svg, util
from .topology import Topology
from .traffic import Traffic
from sfolabkit.document import dumps
from sfolabkit.proc import LabError

RT_PRIORITY = 10      # the lab, its ip/tc commands, the daemon, the samplers
METER_PRIORITY = 20   # the UDP senders and receivers
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

EPILOG = """\
scenarios:
{scen}

modes (all compared in the same run, one after the other, each in a fresh
network; with --repetitions N the modes are interleaved N times):
  sriov-failover  our daemon (sriov-failoverd) in the guest, 2-netdev model; the
                  host agent runs `sriov-failover release` before each unplug
  bonding         Linux bonding active-backup over VF (primary) and standby, best
                  settings (miimon 10, fail_over_mac active, num_grat_arp 3,
                  primary_reselect always); 'unavailable' when the kernel has no
                  bonding driver: then run with --in-vm
  vf-only         no failover: the address on the VF alone
  standby-only    virtio alone, no VF
  ndis-edge       the Windows edge's driver code (sriovfo.sys's sources) on the
                  NDIS emulation with real frames (sfo-ndis-host): the standby and
                  the VF are AF_PACKET miniports, the stack a TAP device; the host
                  agent's release is the engine's (the Windows service's release),
                  the unplug then a PnP removal (pause, unbind)

timing of one migration (scenario migrate; the defaults in brackets):
  WARMUP [1.0 s] steady traffic, release request, UNPLUG-DELAY [0.3 s], VF
  unplug, PRECOPY [1.0 s] on the standby, pause, BLACKOUT [100 ms], resume on
  host B + RARP announcements, PLUG-DELAY [0.5 s], new VF hot-added on host B,
  then a wait (at most 20 s) until it carries traffic, SETTLE [1.5 s] of traffic.
  Each delay counts from the previous step's completion (the blackout from the
  pause's): a late step delays the rest instead of shortening their phases.

traffic: UDP both ways (sequenced, RATE packets/s each) and one TCP stream
guest->peer, measured by sfo-traffic.  Phases of the table: steady; release
(request, unplug, 0.5 s after it); standby (the VM on virtio); blackout
(pause, resume elsewhere, switches relearning); return (the new VF).

output: a progress line on standard error while it runs; then the table, then
the paths of the files written to --out: results.json (the same document as
--json), timeline.svg (open it in a browser) and the daemon's logs.

The lab runs with SCHED_FIFO priority (see --no-realtime) so that a busy
machine does not distort the numbers; it warns when the senders fell behind.

exit status: 0 every available mode ran; 1 a run failed; 2 usage or setup
error (not root, binaries missing); 130/143 interrupted (after cleaning up).
Needs root (network namespaces, BPF).  See sfo-lab(1).
"""


def parse_args(argv):
    scen = "\n".join(f"  {k:<9} {v}" for k, v in choreography.SCENARIOS.items())
    ap = argparse.ArgumentParser(
        prog="sfo-lab", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Reproduce a VM's live migration with an SR-IOV VF in network namespaces, "
                    "run real traffic through it and compare, side by side, what the guest "
                    "experiences with sriov-failover and with the alternatives.",
        epilog=EPILOG.format(scen=scen))
    ap.add_argument("scenario", nargs="?", default="migrate",
                    choices=list(choreography.SCENARIOS), metavar="SCENARIO",
                    help="what the host does (default migrate; list below)")
    ap.add_argument("--modes", default=",".join(modes.ALL), metavar="LIST",
                    help="comma-separated modes to compare (default: all five)")
    ap.add_argument("--rate", type=int, metavar="PPS",
                    help="UDP packets per second in each direction (default 5000; "
                         "1000 for mtu9000)")
    ap.add_argument("--size", type=int, metavar="BYTES",
                    help="UDP payload size (default 64; 8000 for mtu9000)")
    ap.add_argument("--tcp-mbit", type=int, default=20, metavar="N",
                    help="rate of the TCP stream guest->peer, Mbit/s; 0: no TCP stream "
                         "(default 20)")
    ap.add_argument("--blackout", type=float, default=100, metavar="MS",
                    help="how long the VM is paused during the migration (default 100 ms)")
    ap.add_argument("--repetitions", "-n", type=int, default=1, metavar="N",
                    help="run every mode N times, interleaved (default 1)")
    ap.add_argument("--cycles", type=int, metavar="N",
                    help="flap: removals/re-adds (default 3); pingpong: A->B->A round "
                         "trips (default 1)")
    ap.add_argument("--mtu", type=int, metavar="N",
                    help="MTU of every link (default 1500; 9000 for mtu9000)")
    for name, default, what in (
            ("warmup", 1.0, "steady traffic before the first event"),
            ("unplug-delay", 0.3, "from the release request to the unplug"),
            ("precopy", 1.0, "from the unplug to the pause (the VM runs on the standby)"),
            ("plug-delay", 0.5, "from the resume (flap: the removal) to the new VF"),
            ("port-delay", 0.0, "from the new VF to its host switch port forwarding (0: "
             "at once; until then the VF has carrier and black-holes its frames)"),
            ("settle", 1.5, "traffic after the new VF arrives")):
        ap.add_argument(f"--{name}", type=float, default=default, metavar="S",
                        help=f"{what} (default {default:g} s)")
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build"), metavar="DIR",
                    help="where the binaries are (default: build/ in the repository)")
    ap.add_argument("--out", default="lab-out", metavar="DIR",
                    help="output directory (default ./lab-out)")
    ap.add_argument("--json", action="store_true",
                    help="print the JSON document on standard output instead of the table")
    ap.add_argument("--no-realtime", dest="realtime", action="store_false",
                    help="do not run the lab (and all it starts) with SCHED_FIFO priority "
                         f"{RT_PRIORITY}; numbers are then only as good as the machine is idle")
    ap.add_argument("--quiet", "-q", action="store_true", help="no progress line")
    ap.add_argument("--keep-work", action="store_true",
                    help="keep the work directory (raw reports, counter samples)")
    ap.add_argument("--in-vm", action="store_true",
                    help="run the same command in a QEMU guest (TCG, about 10x slower) "
                         "booted with Debian's kernel over this machine's root, read-only; "
                         "--out is shared: for kernels without bonding (see sfo-lab(1))")
    ap.add_argument("--version", action="version", version=f"sfo-lab {VERSION}")
    a = ap.parse_args(argv)
    jumbo = a.scenario == "mtu9000"
    a.rate = a.rate if a.rate is not None else (1000 if jumbo else 5000)
    a.size = a.size if a.size is not None else (8000 if jumbo else 64)
    a.mtu = a.mtu if a.mtu is not None else (9000 if jumbo else 1500)
    a.cycles = a.cycles if a.cycles is not None else choreography.DEFAULT_CYCLES.get(
        a.scenario, 1)
    a.mode_list = [m.strip() for m in a.modes.split(",") if m.strip()]
    bad = [m for m in a.mode_list if m not in modes.CLASSES]
    if bad or not a.mode_list:
        ap.error(f"--modes: unknown mode(s) {', '.join(bad) or '(none)'}; "
                 f"known: {', '.join(modes.ALL)}")
    if not 1 <= a.rate <= 1_000_000:
        ap.error("--rate: 1..1000000")
    if not 48 <= a.size <= 65507:
        ap.error("--size: 48..65507")
    if a.size + 28 > a.mtu:
        ap.error(f"--size {a.size}: larger than the MTU {a.mtu} allows ({a.mtu - 28})")
    if not 68 <= a.mtu <= 65535:
        ap.error("--mtu: 68..65535")
    if not 0 <= a.blackout <= 60000:
        ap.error("--blackout: 0..60000 ms")
    if not 1 <= a.repetitions <= 100 or not 1 <= a.cycles <= 100:
        ap.error("--repetitions and --cycles: 1..100")
    if a.tcp_mbit < 0:
        ap.error("--tcp-mbit: 0 or more")
    for k in ("warmup", "unplug_delay", "precopy", "plug_delay", "port_delay", "settle"):
        if not 0 <= getattr(a, k) <= 600:
            ap.error(f"--{k.replace('_', '-')}: 0..600 s")
    a.blackout_s = a.blackout / 1000
    return a


class Progress:
    """One line on standard error, rewritten in place on a terminal; elsewhere a line
    per step."""

    def __init__(self, quiet):
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.prefix = ""
        self.last = None
        self.shown = False

    def set(self, prefix):
        self.prefix = prefix
        self.show("setting up")

    def show(self, msg):
        if self.quiet:
            return
        line = f"{self.prefix}  {msg}"
        if self.tty:
            sys.stderr.write("\r\033[K" + line[:200])
            self.shown = True
        elif msg != self.last:
            sys.stderr.write(line + "\n")
        self.last = msg
        sys.stderr.flush()

    def tick(self, t, dur, label):
        if self.tty:
            self.show(f"{t:5.1f}/{dur:.1f} s  {label}")
        elif not label.startswith("next:"):
            self.show(f"{t:4.1f} s  {label}")

    def done(self):
        if self.tty and self.shown and not self.quiet:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def run_one(mode_name, rep, a, bins, workdir, outdir, progress):
    """One mode, one repetition, in a fresh network.  Returns the run's record."""
    rec = {"repetition": rep, "error": None, "result": None}
    topo = Topology(a.mtu, workdir)
    mode = modes.CLASSES[mode_name](bins, workdir)
    traffic = None
    try:
        topo.create()
        mode.setup(topo)
        if not topo.ping():
            raise LabError("the guest cannot reach the peer before the run")
        steps, planned = choreography.build(a.scenario, a)
        bound = choreography.traffic_bound(steps, planned)
        drops0 = topo.drop_counters()
        topo.start_samplers()
        time.sleep(0.05)
        traffic = Traffic(topo, bins["traffic"], workdir, a.rate, a.size, a.tcp_mbit,
                          tcp=a.tcp_mbit > 0,
                          meter_priority=METER_PRIORITY if a.realtime_ok else None)
        # The senders run until the schedule is over (stopped then), bound at most.
        t0_ns = traffic.start(bound)
        t0_mono = time.monotonic()
        runner = choreography.Runner(topo, mode, steps, progress.tick, a.rate)
        events, phases, duration = runner.play(t0_ns, t0_mono, planned, bound)
        progress.show("waiting for the traffic reports")
        flows = traffic.finish()
        traffic = None
        samples = topo.stop_samplers()
        drops1 = topo.drop_counters()
        info = mode.collect(t0_ns)
        for name, what in (("out", "guest->peer"), ("in", "peer->guest")):
            recv = flows[name]["recv"]
            if not recv or not recv.get("received"):
                err = flows[name]["errors"]
                raise LabError(f"the UDP stream {what} never arrived (receiver: "
                               f"{err['receiver'] or 'no report'}; sender: "
                               f"{err['sender'] or 'no error'}; sender errors: "
                               f"{(flows[name]['send'] or {}).get('errors')})")
        result, grid = analysis.analyse(flows, samples, t0_ns, duration, events, phases,
                                         a.rate)
        result["duration_s"] = round(duration, 3)
        result["events"] = events
        result["mode_info"] = info
        result["drops"] = {k: v - drops0.get(k, 0) for k, v in sorted(drops1.items())
                           if v - drops0.get(k, 0) > 0}
        result["flow_errors"] = {k: v["errors"] for k, v in flows.items()
                                 if v["errors"]["sender"] or v["errors"]["receiver"]}
        rec["result"] = result
        rec["timeline"] = {"interval_ms": round(grid["dt"] * 1000), "n": grid["n"]} | {
            k: grid[k] for k in ("out_rx", "out_lost", "in_rx", "in_lost")} | {
            k: [round(x, 2) for x in grid[k]] for k in (
                "tcp_mbit", "vf_guest_tx", "vf_guest_rx", "sby_guest_tx", "sby_guest_rx")}
    except LabError as e:
        rec["error"] = str(e)
    finally:
        if traffic is not None:
            traffic.stop()
        mode.teardown()
        if isinstance(mode, modes.SriovFailover) and mode.log:
            dst = os.path.join(outdir, f"sriov-failoverd-{a.scenario}-{rep}.log")
            try:
                shutil.copyfile(mode.log, dst)
                rec["daemon_log"] = dst
            except OSError:
                pass
            rec["daemon_exit"] = mode.daemon_rc
        if isinstance(mode, modes.NdisEdge) and mode.log:
            dst = os.path.join(outdir, f"sfo-ndis-host-{a.scenario}-{rep}.log")
            try:
                shutil.copyfile(mode.log, dst)
                rec["daemon_log"] = dst
            except OSError:
                pass
            rec["daemon_exit"] = mode.host_rc
            rec["emulation"] = mode.host.exit_report
        topo.destroy()
    return rec


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    if os.geteuid() != 0:
        print("sfo-lab: needs root (network namespaces, BPF)", file=sys.stderr)
        return 2
    missing = modes.have_tools()
    if missing:
        print(f"sfo-lab: missing tools: {', '.join(missing)} (apt-get install iproute2 "
              f"iputils-ping)", file=sys.stderr)
        return 2
    bdir = os.path.abspath(a.build_dir)
    bins = {"daemon": os.path.join(bdir, "src/linux/daemon/sriov-failoverd"),
            "cli": os.path.join(bdir, "src/linux/cli/sriov-failover"),
            "traffic": os.path.join(bdir, "tools/traffic/sfo-traffic"),
            "ndis-host": os.path.join(bdir, "src/windows/host/sfo-ndis-host")}
    if not os.access(bins["traffic"], os.X_OK):
        print(f"sfo-lab: {bins['traffic']} not found: build first (meson setup build && "
              f"ninja -C build) or give --build-dir", file=sys.stderr)
        return 2
    if a.in_vm:
        return invm.main(sys.argv[1:] if argv is None else argv, a, bdir)
    rt_note = None
    a.realtime_ok = False
    if a.realtime:
        # Everything the lab starts inherits it: the meters (the kernel's packet path
        # runs in the senders' context), the daemon, the ip/tc commands of the host.
        try:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(RT_PRIORITY))
            a.realtime_ok = True
        except OSError as e:
            rt_note = f"SCHED_FIFO refused ({e.strerror}): running at normal priority"
            print(f"sfo-lab: warning: {rt_note}", file=sys.stderr)
    outdir = os.path.abspath(a.out)
    os.makedirs(outdir, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix=f"sfo-lab-{os.getpid()}-")
    if not a.keep_work:
        util.at_cleanup(lambda: shutil.rmtree(workdir, ignore_errors=True))
    # Every process the lab starts carries this mark (leak checks find them by it).
    os.environ["SFO_LAB_RUN"] = str(os.getpid())
    progress = Progress(a.quiet)
    util.install_signal_handlers(on_signal=progress.done)
    atexit.register(util.cleanup)
    started = util.now_ns()
    try:
        avail = {}
        for m in a.mode_list:
            avail[m] = modes.CLASSES[m].probe(bins, f"sfo-lab-{os.getpid()}")
        records = {m: [] for m in a.mode_list}
        todo = [(rep, m) for rep in range(1, a.repetitions + 1) for m in a.mode_list
                if avail[m][0]]
        for i, (rep, m) in enumerate(todo, 1):
            rtxt = f" #{rep}" if a.repetitions > 1 else ""
            progress.set(f"[{i}/{len(todo)}] {a.scenario}: {m}{rtxt}")
            records[m].append(run_one(m, rep, a, bins, workdir, outdir, progress))
        progress.done()
        mode_docs = []
        for m in a.mode_list:
            ok, why = avail[m]
            mode_docs.append({"mode": m, "title": modes.TITLES[m], "available": ok,
                              "reason": why, "runs": records[m]})
        params = {"rate": a.rate, "size": a.size, "tcp_mbit": a.tcp_mbit, "mtu": a.mtu,
                  "blackout_ms": a.blackout, "repetitions": a.repetitions,
                  "cycles": a.cycles, "warmup_s": a.warmup, "unplug_delay_s": a.unplug_delay,
                  "precopy_s": a.precopy, "plug_delay_s": a.plug_delay,
                  "port_delay_s": a.port_delay, "settle_s": a.settle,
                  "modes": a.mode_list,
                  "realtime": a.realtime_ok}
        files = {"json": os.path.join(outdir, "results.json"),
                 "svg": os.path.join(outdir, "timeline.svg")}
        doc = report.document(a.scenario, params, mode_docs, started,
                              f"{platform.system()} {platform.release()}", bdir, files)
        with open(files["svg"], "w") as f:
            f.write(svg.render(doc, svg_runs(doc)))
        with open(files["json"], "w") as f:
            f.write(dumps(doc) + "\n")
        if a.json:
            print(dumps(doc))
        else:
            print(report.table(doc))
            print()
            print(f"timeline: {files['svg']}")
            print(f"results:  {files['json']}")
            logs = [r["daemon_log"] for md in mode_docs for r in md["runs"]
                    if r.get("daemon_log")]
            if logs:
                print(f"daemon:   {', '.join(logs)}")
        failed = any(r.get("error") for md in mode_docs for r in md["runs"])
        return 1 if failed else 0
    finally:
        progress.done()
        util.cleanup()
        if a.keep_work:
            print(f"work directory kept: {workdir}", file=sys.stderr)


def svg_runs(doc):
    out = []
    reps = doc["params"]["repetitions"]
    for md in doc["modes"]:
        title = md["title"]
        if not md["available"]:
            out.append((md["mode"], title, f"unavailable: {md['reason']}", None))
            continue
        for r in md["runs"]:
            t = title + (f" #{r['repetition']}" if reps > 1 else "")
            if r.get("error"):
                out.append((md["mode"], t, f"failed: {r['error']}", None))
                continue
            res = r["result"]
            tl = r["timeline"]
            grid = {"n": tl["n"], "dt": tl["interval_ms"] / 1000} | {
                k: v for k, v in tl.items() if isinstance(v, list)}
            info = res.get("mode_info") or {}
            run = {"grid": grid, "phases": res["phases"], "events": res["events"],
                   "daemon_events": info.get("events", []),
                   "events_by": info.get("events_by", "sriov-failoverd")}
            out.append((md["mode"], t, subtitle(res), run))
    return out


def subtitle(res):
    lost_o = (res["udp"]["out"] or {}).get("lost")
    lost_i = (res["udp"]["in"] or {}).get("lost")
    s = f"UDP lost {lost_o} guest->peer, {lost_i} peer->guest; longest gap "
    s += f"{res['longest_gap_ms']:.1f} ms" if res["longest_gap_ms"] is not None else "-"
    tcp = res.get("tcp")
    if tcp:
        s += (f"; TCP {'survived' if tcp['survived'] else 'BROKE'}, "
              f"{tcp['retransmits']} retransmits, longest stall "
              f"{(tcp['longest_stall_ms'] or 0):.0f} ms")
    rets = [x["ms"] for x in res["returns"]]
    if rets:
        s += "; back on the VF after " + ", ".join("never" if x is None else f"{x:.0f} ms"
                                                   for x in rets)
    if res["vf_share"] is not None:
        s += f"; VF share {res['vf_share'] * 100:.0f}%"
    return s


if __name__ == "__main__":
    sys.exit(main())
