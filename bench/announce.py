#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""announce.py: what one announcement costs the daemon's event loop.

Run as root from a checkout:  labkit/run bench/announce.py [-n ROUNDS] [-c CONTAINERS]

Builds bench/announce_cost.c against the build and runs it in a network
namespace of its own: a standby "sby" (veth) with an IPv4 and an IPv6 address,
a guest bridge "gbr" with sby as a port and its own IPv4 address, and
CONTAINERS (default 20) further veth ports whose MACs the bridge has learned.
ROUNDS (default 200) announcements each way; median and maximum in us.
Environment: SFO_BUILD (default: the checkout's build/).  Needs cc.  About 10 s.
"""

import os
import subprocess
import sys

from benchnet import REPO, Bench, binaries, die, parser
from sfolabkit import netns


def build_cost_program(b):
    build = os.environ.get("SFO_BUILD") or os.path.join(REPO, "build")
    lib = os.path.join(build, "src/linux/netdev/libsfo-netdev.a")
    if not os.path.exists(lib):
        die(f"{lib} not found: build the tree first (meson setup build && ninja -C build), "
            "or set SFO_BUILD")
    out = b.path("announce_cost")
    r = subprocess.run(["cc", "-O2", "-std=gnu11", f"-I{REPO}/include",
                        f"-I{REPO}/src/linux/netdev", f"-I{build}/src/linux/netdev",
                        os.path.join(REPO, "bench/announce_cost.c"), lib, "-lmnl", "-o", out],
                       capture_output=True, text=True)
    if r.returncode:
        die(f"cc failed: {r.stderr.strip()}")
    return out


def guest(b, ns, containers):
    """The standby, its guest bridge and the containers behind it, in ns."""
    netns.add(ns, ipv6=True)
    netns.veth(ns, "sby", ns, "wire")
    netns.sysctl(ns, "net.ipv6.conf.wire.disable_ipv6=1")
    netns.ip(ns, "addr", "add", "192.0.2.1/24", "dev", "sby")
    netns.ip(ns, "-6", "addr", "add", "2001:db8::1/64", "dev", "sby", "nodad")
    netns.ip(ns, "link", "set", "wire", "up")
    netns.bridge(ns, "gbr")
    netns.port(ns, "sby", "gbr")
    netns.ip(ns, "addr", "add", "198.51.100.1/24", "dev", "gbr")
    for i in range(1, containers + 1):
        netns.veth(ns, f"c{i}", ns, f"c{i}p")
        netns.port(ns, f"c{i}", "gbr")
        netns.ip(ns, "link", "set", f"c{i}p", "up")
        mac = "02:00:5e:00:%02x:%02x" % (i // 256, i % 256)
        netns.run_in(ns, "bridge", "fdb", "add", mac, "dev", f"c{i}", "master", "static")


def main():
    ap = parser(__doc__)
    ap.add_argument("-n", type=int, default=200, metavar="ROUNDS",
                    help="announcements each way (default 200)")
    ap.add_argument("-c", type=int, default=20, metavar="CONTAINERS",
                    help="ports behind the guest bridge (default 20)")
    a = ap.parse_args()
    if not 1 <= a.n <= 10000:
        ap.error("-n must be 1..10000")
    if not 0 <= a.c <= 200:
        ap.error("-c must be 0..200")
    with Bench(binaries(tools=("cc", "bridge"))) as b:
        prog = build_cost_program(b)
        ns = f"{b.id}-a"
        guest(b, ns, a.c)
        print(f"standby sby: 2 addresses; bridge gbr: 1 address, {a.c} container ports",
              flush=True)
        r = netns.run_in(ns, prog, "sby", str(a.n), check=False, timeout=600)
        sys.stdout.write(r.stdout)
        if r.returncode:
            die(f"announce_cost: exit {r.returncode}: {r.stderr.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
