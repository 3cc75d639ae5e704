# SPDX-License-Identifier: BSD-2-Clause
"""The lab's traffic, the same in every mode, all of it from sfo-traffic and ping:

  udp_in   peer -> guest  sequenced UDP (udp-send in the peer, udp-recv in the guest)
  udp_out  guest -> peer  sequenced UDP (udp-send in the guest, udp-recv in the peer)
  ping     peer -> guest  ICMP echo (ping -D -O), its replies
  tcp      peer -> guest  one TCP stream (tcp-stream in the peer, tcp-sink in the guest)

Every sender runs with a long --duration and is stopped with SIGINT when the
scenario is over: udp-send then sends its last markers, tcp-stream half-closes
and waits for the sink's close, which is what "the connection survived" means.
"""

import json
import os
import re
import signal
import subprocess
import time

from sfolabkit.proc import LabError, progress, stop_process

from .console import ChannelError
from .netlab import GUEST_IP, PEER_IP

UDP_IN_PORT, UDP_OUT_PORT, TCP_PORT = 5001, 5002, 5003
GDIR = "/run/t"
LONG = "600"


class Traffic:
    def __init__(self, ctx, lab, rate, ping_interval, tcp_mbit):
        self.ctx = ctx
        self.lab = lab
        self.rate = rate
        self.ping_interval = ping_interval
        self.tcp_mbit = tcp_mbit
        self.dir = os.path.join(ctx.run_dir, "traffic-" + ctx.tag)
        os.makedirs(self.dir, exist_ok=True)
        self.procs = {}
        self.t_start = None
        self.t_stop = None

    def _peer(self, name, *args):
        out = open(os.path.join(self.dir, name + ".out"), "w")
        err = open(os.path.join(self.dir, name + ".err"), "w")
        p = subprocess.Popen(self.lab.ns("peer", *args), stdin=subprocess.DEVNULL, stdout=out,
                             stderr=err, start_new_session=True)
        out.close()
        err.close()
        entry = self.ctx.cleanup.push("stop peer %s pid %d" % (name, p.pid),
                                      lambda: stop_process(p, timeout=2))
        self.procs[name] = (p, entry)
        return p

    def start(self, chan):
        st = "sfo-traffic"
        # list every gap that may hide a lost packet: sequence numbers around each
        # gap place the losses exactly (see report.py)
        gap = str(max(2, int(2400 / self.rate)))
        chan.run("mkdir -p %s && rm -f %s/*" % (GDIR, GDIR), check=True)
        chan.run("%s udp-recv --bind 0.0.0.0:%d --duration %s --interval-ms 10 --gap-ms %s --json "
                 "--ready-file %s/udp_in.ready >%s/udp_in.json 2>%s/udp_in.err & echo $! >%s/udp_in.pid"
                 % (st, UDP_IN_PORT, LONG, gap, GDIR, GDIR, GDIR, GDIR), check=True)
        chan.run("%s tcp-sink --bind 0.0.0.0:%d --duration %s --interval-ms 10 --gap-ms 50 --json "
                 "--ready-file %s/tcp.ready >%s/tcp_sink.json 2>%s/tcp_sink.err & echo $! >%s/tcp_sink.pid"
                 % (st, TCP_PORT, LONG, GDIR, GDIR, GDIR, GDIR), check=True)
        ready = os.path.join(self.dir, "udp_out.ready")
        hb = self.ctx.host_traffic
        self._peer("udp_out_recv", hb, "udp-recv", "--bind", "%s:%d" % (PEER_IP, UDP_OUT_PORT),
                   "--duration", LONG, "--interval-ms", "10", "--gap-ms", gap, "--json",
                   "--ready-file", ready)
        end = time.time() + 30
        while True:
            rc, _ = chan.run("[ -e %s/udp_in.ready ] && [ -e %s/tcp.ready ]" % (GDIR, GDIR))
            if rc == 0 and os.path.exists(ready):
                break
            if time.time() > end:
                raise LabError("traffic receivers not ready in 30 s")
            time.sleep(0.2)
        self.t_start = time.time()
        chan.run("%s udp-send --to %s:%d --rate %d --duration %s --json >%s/udp_out_send.json "
                 "2>%s/udp_out_send.err & echo $! >%s/udp_out_send.pid"
                 % (st, PEER_IP, UDP_OUT_PORT, self.rate, LONG, GDIR, GDIR, GDIR), check=True)
        self._peer("udp_in_send", hb, "udp-send", "--to", "%s:%d" % (GUEST_IP, UDP_IN_PORT),
                   "--rate", str(self.rate), "--duration", LONG, "--json")
        self._peer("tcp_stream", hb, "tcp-stream", "--to", "%s:%d" % (GUEST_IP, TCP_PORT),
                   "--duration", LONG, "--rate-mbit", str(self.tcp_mbit), "--interval-ms", "10",
                   "--gap-ms", "50", "--drain-timeout", "30", "--json")
        self._peer("ping", "ping", "-D", "-O", "-n", "-i", str(self.ping_interval), GUEST_IP)
        progress("traffic: udp %d pps each way, ping every %g s, tcp %d Mbit/s"
                 % (self.rate, self.ping_interval, self.tcp_mbit))

    def _finish(self, name, timeout):
        p, entry = self.procs[name]
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            progress("traffic: %s did not end in %.0fs, interrupting it" % (name, timeout))
            stop_process(p, signal.SIGINT, 5)
        self.ctx.cleanup.done(entry)
        return p.returncode

    def stop(self, chan):
        """Stop the senders (SIGINT), wait for every report; returns the raw results.
        A guest that stops answering costs only the guest's reports (errors list)."""
        self.t_stop = time.time()
        errors = []
        for n in ("udp_in_send", "tcp_stream", "ping"):
            p = self.procs[n][0]
            if p.poll() is None:
                os.kill(p.pid, signal.SIGINT)
        try:
            chan.run("kill -INT $(cat %s/udp_out_send.pid) 2>/dev/null" % GDIR)
        except ChannelError as e:
            errors.append("guest: stopping udp-send: %s" % e)
        rcs = {n: self._finish(n, 45 if n == "tcp_stream" else 15)
               for n in ("udp_in_send", "tcp_stream", "ping")}
        rcs["udp_out_recv"] = self._finish("udp_out_recv", 10)
        raw = {"rc": rcs}
        # guest side reports
        try:
            end = time.time() + 20
            while True:
                rc, _ = chan.run("[ -s %s/udp_in.json ] && [ -s %s/tcp_sink.json ] && "
                                 "[ -s %s/udp_out_send.json ]" % (GDIR, GDIR, GDIR))
                if rc == 0:
                    break
                if time.time() > end:
                    progress("traffic: guest reports missing after 20 s, interrupting the guest's tools")
                    chan.run("for f in %s/*.pid; do kill -INT $(cat $f); done; sleep 2" % GDIR)
                    break
                time.sleep(0.5)
        except ChannelError as e:
            errors.append("guest: waiting for the reports: %s" % e)
        for n in ("udp_in", "tcp_sink", "udp_out_send"):
            try:
                _, out = chan.run("cat %s/%s.json; cat %s/%s.err >&2" % (GDIR, n, GDIR, n), timeout=60)
                raw[n] = _json_line(out, "guest %s" % n)
            except ChannelError as e:
                errors.append("guest: reading %s: %s" % (n, e))
                raw[n] = {"error": str(e)}
        for n in ("udp_out_recv", "udp_in_send", "tcp_stream"):
            with open(os.path.join(self.dir, n + ".out")) as f:
                raw[n] = _json_line(f.read(), "peer %s" % n)
        with open(os.path.join(self.dir, "ping.out")) as f:
            raw["ping"] = parse_ping(f.read(), self.ping_interval)
        raw["errors"] = errors
        with open(os.path.join(self.dir, "raw.json"), "w") as f:
            json.dump(raw, f)
        return raw


