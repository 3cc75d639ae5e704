# SPDX-License-Identifier: BSD-2-Clause
"""Progress lines, command helpers and the cleanup stack."""

import os
import signal
import socket
import subprocess
import sys
import time

T0 = time.time()


def progress(msg):
    """One progress line on standard error, with the time since start."""
    print("[%7.1fs] %s" % (time.time() - T0, msg), file=sys.stderr, flush=True)


class LabError(Exception):
    """A step of the lab failed; the message says which and why."""


def run(cmd, check=True, capture=True, timeout=120, **kw):
    """Run a command, return CompletedProcess; raise LabError if check and it fails."""
    try:
        cp = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE if capture else None,
                            stderr=subprocess.PIPE if capture else None,
                            text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        raise LabError("timed out after %ss: %s" % (timeout, " ".join(cmd))) from e
    except FileNotFoundError as e:
        raise LabError("missing program: %s" % cmd[0]) from e
    if check and cp.returncode != 0:
        raise LabError("%s failed (%d): %s" % (" ".join(cmd), cp.returncode,
                                              (cp.stderr or cp.stdout or "").strip()[-800:]))
    return cp


def stop_process(proc, sig=signal.SIGTERM, timeout=10.0):
    """End one process we started, by its PID: sig, then SIGKILL after timeout."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.kill(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
        return
    except subprocess.TimeoutExpired:
        pass
    try:
        os.kill(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


class Cleanup:
    """Stack of undo actions, run last-in first-out, each at most once."""

    def __init__(self):
        self._actions = []

    def push(self, desc, fn):
        entry = [desc, fn]
        self._actions.append(entry)
        return entry

    def done(self, entry):
        """The action of entry was carried out by its owner: forget it."""
        try:
            self._actions.remove(entry)
        except ValueError:
            pass

    def depth(self):
        return len(self._actions)

    def run(self, to=0):
        """Run the actions pushed since depth `to` (all by default)."""
        while len(self._actions) > to:
            desc, fn = self._actions.pop()
            try:
                fn()
            except Exception as e:  # keep cleaning up
                progress("cleanup: %s failed: %s" % (desc, e))


def install_signal_handlers():
    """SIGINT, SIGTERM and SIGHUP end the run (KeyboardInterrupt), so that the
    cleanup in the finally blocks runs."""
    def handler(signum, _frame):
        raise KeyboardInterrupt("signal %d" % signum)
    # SIGINT too: a shell without job control starts background jobs with SIGINT
    # ignored, and Python then never raises KeyboardInterrupt
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)


def connect_unix(path, timeout):
    """Connects a stream socket to the unix socket at path, retrying every 0.1 s
    while QEMU has not created it yet. Returns the socket, or None at the deadline."""
    end = time.time() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except OSError:
            sock.close()
            if time.time() > end:
                return None
            time.sleep(0.1)
