# SPDX-License-Identifier: BSD-2-Clause
"""What the benches share: binaries, the topology, sriov-failoverd, the
processes they start, request/response runs, and the cleanup.  Namespaces
and links are sfolabkit.netns's, the daemon sfolabkit.daemon's.

Topology (every name carries the PID of the run, so concurrent runs and other
people's namespaces never collide):

  G  (guest, 2-netdev)     sby  198.51.100.1/24 MAC M     vf0 (same MAC, no IP)
                            |                              |
  H  (host)               hsby ----------- br0 ---------- hvf0
                                           |  \\
                                         hpeer  hd0
                                           |      \\
  P  (peer)               eth0 198.51.100.2/24     \\
  D  (guest, direct VF)                          eth0 198.51.100.3/24 (plain veth,
                                                  no daemon, no BPF: the baseline)

IPv6 is off in every namespace: no DAD, router solicitations or MLD.  The
daemon runs in G under `ip netns exec` (a private mount namespace with its own
bpffs: no pin outlives it) with --release-on-exit -v.
"""

import argparse
import os
import re
import shutil
import signal
import sys
import tempfile
import time

from sfolabkit import netns
from sfolabkit.daemon import Daemon
from sfolabkit.files import read_text
from sfolabkit.proc import LabError, Proc, wait_ready_file, wait_until

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAC = "02:5b:00:00:00:01"
GIP, PIP, DIP = "198.51.100.1", "198.51.100.2", "198.51.100.3"


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def die(msg):
    """Ends the bench with exit status 1 (the cleanup runs on the way out)."""
    print(f"{os.path.basename(sys.argv[0])}: error: {msg}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def parser(doc):
    """The command line of a bench whose module docstring is doc: first paragraph
    the description, from the third on the epilogue (the second says how to run)."""
    paras = doc.split("\n\n", 2)
    return argparse.ArgumentParser(prog=os.path.basename(sys.argv[0]), description=paras[0],
                                   formatter_class=argparse.RawDescriptionHelpFormatter,
                                   epilog=paras[2] if len(paras) > 2 else None)


def bounded(lo, hi, kind=int):
    """An argparse type: a number of kind within lo..hi."""
    def parse(s):
        try:
            v = kind(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{s}' is not a number") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"must be {lo}..{hi}")
        return v
    return parse


def name_list(known):
    """An argparse type: comma-separated names out of known, returned in known's
    order, without repeats."""
    def parse(s):
        names = [n.strip() for n in s.split(",") if n.strip()]
        unknown = [n for n in names if n not in known]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"unknown name '{','.join(unknown) or s}' (known: {','.join(known)})")
        return [n for n in known if n in names]
    return parse


def binaries(tools=()):
    """The build's programs (SFO_BUILD, default the checkout's build/), after
    checking that we are root and that they and tools exist."""
    if os.geteuid() != 0:
        die("must run as root (network namespaces, BPF)")
    build = os.environ.get("SFO_BUILD") or os.path.join(REPO, "build")
    bins = {"daemon": os.path.join(build, "src/linux/daemon/sriov-failoverd"),
            "cli": os.path.join(build, "src/linux/cli/sriov-failover"),
            "traffic": os.path.join(build, "tools/traffic/sfo-traffic"),
            "dpbench": os.path.join(build, "src/linux/datapath/sfo-dp-bench")}
    for path in bins.values():
        if not os.access(path, os.X_OK):
            die(f"{path} not found: build first (meson setup build && ninja -C build), "
                "or set SFO_BUILD")
    for tool in ("ip", "taskset", "timeout") + tuple(tools):
        if shutil.which(tool) is None:
            die(f"{tool} not found")
    return bins


class Bench:
    """One bench run: its namespaces, daemon, processes and work directory
    (/tmp/sfo-bn-PID.*), all removed by close() (`with Bench(bins) as b:`), also
    on SIGINT, SIGTERM and SIGHUP.  BN_KEEP=1 keeps the work directory."""

    def __init__(self, bins):
        self.bins = bins
        self.id = f"sfo-bn-{os.getpid()}"
        self.g, self.d, self.h, self.p = (f"{self.id}-{x}" for x in "gdhp")
        self.work = tempfile.mkdtemp(prefix=f"{self.id}.")
        self.procs = []
        self.daemon = None
        self.port = 6000
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def _on_signal(sig, _frame):
        print("interrupted", file=sys.stderr, flush=True)
        raise SystemExit(128 + sig)

    def path(self, name):
        return os.path.join(self.work, name)

    def next_port(self):
        self.port += 1
        return self.port

    # ------------------------------------------------------------ topology
    def add_namespaces(self, *names):
        for name in names:
            netns.add(name)

    def topo_up(self):
        """The namespaces of the picture above, VF present (vf0 down, no BPF)."""
        self.add_namespaces(self.g, self.d, self.h, self.p)
        netns.bridge(self.h, "br0")
        netns.veth(self.g, "sby", self.h, "hsby", mac=MAC)
        netns.veth(self.g, "vf0", self.h, "hvf0", mac=MAC)
        netns.veth(self.p, "eth0", self.h, "hpeer")
        netns.veth(self.d, "eth0", self.h, "hd0")
        for port in ("hsby", "hvf0", "hpeer", "hd0"):
            netns.port(self.h, port)
        for ns, dev, addr in ((self.g, "sby", GIP), (self.p, "eth0", PIP),
                              (self.d, "eth0", DIP)):
            netns.ip(ns, "addr", "add", f"{addr}/24", "dev", dev)
            netns.ip(ns, "link", "set", dev, "up")

    def topo_down(self):
        netns.delete_all()

    def host_counter(self, dev, key):
        """A counter of a port on the host's bridge (rx_packets: frames from its guest)."""
        return netns.counters(self.h, dev)[key]

    def ping(self, ns, dst=PIP, what="the guest"):
        r = netns.run_in(ns, "ping", "-c", "2", "-i", "0.2", "-W", "1", dst, check=False)
        if r.returncode != 0:
            die(f"{what} cannot reach {dst}")

    # ------------------------------------------------------------ daemon
    def daemon_start(self, standbys=("sby",), extra=()):
        """sriov-failoverd in G managing standbys (veth allowed as VF driver, plus the
        [global] lines of extra), ready."""
        conf = ("[global]\nvf-drivers = veth\n" + "".join(f"{x}\n" for x in extra) +
                "".join(f"[standby {s}]\n" for s in standbys))
        self.daemon = Daemon(self.bins, self.g, self.path("daemon"),
                             f"/sys/fs/bpf/{self.id}", conf, standby=standbys[0])
        try:
            self.daemon.start()
        except LabError as e:
            die(str(e))
        return self.daemon

    def wait_active(self, timeout=5.0):
        try:
            self.daemon.wait_state("active", timeout)
        except LabError as e:
            die(str(e))

    def pair_state(self):
        try:
            p = self.daemon.pair()
        except LabError:
            return "?"
        return p.get("state", "?") if p else "?"

    def daemon_stop(self):
        if self.daemon is not None:
            self.daemon.stop()
            self.daemon = None

    # ------------------------------------------------------------ processes
    def start(self, ns, argv, stdout=None, name=None):
        """Starts argv in namespace ns; close() ends it (by PID) if it still runs."""
        p = Proc(argv, ns=ns, stdout=stdout, stderr=None, name=name)
        self.procs.append(p)
        return p

    def run_to_file(self, ns, argv, out_path, timeout):
        """Runs argv in ns with its standard output in out_path; dies if it fails."""
        with open(out_path, "w") as out:
            p = self.start(ns, argv, stdout=out)
        rc = p.wait(timeout)
        if rc is None:
            p.stop()
            die(f"{' '.join(argv)}: no end within {timeout} s")
        if rc != 0:
            die(f"{' '.join(argv)}: exit {rc}: {read_text(out_path)[-500:]}")

    def wait_ready(self, path, proc, timeout=5.0):
        """Waits until proc (a receiver) created its ready file; returns its content."""
        try:
            return wait_ready_file(path, proc, timeout)
        except LabError as e:
            die(str(e))

    def rr(self, client_ns, cpu, seconds, tag):
        """UDP request/response round trips from client_ns to the peer, one request in
        flight, 64 bytes, client and server on the same CPU (sockperf ping-pong):
        {"min_us", "p50_us", "p99_us"}."""
        port = self.next_port()
        with open(self.path(f"{tag}.server"), "w") as log_file:
            server = self.start(self.p, ["taskset", "-c", str(cpu), "sockperf", "server", "-i",
                                         PIP, "-p", str(port)], stdout=log_file, name="sockperf")
        wait_until(lambda: netns.run_in(self.p, "ss", "-Hlun", f"sport = :{port}").stdout,
                   5.0, 0.01, "sockperf server listening")
        out = self.path(f"{tag}.txt")
        self.run_to_file(client_ns, ["taskset", "-c", str(cpu), "sockperf", "ping-pong", "-i",
                                     PIP, "-p", str(port), "-m", "64", "-t", str(seconds),
                                     "--full-rtt"], out, seconds + 30)
        server.stop()
        return parse_sockperf(read_text(out))

    # ------------------------------------------------------------ the end
    def keep(self, outdir):
        """Copies the work directory's files (raw results, logs) to outdir;
        sockets and FIFOs (the daemon's control socket) are not data."""
        def not_files(folder, names):
            return [n for n in names if not os.path.isdir(os.path.join(folder, n)) and
                    not os.path.isfile(os.path.join(folder, n))]

        if outdir:
            shutil.copytree(self.work, outdir, ignore=not_files, dirs_exist_ok=True)
            print(f"raw results in {outdir}")

    def close(self):
        for p in reversed(self.procs):
            p.stop(signal.SIGTERM, 5.0)
        self.procs = []
        self.daemon_stop()
        netns.delete_all()
        if os.environ.get("BN_KEEP"):
            print(f"raw data kept in {self.work}", file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)


_SOCKPERF = {"min_us": r"<MIN> observation =\s*([\d.]+)",
             "p50_us": r"percentile 50\.000 =\s*([\d.]+)",
             "p99_us": r"percentile 99\.000 =\s*([\d.]+)"}


def parse_sockperf(text):
    """The round-trip times (µs) in sockperf ping-pong --full-rtt's report."""
    out = {}
    for key, pattern in _SOCKPERF.items():
        m = re.search(pattern, text)
        if not m:
            die(f"sockperf: no {key} in its report: {text[-300:]!r}")
        out[key] = float(m.group(1))
    return out
