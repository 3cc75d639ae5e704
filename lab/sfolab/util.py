# SPDX-License-Identifier: BSD-2-Clause
"""Processes the lab starts, and the cleanup (commands, errors and waiting are
sfolabkit.proc's, namespaces sfolabkit.netns's).

Everything the lab creates is registered the moment it exists: processes (by
PID) here, network namespaces (by name) in sfolabkit.netns.  cleanup() ends
those processes, by PID only, then deletes those namespaces; it runs on normal
exit, on failure, and from the SIGINT/SIGTERM/SIGHUP handlers installed by the
CLI.
"""

import os
import signal
import sys
import time

from sfolabkit import netns
from sfolabkit import proc as kitproc
from sfolabkit.proc import kill_running

_procs = []        # Proc, in start order
_finally = []      # callables run last by cleanup() (e.g. removing the work directory)
_cleaning = [False]


def now_ns():
    """The lab's clock: CLOCK_REALTIME in ns, the clock sfo-traffic reports its run
    start in (start_unix_ns), so that every timeline lines up."""
    return time.time_ns()


# ------------------------------------------------------------------ processes

class Proc(kitproc.Proc):
    """A process the lab started (see sfolabkit.proc.Proc), registered for
    cleanup() from the moment it exists until it is stopped."""

    def __init__(self, argv, ns=None, stdout=None, stderr=None, stdin=None, name=None):
        super().__init__(argv, ns, stdout, stderr, stdin, name)
        _procs.append(self)

    def stop(self, sig=signal.SIGTERM, timeout=5.0):
        rc = super().stop(sig, timeout)
        if self in _procs:
            _procs.remove(self)
        return rc


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
        netns.delete_all()
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
