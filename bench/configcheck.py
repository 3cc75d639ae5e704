#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Time `sriov-failoverd --check-config` (the loader and parser a SIGHUP reload runs) on
configurations of 1/8, 1/4, 1/2 and all of the largest file there can be: 1 MiB of
18-byte [standby xNNNNNN] sections, 58254 of them.  The smallest is the baseline measured
in the same run: a linear parser takes about 2x, 4x, 8x its time; the quadratic one
before it took about 4x, 16x, 64x.

Best of --reps runs each (process start-up included, so the ratios understate a linear
parser's at the small end).  Needs no root.  Exit status 0 when measured, 1 on an error
(a check that failed or ran over --timeout), 2 on a usage error.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

FILE_MAX = 1024 * 1024
SECTION = 18  # len("[standby x000000]\n")
HEAD = "[global]\nvf-drivers = veth\n"


def write_conf(path, n):
    with open(path, "w") as f:
        f.write(HEAD)
        f.writelines(f"[standby x{i:06d}]\n" for i in range(n))


def best_of(daemon, path, reps, timeout):
    best = None
    for _ in range(reps):
        t0 = time.perf_counter()
        r = subprocess.run([daemon, "--check-config", "--config", path], capture_output=True,
                           text=True, timeout=timeout)
        dt = time.perf_counter() - t0
        if r.returncode != 0:
            raise RuntimeError(f"--check-config {path}: exit {r.returncode}: {r.stderr.strip()}")
        best = dt if best is None else min(best, dt)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--build", default=os.environ.get("SFO_BUILD", os.path.join(top, "build")),
                    help="build directory (default $SFO_BUILD, else the checkout's build/)")
    ap.add_argument("--reps", type=int, default=5, help="runs per size, best kept (5)")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds one check may take (120)")
    a = ap.parse_args()
    daemon = os.path.join(a.build, "src/linux/daemon/sriov-failoverd")
    if not os.access(daemon, os.X_OK):
        print(f"error: {daemon} not built", file=sys.stderr)
        return 1
    full = (FILE_MAX - len(HEAD)) // SECTION
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # the temporary files go too
        signal.signal(sig, lambda s, _f: sys.exit(128 + s))
    tmp = tempfile.mkdtemp(prefix=f"sfo-bn-{os.getpid()}.")
    try:
        base = None
        print(f"{'sections':>9} {'bytes':>8} {'best ms':>9} {'ns/section':>11} {'x baseline':>11}")
        for div in (8, 4, 2, 1):
            n = full // div
            path = os.path.join(tmp, f"c{n}.conf")
            write_conf(path, n)
            t = best_of(daemon, path, a.reps, a.timeout)
            base = base or t
            print(f"{n:>9} {os.path.getsize(path):>8} {t * 1000:>9.1f} {t * 1e9 / n:>11.0f} "
                  f"{t / base:>11.2f}", flush=True)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
