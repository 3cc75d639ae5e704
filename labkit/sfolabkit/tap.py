# SPDX-License-Identifier: BSD-2-Clause
"""TAP output of the check scripts (meson's `protocol: 'tap'`): the plan, one
line per test point, and an exit status that says whether every point passed.
The "catches" scripts read a checker's output back with failed_points()."""


class Run:
    """Test points numbered in the order they are reported."""

    def __init__(self, count):
        print(f"1..{count}", flush=True)
        self.n = 0
        self.all_ok = True

    def point(self, ok, what, diagnostics=()):
        """Reports one test point (and diagnostic lines under it); returns ok."""
        ok = bool(ok)
        self.n += 1
        self.all_ok &= ok
        print(f"{'ok' if ok else 'not ok'} {self.n} - {what}", flush=True)
        for line in diagnostics:
            print(f"# {line}")
        return ok

    def status(self):
        return 0 if self.all_ok else 1


def report(results):
    """Prints a list of (ok, what) as TAP; returns the exit status."""
    run = Run(len(results))
    for ok, what in results:
        run.point(ok, what)
    return run.status()


def failed_points(output):
    """The "not ok" lines of a TAP output."""
    return [line for line in output.splitlines() if line.startswith("not ok")]
