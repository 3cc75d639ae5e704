# SPDX-License-Identifier: BSD-2-Clause
"""sriov-failoverd in a network namespace, driven through its command line: how
the lab, the integration tests and the benches start it, ask it and stop it."""

import json
import signal
import time

from sfolabkit.proc import LabError, Proc, Timeout, run, wait_until

# A veth stands for the VF in every namespace lab.
DEFAULT_CONF = "[global]\nvf-drivers = veth\n[standby sby]\n"


class Daemon:
    """One sriov-failoverd.  base is a path prefix for its files (base.conf,
    base.sock, base.log); pin its bpffs directory; spawn(argv, ns=, stdout=,
    stderr=, name=) starts a process (a Proc registered for cleanup by the
    caller; sfolabkit.proc.Proc by default)."""

    def __init__(self, bins, ns, base, pin, conf=None, standby="sby", spawn=None):
        self.bins = bins          # {"daemon": path, "cli": path}
        self.ns = ns
        self.sock, self.conf, self.log_path = base + ".sock", base + ".conf", base + ".log"
        self.pin = pin
        self.standby = standby
        self.spawn = spawn or Proc
        with open(self.conf, "w") as f:
            f.write(DEFAULT_CONF if conf is None else conf)
        self.proc = None
        self.starts = 0
        self.stopped = False      # by its owner (stop, kill9): not a crash

    # -------------------------------------------------------- lifecycle
    def start(self, wait=True, timeout=10.0):
        """Starts it (--release-on-exit -v, the log appended to base.log); with wait,
        returns its first status once it answers."""
        self.starts += 1
        self.stopped = False
        with open(self.log_path, "a") as f:
            f.write(f"=== start #{self.starts} at {time.strftime('%H:%M:%S')} ===\n")
        with open(self.log_path, "a") as logf:
            self.proc = self.spawn(
                [self.bins["daemon"], "--config", self.conf, "--socket", self.sock,
                 "--bpffs", self.pin, "--release-on-exit", "-v"],
                ns=self.ns, stdout=logf, stderr=logf, name="sriov-failoverd")
        return self.wait_ready(timeout) if wait else None

    def wait_ready(self, timeout=10.0):
        """Polls `status --json` until the daemon answers; returns the status.  Raises
        LabError when it exits first, Timeout when it does not answer in time."""
        last = [None]

        def answers():
            if not self.proc.alive():
                raise LabError(f"sriov-failoverd exited with status "
                               f"{self.proc.popen.returncode} before answering; log tail:\n"
                               f"{self.log_tail()}")
            r = self.cli("--json", "status")
            last[0] = r
            if r.returncode != 0:
                return None
            try:
                return json.loads(r.stdout)
            except ValueError:
                return None

        try:
            return wait_until(answers, timeout, 0.02, "sriov-failoverd answering")
        except Timeout:
            r = last[0]
            why = f"last CLI exit {r.returncode} {r.stderr.strip()!r}" if r else "no answer"
            raise Timeout(f"sriov-failoverd not ready within {timeout:g} s ({why}); log "
                          f"tail:\n{self.log_tail()}") from None

    def stop(self, sig=signal.SIGTERM, timeout=5.0):
        """Ends it (sig, then SIGKILL after timeout); returns its exit status."""
        if self.proc is None:
            return None
        self.stopped = True
        return self.proc.stop(sig, timeout)

    def kill9(self):
        self.stopped = True
        self.proc.send(signal.SIGKILL)
        self.proc.wait(5)

    def alive(self):
        return self.proc is not None and self.proc.alive()

    def died(self):
        """Whether it exited without being stopped by its owner."""
        return self.proc is not None and not self.proc.alive() and not self.stopped

    # -------------------------------------------------------- the CLI
    def cli(self, *args, timeout=10):
        """Runs `sriov-failover -s SOCK ARGS` (from here: it only talks to the daemon's
        Unix socket); returns the CompletedProcess, whatever its exit status."""
        return run([self.bins["cli"], "-s", self.sock] + list(args), check=False,
                   timeout=timeout)

    def json_cmd(self, *args):
        """The JSON answer of `sriov-failover --json ARGS`; LabError if it fails."""
        r = self.cli("--json", *args)
        what = f"sriov-failover --json {' '.join(args)}"
        if r.returncode != 0:
            raise LabError(f"{what}: exit {r.returncode}: {r.stderr.strip()}")
        try:
            return json.loads(r.stdout)
        except ValueError as e:
            raise LabError(f"{what}: not JSON ({e}): {r.stdout[:500]!r}") from None

    def status(self):
        return self.json_cmd("status")

    def pair(self, standby=None, status=None):
        """The pair of standby (the daemon's standby by default) in status (asked now
        if not given); None if the daemon does not report it."""
        standby = standby or self.standby
        for p in (status or self.status()).get("pairs", []):
            if p.get("standby") == standby:
                return p
        return None

    def adapters(self):
        return self.json_cmd("adapters")["adapters"]

    def adapter(self, name):
        """The daemon's view of device name (`adapters`), None if it does not list it."""
        for a in self.adapters():
            if a.get("name") == name:
                return a
        return None

    def events(self):
        return self.json_cmd("events")["events"]

    def wait_pair(self, pred, timeout=2.0, what="pair condition", standby=None):
        """Polls status until pred(pair) holds; returns (pair, seconds waited).  Timeout
        names what, the last pair seen and the log's tail."""
        t0 = time.monotonic()
        last = [None]

        def check():
            r = self.cli("--json", "status")
            if r.returncode != 0:
                last[0] = f"(status exit {r.returncode}: {r.stderr.strip()})"
                return None
            try:
                p = self.pair(standby, json.loads(r.stdout))
            except ValueError:
                return None
            last[0] = p
            return p if p is not None and pred(p) else None

        try:
            p = wait_until(check, timeout, 0.01, what)
        except Timeout:
            raise Timeout(f"{what}: not reached within {timeout:g} s; last pair: "
                          f"{json.dumps(last[0])}\ndaemon log:\n{self.log_tail()}") from None
        return p, time.monotonic() - t0

    def wait_state(self, state, timeout=2.0, vf=None, standby=None):
        want = f"state {state}" + (f" with vf {vf}" if vf else "")
        return self.wait_pair(lambda p: p.get("state") == state and
                              (vf is None or p.get("vf") == vf), timeout, want, standby)

    # -------------------------------------------------------- the log
    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return "(no log)"

    def log_tail(self, n=60):
        return "\n".join(self.log().splitlines()[-n:])

