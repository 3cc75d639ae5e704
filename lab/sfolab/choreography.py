# SPDX-License-Identifier: BSD-2-Clause
"""The scenarios: what the hosts do to the VM, and when.

A scenario is a schedule of steps, each a given time after the previous one
completed (the first after the warmup, from time zero: the traffic's start).
The same schedule is played against every mode; a step the mode has nothing
for (no VF to unplug in standby-only, no agent to release in bonding) is
recorded as such and takes no time.  A late step (a busy machine, a TCG guest:
ip(8) waits for the RTNL lock) delays the steps after it instead of eating
into the phases they start, and the run lasts as long as the schedule needs:
the traffic runs until the last step's phase is over.

A hot-added VF's phase measures the VF once it carries the traffic: the plug
step waits (up to EVENT_TIMEOUT_S) until the guest has sent through the new VF
at least CARRYING_S worth of its UDP rate, then the next delay (SETTLE, or
the next step's) starts.  A mode that never moves to the VF waits the bound
and says so in the step's detail.

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
    port      with --port-delay, PORT_DELAY later host D's switch port of the
              new VF starts forwarding (until then the VF has carrier but its
              frames go nowhere: a port still learning, a representor not yet
              in the vswitch)
              SETTLE seconds of traffic follow

Phases are the intervals between the steps that start them; "steady" runs
from time zero to the first event.  The numbers of a phase (frames lost, VF
share, gaps) count what happened inside it: "blackout" includes the
switches' relearning after the resume, up to the new VF's arrival.
"""

import time

from sfolabkit.proc import LabError

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
# The bound on a step's wait for what it causes (a new VF carrying traffic);
# under TCG a daemon takes a VF in about a second, a busy machine adds more.
EVENT_TIMEOUT_S = 20.0
# "Carrying": the guest sent through the new VF this long worth of its UDP rate.
CARRYING_S = 0.02
CARRYING_MIN = 3


class Step:
    def __init__(self, at, after_prev, what, label, action, phase=None, marker=False,
                 wait=None):
        self.at = at            # planned: seconds after time zero if nothing is late
        self.after_prev = after_prev  # seconds after the previous step completed
        self.what = what        # "release", "unplug", "pause", "resume", "plug", "port",
                                # "cancel"
        self.label = label      # human description
        self.action = action    # callable(runner) -> detail string or None
        self.phase = phase      # (kind, name) of the phase this step starts, or None
        self.marker = marker    # only a phase boundary: nothing happens, no event
        self.wait = wait        # (what, callable(runner) -> bool): awaited after the
                                # action, up to EVENT_TIMEOUT_S


def build(scenario, p):
    """Returns (steps, duration_s) of a scenario; p holds the timing knobs
    (warmup, unplug_delay, precopy, blackout_s, plug_delay, port_delay, settle,
    cycles)."""
    steps = []
    t = [p.warmup]
    last = [0.0]     # planned time of the previous step
    count = {"release": 0, "standby": 0, "blackout": 0, "return": 0}

    def phase(kind, label):
        count[kind] += 1
        return (kind, label if count[kind] == 1 else f"{label} {count[kind]}")

    def add(what, label, action, ph=None, marker=False, wait=None, at=None):
        at = t[0] if at is None else at
        steps.append(Step(at, at - last[0], what, label, action, ph, marker, wait))
        last[0] = at

    def on_standby():
        """After an unplug: the release phase ends RELEASE_WINDOW later (or half-way
        to the next step), the rest of the pre-copy is phase "standby"."""
        w = min(RELEASE_WINDOW, p.precopy / 2)
        if w > 0:
            add("standby", "the VM runs on the standby", None, phase("standby", "standby"),
                marker=True, at=t[0] + w)

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
        # BLACKOUT after the pause completed: the VM is paused at least as long as
        # asked, however long ip(8) waited for the RTNL lock.
        add("resume", f"VM runs on host {dst}, host {dst} announces its MAC", act_resume(dst))
        t[0] += p.plug_delay
        plug(f"new VF hot-added on host {dst}", dst)
        t[0] += p.settle

    def plug(label, host):
        """The new VF; with a port delay its host port forwards that much later, and
        the wait for the VF carrying traffic follows the port."""
        carrying = ("the new VF carries traffic", vf_carrying)
        add("plug", label, act_plug(host, bridged=not p.port_delay), phase("return", "return"),
            wait=None if p.port_delay else carrying)
        if p.port_delay:
            t[0] += p.port_delay
            add("port", f"host {host}'s port of the VF forwards", act_port, wait=carrying)

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
        plug("the VF is hot-added again on host A", "A")
        t[0] += p.settle
    elif scenario == "flap":
        for _ in range(p.cycles):
            add("unplug", "VF removed, no notice", act_unplug, phase("release", "unplug"))
            t[0] += p.plug_delay
            plug("VF re-added on host A", "A")
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
    before = r.mode.vf_unplugging()
    r.topo.del_vf()
    r.mode.vf_removed()
    return f"{before + '; ' if before else ''}vf0 deleted (host {where})"


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


def act_plug(h, bridged=True):
    def act(r):
        if not r.mode.uses_vf:
            return "skipped: no VF in this mode"
        vf = r.topo.add_vf(h, bridged)
        r.effect_ns = vf["appeared_ns"]
        r.plugged_tx = 0     # a new device: every frame it sends is sent after the plug
        r.mode.vf_added()
        return f"vf0 (host end {vf['host_end']} {'on' if bridged else 'up, not yet on'} " \
               f"host {h}'s bridge)"
    return act


