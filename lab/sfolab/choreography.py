# SPDX-License-Identifier: BSD-2-Clause
"""The scenarios: what the hosts do to the VM, and when.

A scenario is a schedule of steps, at fixed times after the traffic starts
(time zero).  The same schedule is played against every mode; a step the
mode has nothing for (no VF to unplug in standby-only, no agent to release
in bonding) is recorded as such and takes no time.

One migration from host S to host D (scenario migrate):

    release   host S asks for the VF back (the host agent runs
              `sriov-failover release`)                  phase "release" starts
    unplug    UNPLUG_DELAY later, the VF is hot-unplugged
              (0.5 s later, or half-way to the pause:    phase "standby" starts)
    pause     PRECOPY after the unplug (RAM copy while the VM runs on the
              standby) the VM is stopped                 phase "blackout" starts
    resume    BLACKOUT later it runs on host D; host D announces its MAC (RARP)
    plug      PLUG_DELAY later a new VF with the same MAC is hot-added on
              host D                                     phase "return" starts
              SETTLE seconds of traffic follow

Phases are the intervals between the steps that start them; "steady" runs
from time zero to the first event.  The numbers of a phase (frames lost, VF
share, gaps) count what happened inside it: "blackout" includes the
switches' relearning after the resume, up to the new VF's arrival.
"""

import time

from . import util

SCENARIOS = {
    "migrate": "orderly live migration A->B: release, unplug, blackout, new VF on B",
    "surprise": "live migration A->B but the VF is yanked with no notice (no release)",
    "cancel": "release and unplug, then the migration is cancelled: the VF comes back on A",
    "flap": "the VF is removed without notice and re-added on the same host, CYCLES times",
    "pingpong": "migrate A->B->A, CYCLES round trips",
    "mtu9000": "migrate, with MTU 9000 on every link and jumbo UDP frames",
}

DEFAULT_CYCLES = {"flap": 3, "pingpong": 1}
# How long after an unplug the "release" phase goes on (then "standby"): long
# enough for every frame of the switch-over to be counted there, short enough
# to stay clear of the pause even when a busy machine makes the senders late.
RELEASE_WINDOW = 0.5


class Step:
    def __init__(self, at, what, label, action, phase=None, marker=False, after_prev=None):
        self.at = at            # seconds after time zero
        self.after_prev = after_prev  # or: seconds after the previous step completed
        self.what = what        # "release", "unplug", "pause", "resume", "plug", "cancel"
        self.label = label      # human description
        self.action = action    # callable(runner) -> detail string or None
        self.phase = phase      # (kind, name) of the phase this step starts, or None
        self.marker = marker    # only a phase boundary: nothing happens, no event


def build(scenario, p):
    """Returns (steps, duration_s) of a scenario; p holds the timing knobs
    (warmup, unplug_delay, precopy, blackout_s, plug_delay, settle, cycles)."""
    steps = []
    t = [p.warmup]
    count = {"release": 0, "standby": 0, "blackout": 0, "return": 0}

    def phase(kind, label):
        count[kind] += 1
        return (kind, label if count[kind] == 1 else f"{label} {count[kind]}")

    def add(what, label, action, ph=None, after_prev=None):
        steps.append(Step(t[0], what, label, action, ph, after_prev=after_prev))

    def on_standby():
        """After an unplug: the release phase ends RELEASE_WINDOW later (or half-way
        to the next step), the rest of the pre-copy is phase "standby"."""
        w = min(RELEASE_WINDOW, p.precopy / 2)
        if w > 0:
            steps.append(Step(t[0] + w, "standby", "the VM runs on the standby", None,
                              phase("standby", "standby"), marker=True))

    def migration(src, dst, orderly=True):
        if orderly:
            add("release", f"host {src} asks for the VF back", act_release,
                phase("release", "release"))
            t[0] += p.unplug_delay
            add("unplug", f"VF unplugged from host {src}", act_unplug)
        else:
            add("unplug", f"VF yanked from host {src}, no notice", act_unplug,
                phase("release", "unplug"))
        on_standby()
        t[0] += p.precopy
        add("pause", "VM paused (blackout)", act_pause(dst), phase("blackout", "blackout"))
        t[0] += p.blackout_s
        # BLACKOUT after the pause completed: ip(8) may wait for the RTNL lock, and
        # the VM must be paused at least as long as asked.
        add("resume", f"VM runs on host {dst}, host {dst} announces its MAC", act_resume(dst),
            after_prev=p.blackout_s)
        t[0] += p.plug_delay
        add("plug", f"new VF hot-added on host {dst}", act_plug(dst), phase("return", "return"))
        t[0] += p.settle

    if scenario in ("migrate", "mtu9000"):
        migration("A", "B")
    elif scenario == "surprise":
        migration("A", "B", orderly=False)
    elif scenario == "cancel":
        add("release", "host A asks for the VF back", act_release, phase("release", "release"))
        t[0] += p.unplug_delay
        add("unplug", "VF unplugged from host A", act_unplug)
        on_standby()
        t[0] += p.precopy
        add("cancel", "migration cancelled: the VM stays on host A", None)
        t[0] += p.plug_delay
        add("plug", "the VF is hot-added again on host A", act_plug("A"),
            phase("return", "return"))
        t[0] += p.settle
    elif scenario == "flap":
        for _ in range(p.cycles):
            add("unplug", "VF removed, no notice", act_unplug, phase("release", "unplug"))
            t[0] += p.plug_delay
            add("plug", "VF re-added on host A", act_plug("A"), phase("return", "return"))
            t[0] += p.settle
    elif scenario == "pingpong":
        for _ in range(p.cycles):
            migration("A", "B")
            migration("B", "A")
    else:
        raise ValueError(f"unknown scenario {scenario!r}")
    return steps, t[0]


