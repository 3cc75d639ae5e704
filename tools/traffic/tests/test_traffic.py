#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Integration test of sfo-traffic in two network namespaces joined by a veth.

usage: test_traffic.py PATH/TO/sfo-traffic

Needs root, iproute2 (ip, tc) and python3 stdlib only.  Exits 0 when every
check passed, 1 on a failure, 77 (skip) without root or namespace support.
Everything it creates is named sfo-trt-<pid>-* / trt<pid>* and is removed on
exit, also after a failure or SIGTERM; the only traffic is between the two
namespaces.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from sfolabkit import netns
from sfolabkit.proc import LabError, argv_in

SKIP = 77
PID = os.getpid()
NS_A = f"sfo-trt-{PID}-a"
NS_B = f"sfo-trt-{PID}-b"
DEV_A = f"trt{PID}a"
DEV_B = f"trt{PID}b"
NET = PID % 250
V4_A, V4_B = f"10.213.{NET}.1", f"10.213.{NET}.2"
V6_A, V6_B = f"fd00:5f0:{NET:x}::1", f"fd00:5f0:{NET:x}::2"
HERE = os.path.dirname(os.path.abspath(__file__))


class Failed(Exception):
    pass


class Runner:
    def __init__(self, binary):
        self.bin = binary
        self.procs = []
        self.tmp = tempfile.mkdtemp(prefix=f"sfo-trt-{PID}-")
        self.passed = 0
        self.failed = []
        self.skipped = []
        self.port = 20000 + (PID % 20000)

    # ---------------------------------------------------------------- results
    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print(f"PASS {name}" + (f" ({detail})" if detail else ""), flush=True)
        else:
            self.failed.append(name)
            print(f"FAIL {name}" + (f": {detail}" if detail else ""), flush=True)
        return cond

    def timing_check(self, name, sender, cond, detail=""):
        """A check that measures time: skipped when the sender reports the
        machine descheduled it for over 50 ms (a loaded shared machine), since
        then it measures the machine and not the tool."""
        stall_us = sender["late"]["max_us"] if sender and "late" in sender else 0
        if stall_us > 50000:
            self.skip(name, f"sender descheduled for {stall_us / 1000:.0f} ms")
            return True
        return self.check(name, cond, detail)

    def skip(self, name, why):
        self.skipped.append(name)
        print(f"SKIP {name}: {why}", flush=True)

    # ------------------------------------------------------------- processes
    def next_port(self):
        self.port += 1
        return self.port

    def ready_path(self, tag):
        return os.path.join(self.tmp, f"{tag}-{self.next_port()}.ready")

    def start(self, ns, args):
        p = subprocess.Popen(argv_in(ns, [self.bin] + args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(p)
        return p

    def finish(self, p, timeout=30):
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            raise Failed(f"{p.args} did not end within {timeout} s")
        return p.returncode, out, err

    def run(self, ns, args, timeout=30):
        return self.finish(self.start(ns, args), timeout)

    def wait_ready(self, path, p, timeout=5.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if os.path.exists(path):
                with open(path) as f:
                    return f.read().strip()
            if p.poll() is not None:
                raise Failed(f"{p.args} exited early: {p.stderr.read()}")
            time.sleep(0.01)
        raise Failed(f"ready file {path} not created within {timeout} s")

    def json_of(self, out, what):
        """Parses a report, validating it with python3 -m json.tool as well."""
        tool = subprocess.run([sys.executable, "-m", "json.tool"], input=out, text=True,
                              capture_output=True)
        if tool.returncode != 0:
            raise Failed(f"{what}: json.tool rejected the output: {tool.stderr.strip()}")
        if out.count("\n") != 1:
            raise Failed(f"{what}: expected exactly one line of JSON")
        return json.loads(out)

    # ----------------------------------------------------------- environment
    def sh(self, *cmd, check=True):
        r = subprocess.run(list(cmd), capture_output=True, text=True)
        if check and r.returncode != 0:
            raise Failed(f"{' '.join(cmd)}: {r.stderr.strip()}")
        return r

    def setup(self):
        try:
            for ns in (NS_A, NS_B):
                netns.add(ns, ipv6=True)
            netns.veth(NS_A, DEV_A, NS_B, DEV_B)
            for ns, dev, v4, v6 in ((NS_A, DEV_A, V4_A, V6_A), (NS_B, DEV_B, V4_B, V6_B)):
                netns.ip(ns, "addr", "add", f"{v4}/24", "dev", dev)
                netns.ip(ns, "-6", "addr", "add", f"{v6}/64", "dev", dev, "nodad")
                netns.ip(ns, "link", "set", dev, "up")
            # A permanent neighbour entry on A keeps ARP/ND out of the outage tests: an ARP
            # request lost while B is down would otherwise stretch a 300 ms outage to ~1 s.
            mac_b = netns.link(NS_B, DEV_B)["address"]
            for addr in (V4_B, V6_B):
                netns.ip(NS_A, "neigh", "replace", addr, "lladdr", mac_b, "dev", DEV_A, "nud",
                         "permanent")
        except LabError as e:
            raise Failed(str(e)) from None

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        netns.delete_all()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --------------------------------------------------------------- helpers
    def udp_pair(self, rate, duration, dst=V4_B, send_extra=(), recv_extra=(), during=None):
        """Runs udp-recv in B and udp-send in A; returns (recv_json, send_json)."""
        port = self.next_port()
        bind = f"[{dst}]:{port}" if ":" in dst else f"{dst}:{port}"
        ready = self.ready_path("udp")
        rp = self.start(NS_B, ["udp-recv", "--bind", bind, "--duration", str(duration + 5),
                               "--json", "--ready-file", ready] + list(recv_extra))
        to = self.wait_ready(ready, rp)
        sp = self.start(NS_A, ["udp-send", "--to", to, "--rate", str(rate), "--duration",
                               str(duration), "--json"] + list(send_extra))
        if during:
            during()
        src, sout, serr = self.finish(sp, duration + 10)
        rrc, rout, rerr = self.finish(rp, 15)
        if src != 0 or rrc != 0:
            raise Failed(f"udp-send rc={src} {serr.strip()} / udp-recv rc={rrc} {rerr.strip()}")
        return self.json_of(rout, "udp-recv"), self.json_of(sout, "udp-send")

    # ----------------------------------------------------------------- tests
    def test_usage(self):
        cases = [
            ([], None),
            (["no-such-mode"], "unknown mode"),
            (["udp-send", "--rate", "100"], "--to"),
            (["udp-send", "--to", "10.1.1.1:5", "--rate", "abc"], "--rate"),
            (["udp-send", "--to", "10.1.1.1:5", "--rate", "0"], "--rate"),
            (["udp-send", "--to", "10.1.1.1", "--rate", "10"], "--to"),
            (["udp-send", "--to", "fd00::1:5", "--rate", "10"], "--to"),
            (["udp-recv", "--bind", "10.1.1.1:5", "--duration", "4000"], "--duration"),
            (["udp-recv", "--bind", "10.1.1.1:5", "--frobnicate"], "--frobnicate"),
            (["udp-recv", "--bind", "10.1.1.1:5", "stray"], "stray"),
            (["tcp-stream", "--to", "10.1.1.1:5", "--rate-mbit", "-3"], "--rate-mbit"),
            (["udp-send", "--to", "[fd00::1]:0", "--rate", "10"], "--to"),
            (["udp-recv", "--bind", "0.0.0.0:0", "--device", "nosuchdev0"], "--device"),
        ]
        for args, needle in cases:
            rc, out, err = self.run(None, args)
            ok = rc == 2 and (needle is None or needle in err) and out == ""
            self.check(f"usage error exits 2: {' '.join(args) or '(no args)'}", ok,
                       f"rc={rc} stderr={err.strip()!r}")
        for mode in ("udp-recv", "udp-send", "tcp-sink", "tcp-stream"):
            rc, out, err = self.run(None, [mode, "--help"])
            self.check(f"{mode} --help", rc == 0 and out.startswith(f"usage: sfo-traffic {mode}"),
                       f"rc={rc}")
        # Setup errors are exit 2 as well: bind to an address that is not local.
        rc, out, err = self.run(NS_A, ["udp-recv", "--bind", f"{V4_B}:{self.next_port()}",
                                       "--duration", "1"])
        self.check("bind to a foreign address exits 2", rc == 2 and "bind" in err, err.strip())
        rc, out, err = self.run(NS_A, ["tcp-stream", "--to", f"{V4_B}:{self.next_port()}",
                                       "--duration", "1"])
        self.check("tcp-stream to a closed port exits 2", rc == 2 and "connect" in err,
                   err.strip())

    def test_udp_clean(self):
        rate, dur = 2000, 2
        r, s = self.udp_pair(rate, dur)
        self.check("udp 2000 pps x 2 s: sender sent all", s["packets"] == rate * dur and
                   s["sent"] == rate * dur and s["send_errors"] == 0,
                   f"packets={s['packets']} sent={s['sent']}")
        self.check("udp clean: no loss", r["sent"] == rate * dur and r["received"] == rate * dur
                   and r["lost"] == 0 and r["duplicates"] == 0,
                   f"sent={r['sent']} received={r['received']} lost={r['lost']}")
        self.check("udp clean: stopped by last marker", r["end_reason"] == "last-marker" and
                   r["sent_source"] == "last-marker" and r["duration_ms"] < (dur + 2) * 1000,
                   f"end={r['end_reason']} duration_ms={r['duration_ms']}")
        self.check("udp clean: stream id matches", r["stream_id"] == s["stream_id"])
        tl = r["timeline"]
        self.check("udp clean: timeline sums to received", sum(tl["rx"]) == r["received"] and
                   sum(tl["lost"]) == 0 and tl["interval_ms"] == 10 and
                   len(tl["rx"]) == len(tl["lost"]), f"sum={sum(tl['rx'])}")
        busy = [v for v in tl["rx"] if v]
        self.check("udp clean: ~20 packets per 10 ms interval",
                   len(busy) > 150 and sorted(busy)[len(busy) // 2] == 20,
                   f"median={sorted(busy)[len(busy) // 2] if busy else None}")
        # A stall of the sender or of the receiver shows as a gap followed by a
        # burst (queued or caught-up packets) in one interval: that measures
        # the machine, not the tool.
        burst = max(busy, default=0)
        if burst >= 40:
            self.skip("udp clean: longest gap small",
                      f"{burst} packets in one 10 ms interval after a stall")
        else:
            self.timing_check("udp clean: longest gap small", s, r["longest_gap"]["ms"] < 50,
                              f"{r['longest_gap']['ms']} ms")

    def test_udp_20kpps(self):
        rate, dur = 20000, 2
        r, s = self.udp_pair(rate, dur)
        self.timing_check("udp 20 kpps x 2 s: sender keeps the rate", s,
                          s["packets"] == rate * dur and s["sent"] == rate * dur and
                          s["elapsed_ms"] < dur * 1000 + 20,
                          f"packets={s['packets']} elapsed_ms={s['elapsed_ms']} late={s['late']}")
        self.check("udp 20 kpps x 2 s: no loss", r["received"] == s["sent"] and r["lost"] == 0,
                   f"received={r['received']} sent={s['sent']} lost={r['lost']}")

    def test_udp_v6(self):
        r, s = self.udp_pair(1000, 1, dst=V6_B, send_extra=["--size", "1200"])
        self.check("udp over IPv6: no loss", r["received"] == 1000 and r["lost"] == 0 and
                   r["peer"].startswith("[fd00:"), f"received={r['received']} peer={r['peer']}")

    def test_port0_ready_file(self):
        ready = self.ready_path("port0")
        rp = self.start(NS_B, ["udp-recv", "--bind", f"{V4_B}:0", "--duration", "0.3",
                               "--json", "--ready-file", ready])
        addr = self.wait_ready(ready, rp)
        rc, out, err = self.finish(rp)
        j = self.json_of(out, "udp-recv")
        port = int(addr.rsplit(":", 1)[1])
        self.check("port 0: ready file holds the bound port", addr.startswith(V4_B + ":") and
                   port > 0 and j["bind"] == addr, addr)
        self.check("udp-recv without a sender: exit 1 after --duration",
                   rc == 1 and j["received"] == 0 and j["end_reason"] == "duration" and
                   250 <= j["duration_ms"] <= 1500, f"rc={rc} duration_ms={j['duration_ms']}")

    def add_loss(self, pct):
        """Random egress loss on A; returns a description, or None if impossible."""
        r = self.sh("tc", "-n", NS_A, "qdisc", "add", "dev", DEV_A, "root", "netem", "loss",
                    f"{pct}%", check=False)
        if r.returncode == 0:
            return "netem"
        print(f"note: sch_netem unavailable ({r.stderr.strip()}); trying a tc bpf drop program",
              flush=True)
        clang = shutil.which("clang")
        if not clang:
            return None
        obj = os.path.join(self.tmp, "drop.o")
        arch = subprocess.run(["gcc", "-print-multiarch"], capture_output=True, text=True)
        inc = ["-I", f"/usr/include/{arch.stdout.strip()}"] if arch.returncode == 0 else []
        c = subprocess.run([clang, "-O2", "-target", "bpf", f"-DDROP_PCT={pct}", *inc, "-c",
                            os.path.join(HERE, "drop_pct.bpf.c"), "-o", obj],
                           capture_output=True, text=True)
        if c.returncode != 0:
            print(f"note: cannot build the bpf drop program: {c.stderr.strip()[:200]}")
            return None
        if self.sh("tc", "-n", NS_A, "qdisc", "add", "dev", DEV_A, "clsact",
                   check=False).returncode != 0:
            return None
        if self.sh("tc", "-n", NS_A, "filter", "add", "dev", DEV_A, "egress", "bpf", "da", "obj",
                   obj, "sec", "tc", check=False).returncode != 0:
            self.sh("tc", "-n", NS_A, "qdisc", "del", "dev", DEV_A, "clsact", check=False)
            return None
        return "tc bpf"

    def del_loss(self, how):
        if how == "netem":
            self.sh("tc", "-n", NS_A, "qdisc", "del", "dev", DEV_A, "root", check=False)
        else:
            self.sh("tc", "-n", NS_A, "qdisc", "del", "dev", DEV_A, "clsact", check=False)

    def test_udp_random_loss(self):
        how = self.add_loss(10)
        if not how:
            self.skip("udp 10 % random loss", "neither sch_netem nor a tc bpf drop is available")
            return
        try:
            rate, dur = 5000, 2
            r, s = self.udp_pair(rate, dur)
        finally:
            self.del_loss(how)
        # the last markers can be lost too; the receiver then uses the highest sequence
        self.check(f"udp 10 % loss ({how}): loss reported near 10 %",
                   7.0 <= r["loss_pct"] <= 13.0 and r["sent"] >= rate * dur - 50,
                   f"loss_pct={r['loss_pct']} lost={r['lost']} sent={r['sent']}")
        self.check("udp random loss: received + lost == sent",
                   r["received"] + r["lost"] == r["sent"] and sum(r["timeline"]["lost"]) ==
                   r["lost"] and sum(r["timeline"]["rx"]) == r["received"])

    def test_udp_link_down(self):
        rate, dur, down_s = 2000, 3, 0.3
        marks = {}

        def flap():
            time.sleep(1.2)
            marks["down"] = time.monotonic()
            self.sh("ip", "-n", NS_B, "link", "set", DEV_B, "down")
            time.sleep(down_s)
            self.sh("ip", "-n", NS_B, "link", "set", DEV_B, "up")
            marks["up"] = time.monotonic()

        r, s = self.udp_pair(rate, dur, during=flap)
        outage = marks["up"] - marks["down"]
        g = r["longest_gap"]
        # against the outage as it happened (ip takes longer on a loaded machine)
        self.timing_check("link down: longest gap = the outage +- 100 ms", s,
                          abs(g["ms"] - outage * 1000) <= 100,
                          f"gap={g['ms']} ms at {g['start_ms']} ms (outage {outage:.3f} s)")
        self.timing_check("link down 300 ms: lost ~ rate * 0.3", s,
                   abs(r["lost"] - rate * down_s) <= 200 and r["sent"] == rate * dur,
                   f"lost={r['lost']} expected~{int(rate * down_s)}")
        big = [x for x in r["gaps"] if x["ms"] >= 100]
        self.timing_check("link down 300 ms: exactly one gap listed", s, len(big) == 1,
                   f"gaps={r['gaps']}")
        lost_tl = r["timeline"]["lost"]
        first = next((i for i, v in enumerate(lost_tl) if v), None)
        ok = (first is not None and sum(lost_tl) == r["lost"] and
              abs(first * 10 - g["start_ms"]) <= 30)
        self.timing_check("link down 300 ms: loss timeline lines up with the gap", s, ok,
                   f"first lost interval at {None if first is None else first * 10} ms, "
                   f"gap at {g['start_ms']} ms")

    def tcp_pair(self, duration, stream_extra=(), during=None, sink_ns=NS_B, dst=V4_B):
        port = self.next_port()
        ready = self.ready_path("tcp")
        kp = self.start(sink_ns, ["tcp-sink", "--bind", f"{dst}:{port}", "--duration",
                                  str(duration + 20), "--json", "--ready-file", ready])
        to = self.wait_ready(ready, kp)
        sp = self.start(NS_A, ["tcp-stream", "--to", to, "--duration", str(duration), "--json"]
                        + list(stream_extra))
        if during:
            during(kp)
        src, sout, serr = self.finish(sp, duration + 30)
        krc, kout, kerr = self.finish(kp, 30)
        return (src, self.json_of(sout, "tcp-stream") if sout else None, serr,
                krc, self.json_of(kout, "tcp-sink") if kout else None, kerr)

    def test_tcp_clean(self):
        src, s, serr, krc, k, kerr = self.tcp_pair(2)
        self.check("tcp 2 s: stream survived (exit 0)", src == 0 and s["survived"] and
                   s["error"] is None, f"rc={src} {serr.strip()} end={s and s['end_reason']}")
        self.check("tcp 2 s: sink saw a clean end (exit 0)", krc == 0 and k["clean"] and
                   k["end_reason"] == "eof", f"rc={krc} end={k and k['end_reason']}")
        self.check("tcp 2 s: every byte arrived", s["bytes_sent"] > 0 and
                   s["bytes_sent"] == k["bytes_received"] and s["bytes_acked"] == s["bytes_sent"],
                   f"sent={s['bytes_sent']} acked={s['bytes_acked']} "
                   f"received={k['bytes_received']}")
        self.check("tcp 2 s: retransmits and stall reported",
                   isinstance(s["retransmits"], int) and s["longest_stall"]["ms"] < 200 and
                   s["progress_source"] == "bytes_acked",
                   f"retrans={s['retransmits']} stall={s['longest_stall']}")
        self.check("tcp 2 s: timeline sums to acked bytes",
                   sum(s["timeline"]["bytes"]) == s["bytes_acked"] and
                   sum(k["timeline"]["bytes"]) == k["bytes_received"])

    def test_tcp_rate(self):
        src, s, serr, krc, k, kerr = self.tcp_pair(1, ["--rate-mbit", "100"])
        # the cap is what --rate-mbit promises; how close a loaded machine
        # comes to it is the machine's business
        self.check("tcp --rate-mbit 100: throughput capped at 105 Mbit/s",
                   src == 0 and 0 < s["throughput_mbit"] <= 105,
                   f"rc={src} throughput={s and s['throughput_mbit']}")

    def test_tcp_link_down(self):
        def flap(_):
            time.sleep(0.8)
            self.sh("ip", "-n", NS_B, "link", "set", DEV_B, "down")
            time.sleep(0.3)
            self.sh("ip", "-n", NS_B, "link", "set", DEV_B, "up")

        src, s, serr, krc, k, kerr = self.tcp_pair(3, ["--rate-mbit", "50"], during=flap)
        self.check("tcp with 300 ms link down: survived", src == 0 and s["survived"] and
                   krc == 0, f"rc={src}/{krc} {serr.strip()}")
        st = s["longest_stall"]["ms"]
        self.check("tcp with 300 ms link down: stall >= 250 ms", 250 <= st <= 3000,
                   f"stall={st} ms retransmits={s['retransmits']}")

    def test_tcp_broken(self):
        def kill_sink(kp):
            time.sleep(0.7)
            kp.send_signal(signal.SIGKILL)

        src, s, serr, krc, k, kerr = self.tcp_pair(2, during=kill_sink)
        self.check("tcp sink killed: stream reports the break (exit 1)",
                   src == 1 and s is not None and not s["survived"] and s["error"],
                   f"rc={src} end={s and s['end_reason']} error={s and s['error']}")

    def test_report_forms(self):
        """One report, three forms: --pretty is --json indented (same members), and the
        text says what the JSON says."""
        port = self.next_port()
        ready = self.ready_path("forms")
        rp = self.start(NS_B, ["udp-recv", "--bind", f"{V4_B}:{port}", "--duration", "10",
                               "--pretty", "--ready-file", ready])
        to = self.wait_ready(ready, rp)
        src, sout, serr = self.run(NS_A, ["udp-send", "--to", to, "--rate", "200", "--duration",
                                          "0.1"])
        rrc, rout, rerr = self.finish(rp)
        try:
            pretty = json.loads(rout)
        except ValueError as e:
            raise Failed(f"--pretty: not JSON ({e}): {rout[:200]!r}")
        r, _ = self.udp_pair(200, 0.1)
        self.check("--pretty: indented JSON with the members of --json",
                   rrc == 0 and rout.count("\n") > 20 and rout.startswith("{\n  \"tool\"") and
                   set(pretty) == set(r) and pretty["received"] == 20,
                   f"rc={rrc} lines={rout.count(chr(10))} received={pretty.get('received')}")
        self.check("text report: the sender's numbers",
                   src == 0 and "  packets 20, sent 20, send errors 0" in sout and
                   ", 200 pps" in sout,
                   f"rc={src} {sout!r}")

    def test_udp_broadcast_device(self):
        """A broadcast stream reaches a receiver bound to any address on the device it
        arrives on, once per datagram; bound to another device, nothing."""
        bcast = V4_B.rsplit(".", 1)[0] + ".255"
        for dev, want in ((DEV_B, 10), ("lo", 0)):
            port = self.next_port()
            ready = self.ready_path("bcast")
            rp = self.start(NS_B, ["udp-recv", "--bind", f"0.0.0.0:{port}", "--device", dev,
                                   "--duration", "2", "--json", "--ready-file", ready])
            self.wait_ready(ready, rp)
            src, sout, serr = self.run(NS_A, ["udp-send", "--to", f"{bcast}:{port}", "--rate",
                                              "100", "--duration", "0.1", "--json"])
            rrc, rout, rerr = self.finish(rp)
            r = self.json_of(rout, "udp-recv")
            self.check(f"udp broadcast, receiver on {dev}: {want} received, no duplicate",
                       src == 0 and rrc == (0 if want else 1) and r["received"] == want and
                       r["duplicates"] == 0,
                       f"send rc={src} {serr.strip()!r} recv rc={rrc} received={r['received']} "
                       f"duplicates={r['duplicates']}")

    def test_recv_sigterm(self):
        port = self.next_port()
        ready = self.ready_path("sig")
        rp = self.start(NS_B, ["udp-recv", "--bind", f"{V4_B}:{port}", "--duration", "20",
                               "--json", "--ready-file", ready])
        to = self.wait_ready(ready, rp)
        sp = self.start(NS_A, ["udp-send", "--to", to, "--rate", "1000", "--duration", "10"])
        time.sleep(0.8)
        rp.send_signal(signal.SIGTERM)
        rrc, rout, rerr = self.finish(rp, 10)
        sp.send_signal(signal.SIGTERM)
        src, sout, serr = self.finish(sp, 10)
        j = self.json_of(rout, "udp-recv")
        self.check("udp-recv SIGTERM: report with end_reason signal", rrc == 0 and
                   j["end_reason"] == "signal" and 300 <= j["received"] <= 1000,
                   f"rc={rrc} received={j['received']}")
        self.check("udp-send SIGTERM: stops early, exit 0", src == 0 and "ended by signal" in sout,
                   f"rc={src}")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0:
        print("SKIP: needs root (network namespaces)")
        return SKIP
    if not shutil.which("ip") or not shutil.which("tc"):
        print("SKIP: needs iproute2 (ip, tc)")
        return SKIP

    runner = Runner(binary)

    def on_signal(sig, _frame):
        raise SystemExit(128 + sig)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        try:
            runner.setup()
        except Failed as e:
            print(f"SKIP: cannot create namespaces/veth: {e}")
            return SKIP
        tests = [runner.test_usage, runner.test_udp_clean, runner.test_udp_20kpps,
                 runner.test_udp_v6,
                 runner.test_port0_ready_file, runner.test_udp_random_loss,
                 runner.test_udp_link_down, runner.test_udp_broadcast_device,
                 runner.test_report_forms,
                 runner.test_recv_sigterm,
                 runner.test_tcp_clean, runner.test_tcp_rate, runner.test_tcp_link_down,
                 runner.test_tcp_broken]
        for t in tests:
            try:
                t()
            except (Failed, KeyError, TypeError, ValueError) as e:
                runner.check(t.__name__, False, f"{type(e).__name__}: {e}")
    finally:
        runner.cleanup()
    print(f"\n{runner.passed} passed, {len(runner.failed)} failed, {len(runner.skipped)} skipped")
    for name in runner.failed:
        print(f"  failed: {name}")
    return 1 if runner.failed else 0


if __name__ == "__main__":
    sys.exit(main())
