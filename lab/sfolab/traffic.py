# SPDX-License-Identifier: BSD-2-Clause
"""The steady traffic of a run, measured by sfo-traffic (see sfo-traffic(1)):

    out  UDP guest -> peer, sequenced, RATE packets/s
    in   UDP peer -> guest, the same
    tcp  one TCP connection guest -> peer, at most TCP_MBIT Mbit/s

Receivers start first and announce their port through --ready-file; the
senders start together.  Every report is JSON; the receivers' timelines
(1 ms intervals for UDP, 10 ms for TCP) are what the per-phase numbers and
the SVG are made of.
"""

import os
import signal

from sfolabkit.files import read_json, read_text
from sfolabkit.proc import LabError, wait_ready_file

from . import util

INTERVAL_MS = 10       # TCP timeline
UDP_INTERVAL_MS = 1    # UDP timelines: per-phase numbers to the millisecond
GAP_MS = 20


class Flow:
    def __init__(self, name, kind, src, dst, bind_ip, traffic_bin, workdir, prefix,
                 wrap=()):
        self.name, self.kind, self.src, self.dst = name, kind, src, dst
        self.wrap = list(wrap)  # e.g. ["chrt", "-f", "20"]
        self.bind_ip = bind_ip
        self.bin = traffic_bin
        base = os.path.join(workdir, f"{prefix}-{name}")
        self.ready = base + ".ready"
        self.recv_out, self.send_out = base + ".recv.json", base + ".send.json"
        self.recv_err, self.send_err = base + ".recv.err", base + ".send.err"
        self.rp = self.sp = None
        self.to = None

    def start_receiver(self, topo, duration):
        mode = "udp-recv" if self.kind == "udp" else "tcp-sink"
        try:
            os.unlink(self.ready)
        except FileNotFoundError:
            pass
        with open(self.recv_out, "w") as out, open(self.recv_err, "w") as err:
            argv = [self.bin, mode, "--bind", f"{self.bind_ip}:0", "--duration",
                    f"{duration:.3f}", "--interval-ms",
                    str(UDP_INTERVAL_MS if self.kind == "udp" else INTERVAL_MS), "--gap-ms",
                    str(GAP_MS), "--json", "--ready-file", self.ready]
            self.rp = util.Proc(self.wrap + argv, ns=topo.ns[self.dst], stdout=out,
                                stderr=err, name=mode)

    def wait_ready(self, timeout=5.0):
        try:
            self.to = wait_ready_file(self.ready, self.rp, timeout)
        except LabError as e:
            raise LabError(f"{self.name}: {e}: {read_text(self.recv_err)}") from None

    def start_sender(self, topo, duration, rate=None, size=None, tcp_mbit=None,
                     drain_timeout=6.0):
        if self.kind == "udp":
            argv = [self.bin, "udp-send", "--to", self.to, "--rate", str(rate), "--size",
                    str(size), "--duration", f"{duration:.3f}", "--json"]
        else:
            argv = [self.bin, "tcp-stream", "--to", self.to, "--duration", f"{duration:.3f}",
                    "--interval-ms", str(INTERVAL_MS), "--gap-ms", str(GAP_MS),
                    "--drain-timeout", f"{drain_timeout:g}", "--json"]
            if tcp_mbit:
                argv += ["--rate-mbit", str(tcp_mbit)]
        with open(self.send_out, "w") as out, open(self.send_err, "w") as err:
            self.sp = util.Proc(self.wrap + argv, ns=topo.ns[self.src], stdout=out,
                                stderr=err, name=argv[1])

    def stop_sender(self):
        """Asks the sender to end now: it still reports, and tells the receiver
        how many it sent."""
        if self.sp is not None:
            self.sp.send(signal.SIGINT)

    def finish(self, timeout):
        """Waits for the sender, then the receiver (up to timeout each); returns
        (receiver report, sender report), None for a report that is missing."""
        if self.sp is not None and self.sp.wait(timeout) is None:
            self.sp.stop()
        if self.rp is not None and self.rp.wait(timeout) is None:
            self.rp.stop(signal.SIGINT)
        for p in (self.sp, self.rp):
            if p is not None:
                p.stop()
        return read_json(self.recv_out), read_json(self.send_out)

    def errors(self):
        return {"receiver": read_text(self.recv_err).strip(),
                "sender": read_text(self.send_err).strip()}

    def stop(self):
        for p in (self.sp, self.rp):
            if p is not None:
                p.stop(signal.SIGINT, 2.0)


class Traffic:
    """The three flows of a run."""

    def __init__(self, topo, traffic_bin, workdir, rate, size, tcp_mbit, tcp=True,
                 meter_priority=None):
        self.topo = topo
        self.rate, self.size, self.tcp_mbit = rate, size, tcp_mbit
        prefix = topo.id
        # Real-time lab: the UDP meters above the lab's own commands (ip, tc, the
        # daemon), so that a step of the host never delays a sender.
        udp_wrap = ["chrt", "-f", str(meter_priority)] if meter_priority else []
        self.flows = [
            Flow("out", "udp", "guest", "peer", topo.peer_ip, traffic_bin, workdir, prefix,
                 udp_wrap),
            Flow("in", "udp", "peer", "guest", topo.guest_ip, traffic_bin, workdir, prefix,
                 udp_wrap),
        ]
        if tcp:
            # Normal priority for the TCP pair even when the lab runs real-time: a
            # rate-limited tcp-stream polls and sends in small pieces continuously
            # (about half a CPU at 20 Mbit/s) and, real-time, would hold a CPU
            # against the UDP senders.  TCP needs no precise timing.
            self.flows.append(Flow("tcp", "tcp", "guest", "peer", topo.peer_ip, traffic_bin,
                                   workdir, prefix, wrap=["chrt", "-o", "0"]))
        self.duration = None
        self.t0_ns = None

    def start(self, duration):
        """Starts receivers, waits for them, starts senders for duration s at most
        (finish() stops them earlier); returns the lab's time zero (CLOCK_REALTIME
        ns) taken just before the senders start."""
        self.duration = duration
        for f in self.flows:
            f.start_receiver(self.topo, duration + 20)
        for f in self.flows:
            f.wait_ready()
        self.t0_ns = util.now_ns()
        for f in self.flows:
            f.start_sender(self.topo, duration, rate=self.rate, size=self.size,
                           tcp_mbit=self.tcp_mbit)
        return self.t0_ns

    def finish(self):
        """Stops the senders, waits for every flow; returns {name: {"recv": report,
        "send": report, "errors": {...}}}."""
        res = {}
        for f in self.flows:
            f.stop_sender()
        for f in self.flows:
            recv, send = f.finish(timeout=15)
            res[f.name] = {"recv": recv, "send": send, "errors": f.errors()}
        return res

    def stop(self):
        for f in self.flows:
            f.stop()
