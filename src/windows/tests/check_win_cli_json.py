# SPDX-License-Identifier: BSD-2-Clause
"""sriov-failover.exe's JSON against the Linux CLI's schema; prints TAP.

  labkit/run check_win_cli_json.py WIN_CLI_EMU

WIN_CLI_EMU is the exe's command line built natively on the NDIS emulation
(win_cli_emu.c: a standby and its VF, paired by the driver's engine). Each
report (status, adapters, events, with -j) must be one line of JSON whose
engine members match sfolabkit.cli_schema, the schema the Linux CLI's test
checks too; status has the Windows edge's "driver" object where Linux has
"daemon".
"""
import json
import subprocess
import sys

from sfolabkit import cli_schema, tap


def report(cli, *args):
    r = subprocess.run([cli, *args], capture_output=True, text=True, check=False, timeout=60)
    if r.returncode != 0:
        return None, [f"{' '.join(args)}: exit status {r.returncode}: {r.stderr.strip()}"]
    if r.stdout.count("\n") != 1:
        return None, [f"{' '.join(args)}: not one line: {r.stdout!r}"]
    try:
        return json.loads(r.stdout), []
    except ValueError as e:
        return None, [f"{' '.join(args)}: not JSON ({e}): {r.stdout!r}"]


def status_errors(cli):
    st, errors = report(cli, "status", "-j")
    if errors:
        return errors
    errors = cli_schema.type_errors(st, {"driver": dict, "pairs": list}, "status")
    if errors:
        return errors
    errors = cli_schema.type_errors(st["driver"], {"version": str, "control_version": int},
                                    "driver")
    if len(st["pairs"]) != 1:
        return errors + [f"status: {len(st['pairs'])} pairs, not 1: {st['pairs']}"]
    p = st["pairs"][0]
    errors += cli_schema.pair_errors(p)
    if not errors and (p["state"], p["datapath"]) != ("active", p["vf"]):
        errors.append(f"pair not active on its VF: {p}")
    return errors


def adapters_errors(cli):
    ads, errors = report(cli, "adapters", "-j")
    if errors:
        return errors
    errors = cli_schema.type_errors(ads, {"adapters": list}, "adapters")
    for a in [] if errors else ads["adapters"]:
        errors += cli_schema.adapter_errors(a, f"adapter {a}")
    roles = sorted(a["role"] for a in ads.get("adapters", []) if isinstance(a, dict))
    if not errors and roles != ["standby", "vf"]:
        errors.append(f"roles {roles}, not a standby and a VF")
    return errors


def events_errors(cli):
    ev, errors = report(cli, "events", "-j")
    if errors:
        return errors
    errors = cli_schema.type_errors(ev, {"events": list}, "events")
    for e in [] if errors else ev["events"]:
        errors += cli_schema.event_errors(e)
    if not errors and not any(e["to"] == "active" for e in ev["events"]):
        errors.append(f"no transition to active: {ev['events']}")
    return errors


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    cli = sys.argv[1]
    checks = [("status -j: the Linux CLI's pair members, a driver object", status_errors),
              ("adapters -j: the Linux CLI's adapter members", adapters_errors),
              ("events -j: the Linux CLI's event members", events_errors)]
    run = tap.Run(len(checks))
    for what, check in checks:
        errors = check(cli)
        run.point(not errors, what, errors)
    return run.status()


if __name__ == "__main__":
    sys.exit(main())
