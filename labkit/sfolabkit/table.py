# SPDX-License-Identifier: BSD-2-Clause
"""The text table printed at the end of a lab run, the same layout in every lab:

    <what was run>
    <blank>
    mode    <group title over its columns> ...
            <column titles>
    ---------------------------------------
    <one row per mode (and repetition), or "<mode> unavailable: why" / "failed: why">
    <blank>
    <notes: warnings, how to read the columns>

The first column (the mode) is left-aligned, every other one right-aligned;
a group title is centred over its columns (right-aligned over one) unless
it says otherwise."""

from dataclasses import dataclass

LABEL_W = 18
MSG_MAX = 150   # a failure message longer than this is cut (the JSON has it whole)


@dataclass
class Group:
    title: str
    widths: tuple       # one per column of the group
    subtitles: tuple    # column titles, same length
    align: str = ""     # "<", "^" or ">"; default: centred over several columns


def _header(groups):
    top = [f"{'mode':<{LABEL_W}}"]
    sub = [" " * LABEL_W]
    for g in groups:
        span = sum(g.widths) + len(g.widths) - 1
        align = g.align or ("^" if len(g.widths) > 1 else ">")
        top.append(f"{g.title:{align}{span}}")
        sub += [f"{t:>{w}}" for t, w in zip(g.subtitles, g.widths)]
    return " ".join(top), " ".join(sub)


def row(groups, label, cells):
    """One mode's line; cells: strings, one per column of every group."""
    widths = [w for g in groups for w in g.widths]
    if len(cells) != len(widths):
        raise ValueError(f"{len(cells)} cells for {len(widths)} columns")
    return " ".join([f"{label:<{LABEL_W}}"] + [f"{c:>{w}}" for c, w in zip(cells, widths)])


def message_row(label, what, msg):
    """A mode that has no numbers: "<label> unavailable: why" or "failed: why"."""
    msg = (msg or "").splitlines()[0] if msg else ""
    if len(msg) > MSG_MAX:
        msg = msg[:MSG_MAX] + "... (whole message in the JSON)"
    return f"{label:<{LABEL_W}} {what}: {msg}"


def render(intro, groups, rows, notes=()):
    """rows: lines from row() or message_row(); notes: paragraphs (lists of lines)
    printed after the table, a blank line before each."""
    top, sub = _header(groups)
    lines = [intro, "", top, sub, "-" * len(sub)] + list(rows)
    for para in notes:
        if para:
            lines += [""] + list(para)
    return "\n".join(lines)


def fmt(v, nd=0, none="-"):
    """A number for a cell: none for a missing value, nd decimals for a float."""
    if v is None:
        return none
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)
