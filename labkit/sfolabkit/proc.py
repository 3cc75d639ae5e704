# SPDX-License-Identifier: BSD-2-Clause
"""Commands, processes by PID, the labs' error type and progress lines."""

import os
import signal
import subprocess
import sys
import time

T0 = time.time()
_running = set()   # Popen of run() commands in progress


class LabError(Exception):
    """A step of a lab failed; the message says which and why."""


class Timeout(LabError, TimeoutError):
    """A condition was not reached in time (wait_until)."""


def progress(msg):
    """One progress line on standard error, with the time since start."""
    print("[%7.1fs] %s" % (time.time() - T0, msg), file=sys.stderr, flush=True)


def run(argv, check=True, timeout=120, input=None, capture=True, cwd=None):
    """Runs a command and returns the CompletedProcess; raises LabError when check is
    true and it failed, or when it does not end within timeout seconds.  The child
    is registered while it runs, so that kill_running() (from a signal handler)
    ends it too."""
    pipe = subprocess.PIPE if capture else None
    try:
        p = subprocess.Popen(argv, stdin=subprocess.PIPE if input is not None else
                             subprocess.DEVNULL, stdout=pipe, stderr=pipe, text=True, cwd=cwd)
    except FileNotFoundError as e:
        raise LabError(f"{argv[0]}: not found") from e
    _running.add(p)
    try:
        out, err = p.communicate(input=input, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        p.kill()
        p.communicate()
        raise LabError(f"{' '.join(argv)}: no answer within {timeout:g} s") from e
    except BaseException:
        p.kill()
        p.wait()
        raise
    finally:
        _running.discard(p)
    r = subprocess.CompletedProcess(argv, p.returncode, out, err)
    if check and r.returncode != 0:
        why = (err or out or "").strip()[-800:]
        raise LabError(f"{' '.join(argv)}: exit {r.returncode}: {why}")
    return r


def kill_running():
    """Kills the commands run() is waiting for (for a signal handler)."""
    for p in list(_running):
        try:
            p.kill()
        except OSError:
            pass


def wait_until(pred, timeout, interval=0.01, what="condition"):
    """Polls pred() until it returns a true value (returned) or timeout passes
    (Timeout naming what; pred is tried one last time at the deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise Timeout(f"{what}: not reached within {timeout:g} s")
        time.sleep(interval)


def wait_ready_file(path, proc, timeout=5.0):
    """Waits until proc (a Proc: a receiver started with `--ready-file path`) has
    created path; returns its content (the address it listens on).  LabError when
    proc exits first, Timeout when the file does not come within timeout seconds."""
    def ready():
        if not proc.alive():
            raise LabError(f"{proc.name} exited with status {proc.popen.returncode} before "
                           "it was ready")
        return os.path.exists(path)

    wait_until(ready, timeout, 0.005, f"{proc.name} ready ({path})")
    with open(path) as f:
        return f.read().strip()


def stop_process(proc, sig=signal.SIGTERM, timeout=10.0):
    """Ends one process we started (a Popen), by its PID: sig, then SIGKILL after
    timeout.  Returns its exit status."""
    if proc is None:
        return None
    for s, t in ((sig, timeout), (signal.SIGKILL, 5.0)):
        if proc.poll() is not None:
            break
        try:
            os.kill(proc.pid, s)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=t)
        except subprocess.TimeoutExpired:
            pass
    return proc.poll()


def argv_in(ns, argv):
    """argv run inside network namespace ns (`ip netns exec NS`, which execs: the PID
    is the program's); ns None: here."""
    return (["ip", "netns", "exec", ns] if ns else []) + list(argv)


class Proc:
    """A process we start, directly or through `ip netns exec NS` (which execs:
    the PID is the program's).  Its own session, so that a Ctrl-C on the
    terminal reaches only us, and we end it, by its PID."""

    def __init__(self, argv, ns=None, stdout=None, stderr=None, stdin=None, name=None,
                 text=False):
        self.argv = argv_in(ns, argv)
        self.name = name or os.path.basename(argv[0])
        self.popen = subprocess.Popen(
            self.argv, stdout=stdout, stderr=stderr,
            stdin=stdin if stdin is not None else subprocess.DEVNULL, text=text,
            start_new_session=True)
        self.pid = self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def send(self, sig):
        if self.alive():
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def wait(self, timeout):
        """The exit status, or None if it still runs after timeout seconds."""
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=signal.SIGTERM, timeout=5.0):
        """Sends sig, waits up to timeout, then SIGKILL; closes our ends of its
        pipes; returns the exit status."""
        rc = stop_process(self.popen, sig, timeout)
        self.close_pipes()
        return rc

    def close_pipes(self):
        for f in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if f is not None:
                try:
                    f.close()
                except OSError:
                    pass


def processes_with(what, item):
    """PIDs of the processes whose /proc/PID/<what> ("cmdline" or "environ"), split
    at its NUL bytes, holds item (bytes): how tests find what a run left behind."""
    out = set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/{what}", "rb") as f:
                if item in f.read().split(b"\0"):
                    out.add(int(d))
        except OSError:
            pass
    return out


def sanitizer_build(program):
    """Whether program is linked with AddressSanitizer or UBSan (ldd): its runs
    are several times slower, which the tests' timing and guest runs allow for."""
    r = subprocess.run(["ldd", program], capture_output=True, text=True)
    return "libasan" in r.stdout or "libubsan" in r.stdout
