#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""decompose.py: where the per-packet cost of the 2-netdev path comes from.
A diagnostic companion of datapath.py (see RESULTS.md), not a goal check.

Run as root from a checkout:  labkit/run bench/decompose.py [OPTIONS]

Interleaved rounds over five set-ups of the same topology (benchnet.py),
measuring CPU cost with perf task-clock (robust to other tenants' load) and
latency:
  direct   IP on a plain veth in a second guest (the datapath.py baseline)
  sby      IP on sby, no BPF, vf0 down: traffic through hsby (same hops)
  hook     as sby, plus clsact on sby with programs that only return
           TC_ACT_UNSPEC on egress and ingress: the cost of having tc hooks
  redir    vf0 up; minimal programs, no maps: sby egress bpf_redirect(vf0),
           vf0 ingress bpf_redirect(sby, BPF_F_INGRESS), sby ingress pass
           (the datapath's path with programs of ~zero cost)
  daemon   sriov-failoverd's datapath (the real programs), pair active
Per set-up and round: UDP 64 B guest->peer and peer->guest as fast as the
sender can (thousands of packets per CPU-second of the sender, whose context
runs the whole path), and the request/response round trip, minimum and p50
(sockperf ping-pong).  Needs clang, tc, perf and sockperf.
"""

import os
import statistics
import subprocess
import sys
import time

from benchnet import DIP, GIP, PIP, Bench, binaries, die, log, parser
from sfolabkit import netns
from sfolabkit.files import read_json

SETUPS = ("direct", "sby", "hook", "redir", "daemon")
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


def udp(b, setup, direction, r, secs, rows):
    guest, gip = (b.d, DIP) if setup == "direct" else (b.g, GIP)
    src, dst, dstip = (guest, b.p, PIP) if direction == "tx" else (b.p, guest, gip)
    pfx = b.path(f"{setup}.{direction}.{r}")
    with open(pfx + ".recv.json", "w") as out:
        rp = b.start(dst, ["taskset", "-c", "1", b.bins["traffic"], "udp-recv", "--bind",
                           f"{dstip}:{b.next_port()}", "--duration", str(secs + 10), "--gap-ms",
                           "0", "--ready-file", pfx + ".ready", "--json"], stdout=out,
                     name="udp-recv")
    to = b.wait_ready(pfx + ".ready", rp)
    hv0, hs0 = b.host_counter("hvf0", "rx_packets"), b.host_counter("hsby", "rx_packets")
    b.run_to_file(src, ["perf", "stat", "-x,", "-e", "task-clock", "-o", pfx + ".cpu",
                        "taskset", "-c", "0", b.bins["traffic"], "udp-send", "--to", to,
                        "--rate", "1000000", "--size", "64", "--duration", str(secs - 1),
                        "--json"], pfx + ".send.json", secs + 15)
    rp.wait(20)
    via = "-"
    if setup != "direct" and direction == "tx":
        vf = b.host_counter("hvf0", "rx_packets") - hv0
        via = "vf0" if vf > b.host_counter("hsby", "rx_packets") - hs0 else "sby"
    with open(pfx + ".cpu") as f:
        ms = float([ln for ln in f if "task-clock" in ln][0].split(",")[0])
    sent = read_json(pfx + ".send.json")["sent"]
    rows.append((r, setup, f"udp_{direction}", "kpkt_per_cpu_s", round(sent / ms, 2), via))


def rr(b, setup, r, rows):
    rtt = b.rr(b.d if setup == "direct" else b.g, 0, 2, f"{setup}.rr.{r}")
    for key in ("min_us", "p50_us"):
        rows.append((r, setup, "rr", key, rtt[key], "-"))


def report(rows):
    val, via = {}, {}
    for r, s, test, key, v, path in rows:
        val.setdefault((test, key), {}).setdefault(s, []).append(float(v))
        if path != "-":
            via.setdefault(s, set()).add(path)

    def med(v):
        return statistics.median(v) if v else float("nan")

    print("medians (min..max below)")
    print("%-22s" % "measure" + "".join("%14s" % s for s in SETUPS))
    for (test, key), d in val.items():
        print("%-22s" % (test + " " + key) + "".join("%14.2f" % med(d.get(s, [])) for s in SETUPS)
              + "   (N=%d)" % min(len(v) for v in d.values()))
        print("%-22s" % "" + "".join("%14s" % ("%.4g-%.4g" % (min(d[s]), max(d[s])))
                                     for s in SETUPS))
        base = med(d["direct"])
        if key == "kpkt_per_cpu_s":
            print("%-22s" % "  us/pkt over direct" +
                  "".join("%14.3f" % (1000.0 / med(d[s]) - 1000.0 / base) for s in SETUPS))
        if key == "min_us":
            print("%-22s" % "  us over direct" +
                  "".join("%14.2f" % (med(d[s]) - base) for s in SETUPS))
    print("path of guest->peer traffic:", {s: sorted(v) for s, v in via.items()})


def main():
    ap = parser(__doc__)
    ap.add_argument("-n", type=int, default=6, metavar="N",
                    help="rounds (default 6; about 40 s per round)")
    ap.add_argument("-t", type=int, default=2, metavar="SECS", help="UDP run length (default 2)")
    ap.add_argument("-o", metavar="DIR",
                    help="keep the raw results (results.tsv and every run's report) in DIR")
    a = ap.parse_args()
    if not 1 <= a.n <= 50:
        ap.error("-n must be 1..50")
    if not 2 <= a.t <= 30:
        ap.error("-t must be 2..30")
    bins = binaries(tools=("clang", "gcc", "tc", "perf", "sockperf", "ss", "ping"))
    with Bench(bins) as b:
        rows = []
        b.topo_up()
        build_programs(b)
        t0 = time.time()
        log(f"decompose: {a.n} rounds x {' '.join(SETUPS)}")
        for r in range(1, a.n + 1):
            for i in range(len(SETUPS)):  # the order rotates from round to round
                setup = SETUPS[(i + r) % len(SETUPS)]
                apply(b, setup)
                udp(b, setup, "tx", r, a.t, rows)
                udp(b, setup, "rx", r, a.t, rows)
                rr(b, setup, r, rows)
                if setup == "daemon":
                    b.daemon_stop()
            log(f"round {r}/{a.n} ({time.time() - t0:.0f} s)")
        with open(b.path("results.tsv"), "w") as f:
            for row in rows:
                print(*row, sep="\t", file=f)
        print(f"# decompose.py {time.strftime('%Y-%m-%dT%H:%M:%S%z')} {os.uname().release} "
              f"nproc={os.cpu_count()} rounds={a.n} secs={a.t}")
        report(rows)
        b.keep(a.o)
    return 0


if __name__ == "__main__":
    sys.exit(main())