def vf_carrying(r):
    """True once the guest sent at least CARRYING_S worth of its UDP rate through the
    VF since it was plugged (its TX counter; trivially true when none was)."""
    if r.plugged_tx is None:
        return True
    tx = r.topo.guest_tx_packets(r.topo.vf["name"]) if r.topo.vf else None
    return tx is not None and tx - r.plugged_tx >= max(CARRYING_MIN, r.rate * CARRYING_S)


def act_port(r):
    if r.topo.vf is None:
        return "skipped: no VF in this mode"
    # what the VF sent before (probes) went nowhere: carrying counts from here
    r.plugged_tx = r.topo.guest_tx_packets(r.topo.vf["name"]) or 0
    r.effect_ns = r.topo.forward_vf_port()
    return f"{r.topo.vf['host_end']} joins host {r.topo.vf['host']}'s bridge"


# ------------------------------------------------------------------ runner

class Runner:
    """Plays a schedule against one topology and mode; records every step."""

    def __init__(self, topo, mode, steps, progress=None, rate=1):
        self.topo, self.mode, self.steps = topo, mode, steps
        self.progress = progress or (lambda *_: None)
        self.rate = rate    # UDP packets/s each way (what "carrying" is measured by)
        self.events = []    # {"t_s", "end_s", "what", "label", "detail"[, "effect_s"]}
        self.phases = []    # {"kind", "name", "start_s"}
        self.effect_ns = None  # set by an action: when what it did took effect
        self.plugged_tx = None  # set by a plug: the new VF's TX count then

    def play(self, t0_ns, t0_mono, planned, limit):
        """Plays every step, then the schedule's last delay (planned: the duration
        if nothing is late); returns (events, phases, duration): duration is when
        the last phase ended (s after time zero).  LabError when the run would
        last longer than limit s (the traffic's own bound)."""
        tail = planned - (self.steps[-1].at if self.steps else 0.0)
        self.phases.append({"kind": "steady", "name": "steady", "start_s": 0.0})
        prev_end = t0_mono
        for st in self.steps:
            self._sleep_until(prev_end + st.after_prev, t0_mono, planned, f"next: {st.label}",
                              limit)
            if st.marker:
                self.phases.append({"kind": st.phase[0], "name": st.phase[1],
                                    "start_s": self._now_s(t0_ns)})
                prev_end = time.monotonic()
                continue
            ts = util.now_ns()
            self.effect_ns = None
            self.plugged_tx = None
            detail = st.action(self) if st.action else None
            te = util.now_ns()
            ev = {"t_s": round((ts - t0_ns) / 1e9, 4), "end_s": round((te - t0_ns) / 1e9, 4),
                  "what": st.what, "label": st.label, "detail": detail}
            if self.effect_ns is not None:
                ev["effect_s"] = round((self.effect_ns - t0_ns) / 1e9, 4)
            if st.wait and not (detail or "").startswith("skipped"):
                self._await(st, ev, t0_ns, t0_mono, planned, limit)
            self.events.append(ev)
            if st.phase:
                # From the step's start: what it causes happens after (it may take
                # effect only near its end: ip(8) can wait for the RTNL lock).
                self.phases.append({"kind": st.phase[0], "name": st.phase[1],
                                    "start_s": ev["t_s"]})
            prev_end = time.monotonic()
            self.progress(prev_end - t0_mono, planned, st.label)
        self._sleep_until(prev_end + tail, t0_mono, planned, "settling", limit)
        duration = self._now_s(t0_ns)
        for i, ph in enumerate(self.phases):
            ph["end_s"] = self.phases[i + 1]["start_s"] if i + 1 < len(self.phases) \
                else duration
        return self.events, self.phases, duration

    def _await(self, st, ev, t0_ns, t0_mono, planned, limit):
        """Waits for what the step causes, up to EVENT_TIMEOUT_S; notes it in ev."""
        what, check = st.wait
        end = time.monotonic() + EVENT_TIMEOUT_S
        while not check(self):
            now = time.monotonic()
            if now - t0_mono > limit:
                raise LabError(f"{st.label}: the run reached the traffic's end ({limit:.0f} s) "
                               f"waiting until {what}")
            if now >= end:
                ev["detail"] = f"{ev['detail']}; {what}: not within {EVENT_TIMEOUT_S:g} s"
                return
            self.progress(now - t0_mono, planned, f"waiting until {what}")
            time.sleep(0.02)
        ev["event_s"] = self._now_s(t0_ns)
        ev["detail"] = f"{ev['detail']}; {what} at {ev['event_s']:.3f} s"

    def _sleep_until(self, deadline, t0_mono, planned, label, limit):
        if deadline - t0_mono > limit:
            raise LabError(f"{label}: the schedule runs past the traffic's end "
                           f"({limit:.0f} s): the machine is too slow for it")
        while True:
            left = deadline - time.monotonic()
            self.progress(deadline - left - t0_mono, planned, label)
            if left <= 0:
                return
            time.sleep(min(left, 0.25))

    @staticmethod
    def _now_s(t0_ns):
        return round((util.now_ns() - t0_ns) / 1e9, 4)


def traffic_bound(steps, planned):
    """How long the traffic may have to run: the planned schedule, plus every wait's
    bound, plus the steps' own time on a slow machine (a TCG guest's ip(8) can take
    seconds)."""
    waits = sum(1 for st in steps if st.wait)
    return planned + waits * EVENT_TIMEOUT_S + 10 + 2 * len(steps)