# ------------------------------------------------------------------ actions
# Each takes the Runner; returns a detail string for the record (None: done).

def act_release(r):
    if r.topo.vf is None:
        return "skipped: no VF in this mode"
    return r.mode.release()


def act_unplug(r):
    if r.topo.vf is None:
        return "skipped: no VF in this mode"
    where = r.topo.vf["host"]
    r.topo.del_vf()
    r.mode.vf_removed()
    return f"vf0 deleted (host {where})"


def act_pause(dst):
    def act(r):
        src = r.topo.backend_host
        r.effect_ns = r.topo.pause(dst)
        return f"backend leg to host {src} down"
    return act


def act_resume(h):
    def act(r):
        r.effect_ns = r.topo.resume()
        r.topo.announce()
        return f"backend leg to host {h} up, RARP x5 from host {h}"
    return act


def act_plug(h):
    def act(r):
        if not r.mode.uses_vf:
            return "skipped: no VF in this mode"
        vf = r.topo.add_vf(h)
        r.effect_ns = vf["appeared_ns"]
        r.mode.vf_added()
        return f"vf0 (host end {vf['host_end']} on host {h})"
    return act


# ------------------------------------------------------------------ runner

class Runner:
    """Plays a schedule against one topology and mode; records every step."""

    def __init__(self, topo, mode, steps, progress=None):
        self.topo, self.mode, self.steps = topo, mode, steps
        self.progress = progress or (lambda *_: None)
        self.events = []    # {"t_s", "end_s", "what", "label", "detail"[, "effect_s"]}
        self.phases = []    # {"kind", "name", "start_s"}
        self.effect_ns = None  # set by an action: when what it did took effect

    def play(self, t0_ns, t0_mono, duration):
        self.phases.append({"kind": "steady", "name": "steady", "start_s": 0.0})
        prev_end = t0_mono
        for st in self.steps:
            deadline = t0_mono + st.at if st.after_prev is None else prev_end + st.after_prev
            while True:
                left = deadline - time.monotonic()
                self.progress(deadline - left - t0_mono, duration,
                              f"next: {st.label}")
                if left <= 0:
                    break
                time.sleep(min(left, 0.25))
            if st.marker:
                self.phases.append({"kind": st.phase[0], "name": st.phase[1],
                                    "start_s": round((util.now_ns() - t0_ns) / 1e9, 4)})
                continue
            ts = util.now_ns()
            self.effect_ns = None
            detail = st.action(self) if st.action else None
            te = util.now_ns()
            prev_end = time.monotonic()
            ev = {"t_s": round((ts - t0_ns) / 1e9, 4), "end_s": round((te - t0_ns) / 1e9, 4),
                  "what": st.what, "label": st.label, "detail": detail}
            if self.effect_ns is not None:
                ev["effect_s"] = round((self.effect_ns - t0_ns) / 1e9, 4)
            self.events.append(ev)
            if st.phase:
                # From the step's start: what it causes happens after (it may take
                # effect only near its end: ip(8) can wait for the RTNL lock).
                self.phases.append({"kind": st.phase[0], "name": st.phase[1],
                                    "start_s": ev["t_s"]})
            self.progress(time.monotonic() - t0_mono, duration, st.label)
        end = t0_mono + duration
        while time.monotonic() < end:
            self.progress(time.monotonic() - t0_mono, duration, "settling")
            time.sleep(min(0.25, max(0.0, end - time.monotonic())))
        for i, ph in enumerate(self.phases):
            ph["end_s"] = self.phases[i + 1]["start_s"] if i + 1 < len(self.phases) \
                else round(duration, 4)
        return self.events, self.phases
