# SPDX-License-Identifier: BSD-2-Clause
"""One measured traffic flow between two namespaces of a bench (benchnet.Bench),
shared by datapath.py and decompose.py: the receiver (sfo-traffic) on RECV_CPU,
the sender on SEND_CPU, both under `perf stat -e task-clock` when perf is usable
(the CPU cost, robust to other tenants' load); and the UDP pps run: the sender
unlimited (1 Mpps asked), stopped by SIGINT after the run's length, the pps
counted at the receiver once warm (its 10 ms bins from WARMUP_S after the first
packet to the last packet), so runs of a fraction of a second count right."""

import shutil
import subprocess

from benchnet import die
from sfolabkit import stats
from sfolabkit.files import read_json

SEND_CPU, RECV_CPU = 0, 1
# the receiver's UDP pps leaves out the first WARMUP_S after its first packet (cold
# caches, the socket's first buffers, the sender's page faults)
WARMUP_S = 0.05


def perf_usable():
    """Whether perf can count task-clock here (else: no CPU-cost columns)."""
    if shutil.which("perf") is None:
        return False
    return subprocess.run(["perf", "stat", "-x,", "-e", "task-clock", "-o", "/dev/null", "--",
                           "true"], capture_output=True).returncode == 0


def steady_pps(recv):
    """Packets per second at the receiver (a udp-recv --json report) once warm."""
    if recv.get("first_rx_ms") is None:
        return None
    tl = recv["timeline"]
    return stats.steady_rate(tl["rx"], tl["interval_ms"], recv["first_rx_ms"],
                             recv["last_rx_ms"], WARMUP_S * 1000)


class Flows:
    """Flows of bench b, each secs long; perf: whether to count CPU time."""

    def __init__(self, b, secs, perf):
        self.b, self.secs, self.perf = b, secs, perf

    def cpu(self, path):
        """`perf stat -o path` wrapper (nothing without perf)."""
        return ["perf", "stat", "-x,", "-e", "task-clock", "-o", path] if self.perf else []

    def cpu_ms(self, path):
        if not self.perf:
            return None
        for line in open(path):
            if "task-clock" in line:
                return float(line.split(",")[0])
        return None

    def receiver(self, ns, mode, bind, duration, pfx, cpu_file):
        argv = self.cpu(cpu_file) + ["taskset", "-c", str(RECV_CPU), self.b.bins["traffic"],
                                     mode, "--bind", bind, "--duration", str(duration),
                                     "--gap-ms", "0", "--ready-file", pfx + ".ready", "--json"]
        with open(pfx + ".recv.json", "w") as out:
            p = self.b.start(ns, argv, stdout=out, name=mode)
        return p, self.b.wait_ready(pfx + ".ready", p)

    def flow(self, src, dst, dstip, pfx, receiver, wrapper, sender, what):
        """One measured flow: the receiver mode in namespace dst (address dstip), then
        the sender mode with sender's options in src (run by the command prefix
        wrapper).  Files: pfx.send.json, pfx.recv.json, pfx.send.cpu, pfx.recv.cpu."""
        secs = self.secs
        rp, to = self.receiver(dst, receiver, f"{dstip}:{self.b.next_port()}", secs + 15,
                               pfx, pfx + ".recv.cpu")
        argv = self.cpu(pfx + ".send.cpu") + ["taskset", "-c", str(SEND_CPU)] + wrapper + [
            self.b.bins["traffic"], sender[0], "--to", to]
        self.b.run_to_file(src, argv + sender[1:] + ["--json"], pfx + ".send.json", secs + 20)
        rc = rp.wait(20)
        if rc != 0:
            rp.stop()
            die(f"{what}: receiver exit {rc}")

    def udp(self, src, dst, dstip, pfx, what):
        """A UDP pps run, 64-byte datagrams: {"rx_pps", "tx_pps", "rx_loss_pct"} and,
        with perf, "kpps_per_cpu_s" (packets per CPU-second of the sender: the whole
        path to the receiving socket runs as softirq in the sender's context)."""
        # The sender cannot reach 1 Mpps here (it sends as fast as it can); SIGINT from
        # timeout ends it after secs (it then sends its last markers and reports),
        # exact also for runs shorter than its own behind-schedule stop (--duration + 1 s).
        self.flow(src, dst, dstip, pfx, "udp-recv",
                  ["timeout", "--preserve-status", "-s", "INT", str(self.secs)],
                  ["udp-send", "--rate", "1000000", "--size", "64", "--duration",
                   str(self.secs + 1)], what)
        s, rc = read_json(pfx + ".send.json"), read_json(pfx + ".recv.json")
        if s["end_reason"] != "signal":
            die(f"{what}: udp-send ended by {s['end_reason']}, not after the run's length")
        out = {}
        cpu = self.cpu_ms(pfx + ".send.cpu")
        if cpu:
            out["kpps_per_cpu_s"] = round(s["sent"] / cpu, 2)
        pps = steady_pps(rc)
        if pps is None:
            die(f"{what}: the receiver got {rc['received']} packets, no steady part "
                f"after {WARMUP_S} s of warm-up (run too short?)")
        out["rx_pps"] = round(pps, 1)
        out["tx_pps"] = s["achieved_pps"]
        out["rx_loss_pct"] = rc["loss_pct"]
        return out
