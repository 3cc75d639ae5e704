# SPDX-License-Identifier: BSD-2-Clause
"""The JSON document of a lab run, one envelope for every lab:

  tool, version, schema   who wrote it, in which layout (schema: the tool's own
                          counter, bumped when a key changes meaning)
  scenario, params        what was run, with which knobs
  started_unix_ns, kernel when, and on which kernel
  modes                   a list, one object per mode compared, each with at least
                          "mode", "title" and "available" (and "reason" if not)
  titles                  {mode: title}
  files                   {"json": path, "svg": path} the run wrote

plus whatever the tool adds after these keys.
"""

import json
import platform


def envelope(tool, version, schema, scenario, params, modes, started_unix_ns, files,
             kernel=None, **extra):
    """kernel: this machine's (platform) unless given."""
    doc = {"tool": tool, "version": version, "schema": schema, "scenario": scenario,
           "params": params, "started_unix_ns": started_unix_ns,
           "kernel": kernel or f"{platform.system()} {platform.release()}", "modes": modes,
           "titles": {m["mode"]: m.get("title", m["mode"]) for m in modes}, "files": files}
    doc.update(extra)
    return doc


def dumps(doc):
    """Compact, one line (what --json prints)."""
    return json.dumps(doc, separators=(",", ":"), default=str)
