# SPDX-License-Identifier: BSD-2-Clause
"""sfo-lab --in-vm: the same run inside a QEMU guest booted with Debian's own
kernel, for kernels that lack what a mode needs (the bonding driver).

The guest runs this machine's root read-only (sfolabkit.guest), so it runs the
very same sfo-lab, Python and build; only the kernel differs.  The checkout
and the build directory are views of the guest's own (read-only, at fixed
paths), so they may live anywhere here, /tmp included.  The output directory is
shared writable at the same path: results.json, timeline.svg and
the daemon's logs land where a normal run puts them, and the paths the table
prints are valid here.  The guest's standard output (the table or the JSON) is
printed on ours and its exit status is ours; its progress comes on standard
error, marked "guest|".
"""

import collections
import os
import signal
import sys

from sfolabkit import guest
from sfolabkit.proc import LabError, progress

from . import choreography

# The checkout: sfo-lab and the Python packages it imports (lab/, labkit/).
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
LAB = os.path.join("lab", "sfo-lab")
BOOT_S = 120          # the guest up (about 10 s here)
# Under TCG the guest is about ten times slower than this machine: a run's
# setup (some hundred ip/tc commands) and teardown take most of its time.
RUN_FIXED_S = 150
RUN_FACTOR = 3


def views(build_dir):
    """What the guest sees read-only at paths of its own: the checkout, the build."""
    return {"checkout": TOP, "build": build_dir}


def guest_argv(argv, outdir):
    """The same command line, minus --in-vm (or an abbreviation argparse would
    take for it), with the absolute --out (shared at the same path) and the
    build's view as --build-dir (last wins)."""
    rest = [x for x in argv if not (len(x) > 3 and "--in-vm".startswith(x))]
    return [guest.view_path("checkout", LAB)] + rest + [
        "--out", outdir, "--build-dir", guest.view_path("build")]


def timeout_s(a):
    """Generous: every run's planned traffic times RUN_FACTOR, plus what its waits
    may add (up to the traffic's bound), plus RUN_FIXED_S each."""
    steps, planned = choreography.build(a.scenario, a)
    waits = choreography.traffic_bound(steps, planned) - planned
    runs = len(a.mode_list) * a.repetitions
    return BOOT_S + runs * (RUN_FIXED_S + RUN_FACTOR * planned + waits)


def _on_signal(sig, _frame):
    """Unwinds through run_command's cleanup, which ends QEMU by its PID."""
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)
    sys.stderr.write(f"\n{signal.Signals(sig).name}: stopping the guest\n")
    raise SystemExit(128 + sig)


def main(argv, a, build_dir):
    """Runs sfo-lab's command line argv (parsed as a) in the guest; returns the exit
    status."""
    missing = guest.missing_tools()
    if missing:
        print(f"sfo-lab: --in-vm: missing {', '.join(missing)}", file=sys.stderr)
        return 2
    outdir = os.path.abspath(a.out)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _on_signal)
    last = collections.deque(maxlen=40)   # with --quiet: shown on failure only
    console = last.append if a.quiet else guest.console_to_stderr
    log = (lambda _msg: None) if a.quiet else progress
    try:
        res = guest.run_command(guest_argv(argv, outdir), shares=[outdir],
                                views=views(build_dir), cwd=os.getcwd(),
                                timeout=timeout_s(a), boot_timeout=BOOT_S, log=log,
                                console=console)
    except LabError as e:
        for line in last:
            print("guest| " + line, file=sys.stderr)
        print(f"sfo-lab: --in-vm: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(res.stdout)
    sys.stdout.flush()
    if res.status != 0:
        for line in last:
            print("guest| " + line, file=sys.stderr)
    return res.status
