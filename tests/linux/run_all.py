#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Runs every integration test file against a build directory, one after the other.

usage: run_all.py BUILDDIR [NAME ...]     (NAME: arrival, datapath, ... default all)

Same as `meson test -C BUILDDIR --suite integration`, for a tree whose top-level
meson.build does not include tests/linux yet.  Exit status 0 if every file
passed or was skipped, 1 otherwise.
"""

import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ORDER = ["topology", "arrival", "datapath", "removal", "carrier", "mtu", "restart", "policy",
         "counters", "cli"]


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    build = sys.argv[1]
    names = sys.argv[2:] or ORDER
    child = [None]

    def forward(sig, _frame):
        if child[0] and child[0].poll() is None:
            child[0].send_signal(sig)
            child[0].wait()
        sys.exit(128 + sig)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    results = []
    t_all = time.monotonic()
    for name in names:
        path = os.path.join(HERE, f"test_{name}.py")
        t0 = time.monotonic()
        print(f"===== {name} =====", flush=True)
        child[0] = subprocess.Popen([sys.executable, "-B", path, "--build", build])
        rc = child[0].wait()
        results.append((name, rc, time.monotonic() - t0))
    print("\n===== summary =====")
    for name, rc, secs in results:
        verdict = {0: "PASS", 77: "SKIP"}.get(rc, f"FAIL (exit {rc})")
        print(f"{name:10s} {verdict:16s} {secs:6.1f} s")
    print(f"total {time.monotonic() - t_all:.1f} s")
    return 0 if all(rc in (0, 77) for _, rc, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
