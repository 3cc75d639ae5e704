# SPDX-License-Identifier: BSD-2-Clause
"""A small QMP client: a reader thread collects every event with QEMU's own
timestamp (host real time), commands wait for their reply."""

import json
import queue
import socket
import threading
import time

from . import util


class QMPError(Exception):
    pass


class QMP:
    def __init__(self, path, name, log=None, timeout=30.0):
        self.name = name
        self.log = log
        self.events = []          # (host time, event dict)
        self.closed = False
        self._cond = threading.Condition()
        self._replies = queue.Queue()
        self._lock = threading.Lock()
        self.sock = util.connect_unix(path, timeout)
        if self.sock is None:
            raise QMPError("%s: cannot connect to QMP at %s" % (name, path))
        self._rfile = self.sock.makefile("rb")
        greeting = self._rfile.readline()
        if not greeting:
            raise QMPError("%s: QMP closed before the greeting" % name)
        self._thread = threading.Thread(target=self._reader, daemon=True)
        self._thread.start()
        self.cmd("qmp_capabilities")

    def _write_log(self, text):
        if self.log:
            self.log.write("%.6f %s %s\n" % (time.time(), self.name, text))
            self.log.flush()

    def _reader(self):
        try:
            for line in self._rfile:
                t = time.time()
                try:
                    m = json.loads(line)
                except ValueError:
                    continue
                if "event" in m:
                    # QEMU stamps each event with the host's real time when it
                    # emits it: more exact than our arrival time under load
                    ts = m.get("timestamp") or {}
                    if ts.get("seconds", -1) > 0:
                        t = ts["seconds"] + ts.get("microseconds", 0) / 1e6
                    self._write_log("EVENT %s %s" % (m["event"], json.dumps(m.get("data", {}))))
                    with self._cond:
                        self.events.append((t, m))
                        self._cond.notify_all()
                else:
                    self._replies.put(m)
        except (OSError, ValueError):
            pass
        self.closed = True
        self._replies.put(None)
        with self._cond:
            self._cond.notify_all()

    def cmd(self, execute, timeout=60.0, **args):
        msg = {"execute": execute}
        if args:
            msg["arguments"] = args
        with self._lock:
            if self.closed:
                raise QMPError("%s: QMP closed (%s)" % (self.name, execute))
            self._write_log("-> %s" % json.dumps(msg))
            try:
                self.sock.sendall((json.dumps(msg) + "\n").encode())
            except OSError as e:
                raise QMPError("%s: %s: %s" % (self.name, execute, e)) from e
            try:
                r = self._replies.get(timeout=timeout)
            except queue.Empty as e:
                raise QMPError("%s: no reply to %s in %ss" % (self.name, execute, timeout)) from e
        if r is None:
            raise QMPError("%s: QMP closed during %s" % (self.name, execute))
        if "error" in r:
            self._write_log("<- ERROR %s" % json.dumps(r["error"]))
            raise QMPError("%s: %s: %s" % (self.name, execute, r["error"].get("desc")))
        return r.get("return")

    def find_event(self, name, since=0.0, pred=None):
        with self._cond:
            for t, e in self.events:
                if t >= since and e["event"] == name and (pred is None or pred(e.get("data", {}))):
                    return t, e
        return None

    def wait_event(self, name, timeout, since=0.0, pred=None):
        """(host time, event) of the first event name at or after since, or None."""
        end = time.time() + timeout
        with self._cond:
            while True:
                for t, e in self.events:
                    if t >= since and e["event"] == name and (pred is None or pred(e.get("data", {}))):
                        return t, e
                rem = end - time.time()
                if rem <= 0 or self.closed:
                    return None
                self._cond.wait(min(rem, 0.5))

    def migration_status_time(self, status, since=0.0):
        r = self.find_event("MIGRATION", since, lambda d: d.get("status") == status)
        return r[0] if r else None

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
