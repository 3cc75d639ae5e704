# SPDX-License-Identifier: BSD-2-Clause
"""Network namespaces and their links, for the labs, the integration tests and
the benches: the one place that creates, queries and removes them.

Every namespace made by add() is remembered until delete() (or delete_all(),
which the programs run at exit and from their signal handlers), so nothing a
run made outlives it.  Links are made with iproute2 (`ip -n NS ...`).
"""

import json
import os
import subprocess

from sfolabkit.proc import LabError, argv_in, run

_created = []  # names, in creation order


def add(name, ipv6=False):
    """Creates namespace name with lo up and IPv6 on or off (off: no DAD, router
    solicitations or MLD on its links); returns name."""
    run(["ip", "netns", "add", name])
    _created.append(name)
    off = "0" if ipv6 else "1"
    sysctl(name, f"net.ipv6.conf.all.disable_ipv6={off}",
           f"net.ipv6.conf.default.disable_ipv6={off}")
    ip(name, "link", "set", "lo", "up")
    return name


def delete(name):
    """Removes namespace name (and every link in it); quiet if it is gone."""
    subprocess.run(["ip", "netns", "del", name], capture_output=True)
    if name in _created:
        _created.remove(name)


def delete_all():
    """Removes every namespace add() made and delete() did not, newest first."""
    for name in reversed(list(_created)):
        delete(name)


def exists(name):
    return os.path.exists(os.path.join("/run/netns", name))


def existing(prefix):
    """Names of the namespaces that exist and start with prefix (leak checks)."""
    r = run(["ip", "netns", "list"], check=False)
    return [ln.split()[0] for ln in r.stdout.splitlines() if ln.startswith(prefix)]


def run_in(ns, *argv, check=True, timeout=30, input=None):
    return run(argv_in(ns, argv), check=check, timeout=timeout, input=input)


def ip(ns, *args, check=True):
    return run(["ip", "-n", ns] + list(args), check=check)


def sysctl(ns, *settings):
    """Sets KEY=VALUE settings inside ns."""
    run_in(ns, "sysctl", "-qw", *settings)


def bridge(ns, name="br0", mtu=None):
    """A learning bridge, up: STP off (ports forward at once), no multicast snooping
    (multicast is flooded to every port, whatever MLD/IGMP was or was not sent)."""
    ip(ns, "link", "add", name, *_mtu(mtu), "type", "bridge", "stp_state", "0",
       "mcast_snooping", "0")
    ip(ns, "link", "set", name, "up")


def veth(ns, name, peer_ns, peer, mtu=None, mac=None, peer_mtu=None, peer_mac=None,
         index=None):
    """A veth pair, both ends down: name in ns (with ifindex index if given), peer in
    peer_ns."""
    ip(ns, "link", "add", name, *(["index", str(index)] if index else []), *_mac(mac),
       *_mtu(mtu), "type", "veth", "peer", "name", peer, "netns", peer_ns, *_mac(peer_mac),
       *_mtu(peer_mtu))


def port(ns, dev, bridge="br0", up=True, mtu=None):
    """Makes dev a port of bridge (with mtu if given), up unless up is false."""
    ip(ns, "link", "set", dev, *_mtu(mtu), "master", bridge, "up" if up else "down")


def link(ns, dev):
    """`ip -d -s -j link show` of one device as a dict; None if it does not exist."""
    r = run(["ip", "-n", ns, "-d", "-s", "-j", "link", "show", "dev", dev], check=False)
    if r.returncode != 0:
        return None
    return json.loads(r.stdout)[0]


def links(ns):
    """Every device of ns with its statistics (`ip -s -j link show`); [] if ns is gone."""
    r = run(["ip", "-n", ns, "-s", "-j", "link", "show"], check=False)
    try:
        return json.loads(r.stdout) if r.returncode == 0 else []
    except ValueError:
        return []


def counters(ns, dev):
    """Packet and byte counters of a device: {rx_packets, rx_bytes, rx_dropped,
    tx_packets, tx_bytes, tx_dropped}."""
    st = link(ns, dev)
    if st is None:
        raise LabError(f"{dev} does not exist in {ns}")
    s = st["stats64"]
    return {"rx_packets": s["rx"]["packets"], "rx_bytes": s["rx"]["bytes"],
            "rx_dropped": s["rx"]["dropped"], "tx_packets": s["tx"]["packets"],
            "tx_bytes": s["tx"]["bytes"], "tx_dropped": s["tx"]["dropped"]}


def addrs(ns, dev, family=None):
    """The addr_info entries of dev (family "-4"/"-6" or None for both)."""
    r = run(["ip", "-n", ns, "-j"] + ([family] if family else []) + ["addr", "show", "dev", dev])
    data = json.loads(r.stdout) if r.stdout.strip() else []
    return [a for d in data for a in d.get("addr_info", [])]


def _mtu(mtu):
    return ["mtu", str(mtu)] if mtu else []


def _mac(mac):
    return ["address", mac] if mac else []
