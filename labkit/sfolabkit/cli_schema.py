# SPDX-License-Identifier: BSD-2-Clause
"""The JSON the command lines print (status, adapters, events), one schema for
both edges: the Linux CLI (tests/linux/test_cli.py) and the Windows
sriov-failover.exe (src/windows/tests/check_win_cli_json.py). Both print the
engine's reports with src/common/report.c; what each edge adds on its own
(Linux: the "daemon" object and a pair's "datapath_counters"; Windows: the
"driver" object) is checked by its own test.

A spec maps a member to its type: INT (an integer, never a boolean), a type or
a tuple of types.
"""

INT = int
STATES = {"no-vf", "binding", "probing", "active", "fallback", "draining", "unusable"}
ROLES = {"standby", "vf", "spare", "candidate", "unmanaged"}
COUNTERS = ["rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors",
            "rx_dropped", "tx_dropped", "multicast", "collisions"]
FAILOVER = {"to_vf": INT, "to_standby": INT, "ms_on_vf": (int, float),
            "ms_on_standby": (int, float), "announcements": INT, "vfs_bound": INT,
            "path_probes": INT, "path_probe_timeouts": INT, "unproven": INT,
            "last_switch_reason": (str, type(None))}
PAIR = {"standby": str, "standby_ifindex": INT, "vf": (str, type(None)),
        "vf_ifindex": (int, type(None)), "state": str, "datapath": str, "reason": str,
        "since_ms": (int, float), "spares": (int, list), "counters": dict, "failover": dict}
ADAPTER = {"name": str, "ifindex": INT, "role": str, "driver": str, "kind": str, "mac": str,
           "reason": str}
EVENT = {"ms_ago": (int, float), "standby": str, "from": str, "to": str, "reason": str}


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def type_errors(obj, spec, where):
    """What in @obj does not match @spec, one message each (none: it matches)."""
    errors = []
    for key, typ in spec.items():
        if key not in obj:
            errors.append(f"{where}: key {key!r} missing in {obj}")
            continue
        v = obj[key]
        allowed = typ if isinstance(typ, tuple) else (typ,)
        if typ is INT and not is_int(v):
            errors.append(f"{where}.{key} = {v!r} is not an integer")
        elif not isinstance(v, typ):
            errors.append(f"{where}.{key} = {v!r} is not {typ}")
        elif isinstance(v, bool) and bool not in allowed:
            errors.append(f"{where}.{key} = {v!r} is a boolean, not a number")
    return errors


def pair_errors(p, where="pair"):
    """A pair of "status": the engine's members, its counters and failover statistics."""
    errors = type_errors(p, PAIR, where)
    if errors:
        return errors
    if p["state"] not in STATES:
        errors.append(f"{where}.state {p['state']!r} is not one of {sorted(STATES)}")
    if (p["vf"] is None) != (p["vf_ifindex"] is None):
        errors.append(f"{where}: vf {p['vf']!r} with vf_ifindex {p['vf_ifindex']!r}")
    for k in COUNTERS:
        errors += type_errors(p["counters"], {k: INT}, f"{where}.counters")
    errors += type_errors(p["failover"], FAILOVER, f"{where}.failover")
    return errors


def adapter_errors(a, where="adapter"):
    errors = type_errors(a, ADAPTER, where)
    if not errors and a["role"] not in ROLES:
        errors.append(f"{where}.role {a['role']!r} is not one of {sorted(ROLES)}")
    return errors


def event_errors(e, where="event"):
    errors = type_errors(e, EVENT, where)
    if not errors and e["to"] not in STATES:
        errors.append(f"{where}.to {e['to']!r} is not one of {sorted(STATES)}")
    return errors
