# SPDX-License-Identifier: BSD-2-Clause
"""Reading what the tools we start leave in files."""

import json


def read_text(path):
    """The file's text ("" if it cannot be read)."""
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def read_json(path):
    """The JSON document a tool wrote to path (sfo-traffic --json, the CLI), or None
    when there is none: a tool that was killed or failed before its report leaves
    an empty or cut file."""
    txt = read_text(path).strip()
    if not txt:
        return None
    try:
        return json.loads(txt)
    except ValueError:
        return None
