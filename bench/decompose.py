#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""decompose.py: where the per-packet cost of the 2-netdev path comes from.
A diagnostic companion of datapath.py (see RESULTS.md), not a goal check.

Run as root from a checkout:  labkit/run bench/decompose.py [OPTIONS]

Set-ups of the same topology (benchnet.py), `direct` always the baseline:
  direct   IP on a plain veth in a second guest (the datapath.py baseline)
  sby      IP on sby, no BPF, vf0 down: traffic through hsby (same hops)
  hook     as sby, plus clsact on sby with programs that only return
           TC_ACT_UNSPEC on egress and ingress: the cost of having tc hooks
  redir    vf0 up; minimal programs, no maps: sby egress bpf_redirect(vf0),
           vf0 ingress bpf_redirect(sby, BPF_F_INGRESS), sby ingress pass
           (the datapath's path with programs of ~zero cost)
  daemon   sriov-failoverd's datapath (the real programs), pair active
Tests per set-up and round (--tests):
  udp_tx   64-byte UDP pps guest -> peer, sender unlimited, stopped after -t s,
           counted at the receiver once warm; and packets per CPU-second of
           the sender (perf task-clock: its context runs the whole path)
  udp_rx   the same peer -> guest
  rr       request/response round trip, min and p50 (sockperf ping-pong)
A round visits the set-ups in the order given, the next round in reverse
(direct,redir,daemon | daemon,redir,direct | ...), so a set-up is switched to
only once per visit and the two runs of a pair stay close in time; the switch
(programs attached or detached, vf0 up or down, the daemon started and until
active, a ping to teach the bridge) is timed and logged.  The output, from
summarize.py decompose: per set-up and UDP test the median of the paired
ratios set-up / direct with its 95 % CI (sfolabkit.stats), the per-packet cost
difference in ns from the medians, and daemon / redir: what the real datapath
costs above the redirect machinery.
For a decisive measurement (bench/README.md):
  labkit/run bench/decompose.py --setups redir,daemon --tests udp_tx,udp_rx \\
      -t 0.5 -n 300 -o DIR
(~4 s per round: six 0.5 s runs and ~0.5 s of switching; ~20 min; the
CI is about +-2.5 spread/sqrt(N) of the paired ratios).
Needs clang, tc, perf and sockperf.  Environment: SFO_BUILD (default: the
checkout's build/).  Exit status: 0 measured, 1 error, 2 usage.
"""

import os
import subprocess
import sys
import time

import summarize
from benchnet import DIP, GIP, PIP, Bench, binaries, bounded, die, log, name_list, parser
from flows import Flows, perf_usable
from sfolabkit import netns

SETUPS = ("direct", "sby", "hook", "redir", "daemon")
TESTS = ("udp_tx", "udp_rx", "rr")
MINI = """#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
SEC("tc")
int mini(struct __sk_buff *skb)
{
#if defined(REDIR_VF)
	return bpf_redirect(VF_IFINDEX, 0);
#elif defined(REDIR_SBY)
	return bpf_redirect(SBY_IFINDEX, BPF_F_INGRESS);
#else
	return TC_ACT_UNSPEC;
#endif
}
char LICENSE[] SEC("license") = "Dual BSD/GPL";
"""


def build_programs(b):
    """The minimal programs (PASS, REDIR_VF, REDIR_SBY) for this topology's ifindexes."""
    ifindex = {dev: netns.run_in(b.g, "cat", f"/sys/class/net/{dev}/ifindex").stdout.strip()
               for dev in ("sby", "vf0")}
    src = b.path("mini.bpf.c")
    with open(src, "w") as f:
        f.write(MINI)
    machine = subprocess.run(["gcc", "-dumpmachine"], capture_output=True, text=True)
    inc = "/usr/include/" + (machine.stdout.strip() or "x86_64-linux-gnu")
    for v in ("PASS", "REDIR_VF", "REDIR_SBY"):
        r = subprocess.run(["clang", "-O2", "-target", "bpf", f"-I{inc}", f"-D{v}",
                            f"-DVF_IFINDEX={ifindex['vf0']}", f"-DSBY_IFINDEX={ifindex['sby']}",
                            "-c", src, "-o", b.path(f"{v}.o")], capture_output=True, text=True)
        if r.returncode:
            die(f"clang failed: {r.stderr.strip()}")


def tc(b, *args, check=True):
    return netns.run_in(b.g, "tc", *args, check=check)


def apply(b, setup):
    """Brings the guest into setup (after the previous one was undone)."""
    if setup != "direct":
        for dev in ("sby", "vf0"):
            tc(b, "qdisc", "del", "dev", dev, "clsact", check=False)
        netns.ip(b.g, "link", "set", "vf0", "up" if setup == "redir" else "down")
    if setup in ("hook", "redir"):
        tc(b, "qdisc", "add", "dev", "sby", "clsact")
        egress = "REDIR_VF" if setup == "redir" else "PASS"
        tc(b, "filter", "add", "dev", "sby", "egress", "bpf", "da", "obj", b.path(f"{egress}.o"),
           "sec", "tc")
        tc(b, "filter", "add", "dev", "sby", "ingress", "bpf", "da", "obj", b.path("PASS.o"),
           "sec", "tc")
    if setup == "redir":
        tc(b, "qdisc", "add", "dev", "vf0", "clsact")
        tc(b, "filter", "add", "dev", "vf0", "ingress", "bpf", "da", "obj",
           b.path("REDIR_SBY.o"), "sec", "tc")
    if setup == "daemon":
        b.daemon_start()
        b.wait_active()
    # teach the bridge and the neighbours where the guest now is
    b.ping(b.d if setup == "direct" else b.g, what=f"{setup}: the guest")


def leave(b, setup):
    """Undoes what apply() left running that would cost CPU (the daemon); the
    programs stay attached until the next set-up of the guest removes them."""
    if setup == "daemon":
        if b.pair_state() != "active":
            die(f"pair left 'active' during the runs: {b.daemon.cli('status').stdout}")
        b.daemon_stop()


class Runs:
    """The runs of one decompose bench: rows (round, set-up, test, key, value)."""

    def __init__(self, b, a, perf):
        self.b, self.a = b, a
        self.flows = Flows(b, a.t, perf)
        self.rows = []

    def add(self, r, setup, test, key, value):
        self.rows.append((r, setup, test, key, value))

    def udp(self, setup, direction, r):
        """One UDP pps run; off the direct guest, the host ends' counters must show
        it crossed the port of the set-up (hvf0 for redir and daemon, hsby else)."""
        b = self.b
        guest, gip = (b.d, DIP) if setup == "direct" else (b.g, GIP)
        ends = (guest, b.p, PIP) if direction == "tx" else (b.p, guest, gip)
        test = f"udp_{direction}"
        key = "tx_packets" if direction == "rx" else "rx_packets"  # as the host end sees it
        ports = ("hvf0", "hsby") if setup in ("redir", "daemon") else ("hsby", "hvf0")
        before = [b.host_counter(p, key) for p in ports]
        res = self.flows.udp(*ends, b.path(f"{setup}.{test}.{r}"), f"{test} {setup}")
        if setup != "direct":
            used, other = (b.host_counter(p, key) - n for p, n in zip(ports, before))
            if used < 100 or other > used // 100 + 10:
                die(f"{test} {setup}: frames did not use {ports[0]} ({ports[0]} {key} "
                    f"+{used}, {ports[1]} +{other})")
        for k in ("kpps_per_cpu_s", "rx_pps", "tx_pps", "rx_loss_pct"):
            if k in res:
                self.add(r, setup, test, k, res[k])

    def rr(self, setup, r):
        rtt = self.b.rr(self.b.d if setup == "direct" else self.b.g, 0, self.a.rr_seconds,
                        f"{setup}.rr.{r}")
        for key in ("min_us", "p50_us"):
            self.add(r, setup, "rr", key, rtt[key])

    def write_tsv(self, path):
        with open(path, "w") as f:
            for row in self.rows:
                print(*row, sep="\t", file=f)


def main():
    ap = parser(__doc__)
    ap.add_argument("--setups", type=name_list(SETUPS), default=list(SETUPS), metavar="LIST",
                    help=f"comma-separated set-ups (default all: {','.join(SETUPS)}); "
                    "direct, the baseline, is always included")
    ap.add_argument("--tests", type=name_list(TESTS), default=list(TESTS), metavar="LIST",
                    help=f"comma-separated tests (default all: {','.join(TESTS)})")
    ap.add_argument("-n", type=bounded(1, 2000), default=6, metavar="ROUNDS",
                    help="rounds, i.e. pairs of runs per set-up and test (default 6)")
    ap.add_argument("-t", type=bounded(0.2, 60, float), default=2, metavar="SECS",
                    help="length of each UDP run, fractions allowed (default 2)")
    ap.add_argument("--rr-seconds", type=bounded(1, 60), default=2, metavar="SECS",
                    help="length of each request/response run (default 2)")
    ap.add_argument("-o", metavar="DIR",
                    help="keep the raw results (results.tsv and every run's report) in DIR")
    a = ap.parse_args()
    setups = ["direct"] + [s for s in a.setups if s != "direct"]
    if len(setups) < 2:
        ap.error("--setups: name at least one set-up besides direct")
    bins = binaries(tools=("clang", "gcc", "tc", "perf", "ss", "ping") +
                    (("sockperf",) if "rr" in a.tests else ()))
    with Bench(bins) as b:
        runs = Runs(b, a, perf_usable())
        if not runs.flows.perf:
            log("perf not usable: no packets per CPU-second")
        b.topo_up()
        build_programs(b)
        t0 = logged = time.time()
        log(f"decompose: {a.n} rounds x ({' '.join(setups)}, reversed every other round) x "
            f"({' '.join(a.tests)}), {a.t} s UDP runs")
        current, switching = None, 0.0
        for r in range(1, a.n + 1):
            t_round, switched = time.time(), 0.0
            for setup in setups if r % 2 else setups[::-1]:
                if setup != current:
                    t = time.time()
                    if current is not None:
                        leave(b, current)
                    apply(b, setup)
                    current = setup
                    switched += time.time() - t
                    runs.add(r, setup, "switch", "s", round(time.time() - t, 3))
                for test in a.tests:
                    if test == "rr":
                        runs.rr(setup, r)
                    else:
                        runs.udp(setup, test[4:], r)
            switching += switched
            if r == a.n or time.time() - logged >= 10:
                logged = time.time()
                log(f"round {r}/{a.n} ({logged - t0:.0f} s): {logged - t_round:.2f} s, of it "
                    f"{switched:.2f} s switching set-ups")
        leave(b, current)
        res = b.path("results.tsv")
        runs.write_tsv(res)
        print(f"# decompose.py {time.strftime('%Y-%m-%dT%H:%M:%S%z')} {os.uname().release} "
              f"nproc={os.cpu_count()} rounds={a.n} secs={a.t} rr_seconds={a.rr_seconds} "
              f"setups={','.join(setups)} tests={','.join(a.tests)} "
              f"elapsed={time.time() - t0:.0f}s switching={switching:.0f}s", flush=True)
        summarize.main(["summarize.py", "decompose", res])
        b.keep(a.o)
    return 0


if __name__ == "__main__":
    sys.exit(main())