def _json_line(text, what):
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                pass
    return {"error": "no JSON report from %s" % what, "output": text[-500:]}


_REPLY = re.compile(r"^\[(\d+\.\d+)\] \d+ bytes from [^:]*: icmp_seq=(\d+) ttl=\d+ time=([\d.]+) ms(.*)$")
_NOANS = re.compile(r"^\[(\d+\.\d+)\] no answer yet for icmp_seq=(\d+)")
_SUM = re.compile(r"(\d+) packets transmitted")
TAIL_S = 1.0


def parse_ping(text, interval):
    """Replies, lost sequence numbers with their estimated send times (host clock),
    longest gap between replies."""
    replies = {}
    dups = 0
    noans = {}
    sent = None
    for line in text.splitlines():
        m = _REPLY.match(line)
        if m:
            t, seq, rtt = float(m.group(1)), int(m.group(2)), float(m.group(3)) / 1000
            if seq in replies or "DUP" in m.group(4):
                dups += 1
            else:
                replies[seq] = (t, rtt)
            continue
        m = _NOANS.match(line)
        if m:
            noans.setdefault(int(m.group(2)), float(m.group(1)))
            continue
        m = _SUM.search(line)
        if m:
            sent = int(m.group(1))
    if sent is None:
        sent = max(list(replies) + list(noans) + [0])
    sends = sorted((seq, t - rtt) for seq, (t, rtt) in replies.items())

    def send_time(seq):
        if seq in noans:
            return noans[seq] - interval
        before = [s for s in sends if s[0] < seq]
        after = [s for s in sends if s[0] > seq]
        if before and after:
            (s0, t0), (s1, t1) = before[-1], after[0]
            return t0 + (t1 - t0) * (seq - s0) / (s1 - s0)
        if before:
            return before[-1][1] + (seq - before[-1][0]) * interval
        if after:
            return after[0][1] - (after[0][0] - seq) * interval
        return None
    lost = [s for s in range(1, sent + 1) if s not in replies]
    # requests still unanswered when ping was stopped are not lost: drop the
    # trailing run of unanswered requests sent within TAIL_S of the end
    end_t = max([t for t, _ in replies.values()] + list(noans.values()) + [0.0])
    tail = 0
    while lost and lost[-1] == sent - tail:
        st = send_time(lost[-1])
        if st is None or st < end_t - TAIL_S:
            break
        lost.pop()
        tail += 1
    sent -= tail
    run_len = best_run = 0
    for s in range(1, sent + 1):
        run_len = run_len + 1 if s not in replies else 0
        best_run = max(best_run, run_len)
    arrivals = sorted(t for t, _ in replies.values())
    gap = None
    for a, b in zip(arrivals, arrivals[1:]):
        if gap is None or b - a > gap[1]:
            gap = (a, b - a)
    return {"sent": sent, "received": len(replies), "lost": len(lost), "duplicates": dups,
            "unanswered_at_end": tail,
            "lost_times": [send_time(s) for s in lost],
            "first_reply": arrivals[0] if arrivals else None,
            "longest_gap_ms": round(gap[1] * 1000, 1) if gap else None,
            "longest_loss_run": best_run,
            "longest_gap_at": gap[0] if gap else None,
            "rtt_max_ms": round(max(r for _, r in replies.values()) * 1000, 1) if replies else None}
