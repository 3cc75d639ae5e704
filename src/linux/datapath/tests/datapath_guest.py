#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""datapath_test.sh inside a QEMU guest booted with Debian's kernel (bookworm:
6.1, the guest kernel we target), so that the close hook is tested.

    datapath_guest.py DP_CTL DP_TRAFFIC

Why: this machine's kernel refuses fentry programs (EPERM), so datapath-netns
skips the close hook, the program that flips a pair to the standby the moment
the VF's netdev closes.  Debian's kernel allows them.  The guest
(sfolabkit.guest) runs this machine's root read-only under TCG: the very same
script, dp_ctl, dp_traffic and sfo-traffic, only the kernel differs, which also checks that
the datapath loads and works on 6.1 (no tcx, an older verifier).  The script
runs there with SFO_EXPECT_CLOSE_HOOK=1: a close hook that does not load is a
failed case, not a skip, so this test cannot silently stop covering it.

Standard output: "# guest kernel VERSION" (from the guest's uname), then the
script's TAP lines unchanged (scripts/summarize-tests counts each case).
Standard error: our progress and the guest's console ("guest|").  Exit status:
the script's; 1 when the guest fails to boot or run it; 77 (skipped) when not
root, without QEMU or a static busybox, or in a sanitizer build.  The script
and the programs are views of the guest's own (read-only, at fixed paths): the
checkout and the build may live anywhere here, /tmp included.  The first run downloads
Debian's kernel package with apt-get (about 70 MB, kept in /var/tmp/sfo-kernel,
shared with the labs).  Python 3.11 standard library only.
"""

import os
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(HERE))))
SCRIPT = os.path.join(HERE, "datapath_test.sh")
from sfolabkit import guest
from sfolabkit.proc import LabError, sanitizer_build

SKIP = 77
BOOT_S = 120
# The whole run, boot included; below meson's timeout (600 s), so that a hung
# guest is reported (and QEMU ended) by us rather than killed by meson.  A run
# takes about 40 s under TCG on this 2-CPU machine, 105 s with both CPUs busy.
RUN_S = 480
# Prints the guest's kernel, then becomes the script ("$0" "$@").
PREAMBLE = 'echo "# guest kernel $(uname -r)"; exec "$0" "$@"'


def skip_reason(programs):
    """Why this machine cannot run the test (None: it can)."""
    if os.geteuid() != 0:
        return "needs root (network namespaces, BPF, the guest's 9p root)"
    missing = guest.missing_tools()
    if missing:
        return f"cannot boot a guest: missing {', '.join(missing)}"
    if sanitizer_build(programs[0]):
        # an instrumented build in a TCG guest is several times slower again, for no
        # coverage the plain build's run does not give (the lab-vm and vmlab policy)
        return "sanitizer build: the guest runs the plain build's datapath test"
    return None


def _on_signal(sig, _frame):
    """Unwinds through run_command's cleanup, which ends QEMU by its PID (meson
    sends SIGTERM on a timeout; QEMU is in a session of its own)."""
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)
    sys.stderr.write(f"\n{signal.Signals(sig).name}: stopping the guest\n")
    raise SystemExit(128 + sig)


def main(argv):
    if len(argv) != 3:
        print(f"usage: {sys.argv[0]} DP_CTL DP_TRAFFIC SFO_TRAFFIC", file=sys.stderr)
        return 2
    programs = [os.path.realpath(p) for p in argv]
    for path in programs:
        if not os.access(path, os.X_OK):
            print(f"{path}: not an executable program", file=sys.stderr)
            return 2
    reason = skip_reason(programs)
    if reason:
        print(f"SKIP: {reason}", flush=True)
        return SKIP
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _on_signal)
    views = {"script": HERE,
             "programs": os.path.commonpath([os.path.dirname(p) for p in programs])}
    argv = [guest.guest_path(views, p) for p in [SCRIPT] + programs]
    try:
        res = guest.run_command(["/bin/sh", "-c", PREAMBLE] + argv, views=views,
                                env={"SFO_EXPECT_CLOSE_HOOK": "1"},
                                timeout=RUN_S, boot_timeout=BOOT_S)
    except LabError as e:
        print(f"datapath_guest: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(res.stdout)
    sys.stdout.flush()
    return res.status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
