# SPDX-License-Identifier: BSD-2-Clause
"""Command channel to the guest over its second serial port (ttyS1).

The guest runs a shell that reads one command line at a time from ttyS1 (raw,
no echo). Each command is wrapped as

    echo @@B<tag>; { CMD ; } </dev/null 2>&1; echo @@E<tag> $?

and the answer is what lies between the two markers, with the exit status after
the end marker. Tags are unique, so late output of an earlier command that timed
out is never taken for the answer to a later one. The kernel console (ttyS0)
stays separate, so kernel messages never mix with answers.

Under TCG the emulated 16550's receive-timeout interrupt does not always fire:
bytes below the FIFO trigger level can sit in the FIFO until more arrive. Every
command is therefore followed by empty lines, which the guest's shell ignores,
and more empty lines follow every 2 s while the answer is missing.
"""

import re
import select
import time

from . import util

PAD = "\n" * 16
NUDGE_S = 2.0


class ChannelError(Exception):
    pass


class GuestChannel:
    def __init__(self, path, name, log=None, timeout=30.0):
        self.name = name
        self.log = log
        self.n = 0
        self.buf = b""
        self.sock = util.connect_unix(path, timeout)
        if self.sock is None:
            raise ChannelError("%s: cannot connect to %s" % (name, path))
        self.sock.setblocking(False)

    def _recv(self, deadline):
        rem = deadline - time.time()
        if rem <= 0:
            return False
        r, _, _ = select.select([self.sock], [], [], min(rem, 0.2))
        if r:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return True
            if not data:
                raise ChannelError("%s: channel closed" % self.name)
            self.buf += data
        return True

    def run(self, command, timeout=30.0, check=False):
        """Run a shell command line in the guest; returns (exit status, output)."""
        self.n += 1
        tag = "%d_%d" % (int(time.time() * 1000) % 100000000, self.n)
        line = 'echo @@B""%s; { %s ; } </dev/null 2>&1; echo @@E""%s $?\n' % (tag, command, tag)
        # drop whatever is left from before
        while True:
            r, _, _ = select.select([self.sock], [], [], 0)
            if not r:
                break
            try:
                if not self.sock.recv(65536):
                    raise ChannelError("%s: channel closed" % self.name)
            except BlockingIOError:
                break
        self.buf = b""
        t0 = time.time()
        self.sock.sendall((line + PAD).encode())
        end_re = re.compile(rb"@@E%s (\d+)\r?\n" % tag.encode())
        deadline = t0 + timeout
        nudge = t0 + NUDGE_S
        nudges = 0
        while True:
            m = end_re.search(self.buf)
            if m:
                break
            if time.time() > nudge:
                # no answer yet: more empty lines push whatever sits below the
                # receive FIFO's trigger level through (harmless if the command
                # is merely slow: the shell reads them afterwards as no-ops)
                self.sock.sendall(PAD.encode())
                nudges += 1
                nudge = time.time() + NUDGE_S
            if not self._recv(deadline):
                if self.log:
                    self.log.write("%.6f %s TIMEOUT %s; received: %r\n"
                                   % (time.time(), self.name, command, self.buf[-300:]))
                raise ChannelError("%s: no answer in %.0fs to: %s" % (self.name, timeout, command))
        begin = self.buf.find(b"@@B%s\n" % tag.encode())
        start = begin + len(tag) + 4 if begin >= 0 else 0
        out = self.buf[start:m.start()].decode(errors="replace").replace("\r", "")
        rc = int(m.group(1))
        if self.log:
            self.log.write("%.6f %s [%.3fs rc=%d%s] %s\n%s" % (
                time.time(), self.name, time.time() - t0, rc,
                " nudged %d" % nudges if nudges else "", command,
                "".join("    " + ln + "\n" for ln in out.splitlines()[:40])))
            self.log.flush()
        if check and rc != 0:
            raise ChannelError("%s: '%s' failed (%d): %s" % (self.name, command, rc, out.strip()[-500:]))
        return rc, out

    def wait_ready(self, timeout, alive=None):
        """Wait until the guest's shell answers; alive() is checked between tries."""
        end = time.time() + timeout
        while time.time() < end:
            if alive is not None and not alive():
                raise ChannelError("%s: QEMU exited while waiting for the guest" % self.name)
            try:
                rc, out = self.run("echo ok", timeout=3)
                if rc == 0 and "ok" in out:
                    return
            except ChannelError as e:
                if "closed" in str(e):
                    raise
        raise ChannelError("%s: guest did not answer on its command channel within %.0fs"
                           % (self.name, timeout))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
