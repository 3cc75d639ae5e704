# SPDX-License-Identifier: BSD-2-Clause
"""Processes the lab starts, and the cleanup registry (commands, errors and
waiting are sfolabkit.proc's; re-exported here for the lab's modules).

Everything the lab creates is registered here the moment it exists: network
namespaces (by name) and processes (by PID).  cleanup() ends those processes,
by PID only, then deletes those namespaces; it runs on normal exit, on
failure, and from the SIGINT/SIGTERM/SIGHUP handlers installed by the CLI.
"""

import os
import signal
import subprocess
import sys
import time

from sfolabkit.proc import LabError, kill_running, run, stop_process, wait_until  # noqa: F401

_namespaces = []   # names, in creation order
_procs = []        # Proc, in start order
_finally = []      # callables run last by cleanup() (e.g. removing the work directory)
_cleaning = [False]


def now_ns():
    """The lab's clock: CLOCK_REALTIME in ns, the clock sfo-traffic reports its run
    start in (start_unix_ns), so that every timeline lines up."""
    return time.time_ns()


# ------------------------------------------------------------------ namespaces

def netns_add(name):
    run(["ip", "netns", "add", name])
    _namespaces.append(name)


def netns_del(name):
    subprocess.run(["ip", "netns", "del", name], capture_output=True)
    if name in _namespaces:
        _namespaces.remove(name)


# ------------------------------------------------------------------ processes

class Proc:
    """A process started by the lab, directly or through `ip netns exec NS` (which
    execs: the PID is the program's).  Its own session, so a Ctrl-C on the terminal
    reaches the lab only, and the lab ends it."""

    def __init__(self, argv, ns=None, stdout=None, stderr=None, stdin=None, name=None):
        self.argv = (["ip", "netns", "exec", ns] if ns else []) + list(argv)
        self.name = name or os.path.basename(argv[0])
        self.popen = subprocess.Popen(
            self.argv, stdout=stdout, stderr=stderr,
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            start_new_session=True)
        self.pid = self.popen.pid
        _procs.append(self)

    def alive(self):
        return self.popen.poll() is None

    def send(self, sig):
        if self.alive():
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def wait(self, timeout):
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=signal.SIGTERM, timeout=5.0):
        """Sends sig, waits up to timeout, then SIGKILL; returns the exit status."""
        stop_process(self.popen, sig, timeout)
        for f in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if f is not None:
                try:
                    f.close()
                except OSError:
                    pass
        if self in _procs:
            _procs.remove(self)
        return self.popen.returncode


# ------------------------------------------------------------------ cleanup

def cleanup():
    """Ends every process the lab started (by PID) and deletes every namespace it
    created.  Idempotent; safe from a signal handler."""
    if _cleaning[0]:
        return
    _cleaning[0] = True
    try:
        kill_running()
        for p in reversed(list(_procs)):
            try:
                p.stop(signal.SIGTERM, 3.0)
            except Exception:  # noqa: BLE001 - cleanup goes on
                pass
        for ns in reversed(list(_namespaces)):
            netns_del(ns)
        while _finally:
            try:
                _finally.pop()()
            except Exception:  # noqa: BLE001
                pass
    finally:
        _cleaning[0] = False


def at_cleanup(fn):
    """Runs fn() at the end of cleanup(), also on a signal."""
    _finally.append(fn)


def install_signal_handlers(on_signal=None):
    """SIGINT/SIGTERM/SIGHUP: clean up, then exit 128+signal."""
    def handler(sig, _frame):
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)  # a second Ctrl-C must not cut cleanup short
        name = signal.Signals(sig).name
        try:
            sys.stderr.write(f"\n{name}: cleaning up\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001
            pass
        if on_signal:
            try:
                on_signal()
            except Exception:  # noqa: BLE001
                pass
        cleanup()
        os._exit(128 + sig)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)
