# SPDX-License-Identifier: BSD-2-Clause
"""sfo-ndis-host in a network namespace: the Windows edge's driver sources on
the NDIS emulation with real frames (src/windows/host/), driven through its
control socket (one command a connection, a JSON answer)."""

import json
import signal
import socket
import time

from sfolabkit.proc import LabError, Proc, Timeout, wait_until


class NdisHost:
    """One sfo-ndis-host: base is a path prefix for its files (base.sock, base.log,
    base.out: its JSON report at exit); spawn(argv, ns=, stdout=, stderr=, name=)
    starts a process (sfolabkit.proc.Proc by default)."""

    def __init__(self, binary, ns, base, standby="sby", tap="sfo0", spawn=None):
        self.binary, self.ns, self.standby, self.tap = binary, ns, standby, tap
        self.sock, self.log_path, self.out_path = base + ".sock", base + ".log", base + ".out"
        self.spawn = spawn or Proc
        self.proc = None
        self.exit_report = None    # its JSON report at exit (stop())

    def start(self, timeout=10.0):
        """Starts it (-v, events in base.log); returns its first status once it answers."""
        with open(self.log_path, "a") as logf, open(self.out_path, "w") as outf:
            self.proc = self.spawn([self.binary, "--standby", self.standby, "--tap", self.tap,
                                    "--control", self.sock, "--json", "-v"],
                                   ns=self.ns, stdout=outf, stderr=logf, name="sfo-ndis-host")

        def answers():
            if not self.proc.alive():
                raise LabError(f"sfo-ndis-host exited with status {self.proc.popen.returncode} "
                               f"before answering: {self.log_tail()}")
            try:
                return self.command("status")
            except LabError:
                return None

        try:
            return wait_until(answers, timeout, 0.02, "sfo-ndis-host answering")
        except Timeout:
            raise Timeout(f"sfo-ndis-host not ready within {timeout:g} s; log tail:\n"
                          f"{self.log_tail()}") from None

    def command(self, cmd, timeout=5.0):
        """The JSON answer to cmd ("status", "events", "release"); LabError when it
        cannot be asked or answers an error."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(timeout)
                s.connect(self.sock)
                s.sendall(cmd.encode() + b"\n")
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
        except OSError as e:
            raise LabError(f"sfo-ndis-host {cmd}: {e}") from None
        try:
            doc = json.loads(data)
        except ValueError:
            raise LabError(f"sfo-ndis-host {cmd}: not JSON: {data[:300]!r}") from None
        if "error" in doc:
            raise LabError(f"sfo-ndis-host {cmd}: {doc['error']}")
        return doc

    def vf(self, status=None):
        """The first VF of status (asked now if not given), None without one."""
        vfs = (status or self.command("status"))["vfs"]
        return vfs[0] if vfs else None

    def wait_vf(self, pred, timeout=5.0, what="VF condition"):
        """Polls status until pred(vf) holds for a VF; returns it."""
        def check():
            v = self.vf()
            return v if v is not None and pred(v) else None
        return wait_until(check, timeout, 0.01, what)

    def stop(self, timeout=5.0):
        """SIGTERM (the VFs unbound, the filter detached, the driver unloaded, the
        emulation's findings reported): returns its exit status (0: no NDIS rule
        broken, nothing leaked); its report in exit_report."""
        if self.proc is None:
            return None
        rc = self.proc.stop(signal.SIGTERM, timeout)
        try:
            with open(self.out_path) as f:
                self.exit_report = json.loads(f.read() or "null")
        except (OSError, ValueError):
            self.exit_report = None
        return rc

    def log_tail(self, n=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "\n".join(f.read().splitlines()[-n:])
        except OSError:
            return "(no log)"


def mono_to_lab_s(mono_ns, t0_ns):
    """A CLOCK_MONOTONIC time of its events as seconds after t0_ns (CLOCK_REALTIME)."""
    return round((mono_ns + time.time_ns() - time.monotonic_ns() - t0_ns) / 1e9, 3)


