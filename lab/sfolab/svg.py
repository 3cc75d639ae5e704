# SPDX-License-Identifier: BSD-2-Clause
"""The lab's timeline picture: sfolabkit.svg with the namespace lab's phases
(release, standby, blackout, return) and host steps."""

from sfolabkit import svg

STYLE = svg.Style(
    tool="sfo-lab",
    phases=("release", "standby", "blackout", "return"),
    step_labels={"release": "release", "unplug": "unplug", "pause": "pause",
                 "resume": "resume", "plug": "VF plug", "port": "port forwards",
                 "cancel": "cancel"})


def render(doc, runs):
    """runs: [(mode, title, subtitle, run)], see sfolabkit.svg."""
    from .report import describe_params
    return svg.render(STYLE, describe_params(doc), doc["params"], runs)
