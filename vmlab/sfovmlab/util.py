# SPDX-License-Identifier: BSD-2-Clause
"""The cleanup stack, signal handling and unix-socket connections (the rest is
in sfolabkit.proc)."""

import signal
import socket
import time

from sfolabkit.proc import progress

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
