# SPDX-License-Identifier: BSD-2-Clause
"""Guest image: Debian's kernel package, busybox, our binaries and Debian's
qemu-guest-agent with their shared libraries, and an init that sets up one of
the three lab modes.

Everything comes from this machine or Debian's archive (apt-get download); nothing
is installed into /boot. The image is cached in the work directory under a key
made of every input, so a rerun with the same inputs reuses it.
"""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess

from sfolabkit.cpio import Cpio
from sfolabkit.debkernel import KERNEL_CACHE, fetch_kernel, resolve_modules
from sfolabkit.proc import LabError, progress, run

# Modules the guest needs (their dependencies are added from .modinfo), in load
# order: virtio first so that the standby is eth0 and the primary eth1.
GUEST_MODULES = ["virtio_pci", "virtio_net", "e1000e", "sch_ingress", "cls_bpf",
                 "virtio_console"]

# The guest agent the host asks for a release through (sriov-failover-host):
# Debian's package, apt-get download into a directory of its own beside the
# kernel package (whose fetch removes every other .deb from its directory).
AGENT_PACKAGE = "qemu-guest-agent"
AGENT_PATH = "/usr/sbin/qemu-ga"
AGENT_CACHE = os.path.join(KERNEL_CACHE, "agent")

# The binaries of the build directory that go into the guest, and where.
GUEST_BINARIES = {
    "src/linux/daemon/sriov-failoverd": "/usr/sbin/sriov-failoverd",
    "src/linux/cli/sriov-failover": "/usr/sbin/sriov-failover",
    "tools/traffic/sfo-traffic": "/usr/bin/sfo-traffic",
}

IMAGE_FORMAT = 4  # bump when the layout or the scripts change meaning

# /init: mounts, then busybox init with our inittab (it reaps orphans and keeps
# the command channel on ttyS1 alive).
INIT = r"""#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec /bin/busybox init
"""

INITTAB = """::sysinit:/etc/sfovm/rc
ttyS1::respawn:/etc/sfovm/chan
"""

# The guest's setup, one image for every mode: the kernel command line says
# which (sfovm.mode=sfo|net_failover|none) and which address (sfovm.ip=).
RC = r"""#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mkdir -p /run /tmp /dev/pts /sys/fs/bpf
mount -t tmpfs run /run
mount -t tmpfs tmp /tmp
mount -t bpf bpf /sys/fs/bpf
arg() { sed -n "s/.*sfovm\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
MODE=$(arg mode); IP=$(arg ip)
echo "sfovm: mode=$MODE ip=$IP kernel=$(uname -r)"
# IPv4 only, in every mode: with IPv6 both NICs of a net_failover guest send
# neighbour discovery with one MAC and the bridge flaps (see README).
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
for m in $(cat /etc/sfovm/modules); do
	insmod /lib/modules/$m.ko || echo "sfovm: insmod $m failed"
done
ip link set lo up
# qemu-guest-agent on its virtio-serial port (no udev: find it by its name)
for p in /sys/class/virtio-ports/*; do
	[ "$(cat $p/name 2>/dev/null)" = org.qemu.guest_agent.0 ] || continue
	mkdir -p /run/qga
	qemu-ga -d -m virtio-serial -p /dev/${p##*/} -t /run/qga -f /run/qga.pid -l /run/qga.log ||
		echo "sfovm: qemu-ga failed"
done
start_daemon() {	# [-v]
	printf '[global]\nvf-drivers = e1000e\n' > /etc/sriov-failover.conf
	(sriov-failoverd -c /etc/sriov-failover.conf -s /run/sfo/control.sock "$@" 2>&1 |
		while IFS= read -r l; do echo "sfod: $l"; echo "$l" >> /run/sfod.log; done > /dev/console) &
}
n=0
while [ $n -lt 50 ] && [ -z "$(drivers virtio_net)" ]; do usleep 100000; n=$((n+1)); done
case "$MODE" in
sfo)
	SBY=$(drivers virtio_net | head -n1)
	ip addr add $IP dev $SBY
	ip link set $SBY up
	start_daemon -v
	;;
net_failover)
	M=""; n=0
	while [ -z "$M" ] && [ $n -lt 50 ]; do
		for i in /sys/class/net/*; do ls $i | grep -q '^lower_' && M=${i##*/}; done
		[ -n "$M" ] || usleep 100000; n=$((n+1))
	done
	[ -n "$M" ] || { echo "sfovm: no net_failover master"; M=$(drivers virtio_net | head -n1); }
	for i in /sys/class/net/*; do ip link set ${i##*/} up; done
	ip addr add $IP dev $M
	# the daemon beside the kernel's net_failover: it must see the pair is the
	# kernel's (role held in `sriov-failover adapters`) and touch none of it;
	# not verbose: every console line costs the single TCG vCPU
	start_daemon
	;;
none)
	/etc/sfovm/primary-watch $IP > /dev/console 2>&1 &
	;;
esac
echo "sfovm: ready"
netinfo
echo "SFOVM-READY"
"""

# Mode none: the address lives on the primary; a new primary gets it again
# (what a network manager would do on hot-plug). Polls sysfs, forks only on change.
PRIMARY_WATCH = r"""#!/bin/sh
IP=$1; last=""
while true; do
	cur=""
	for i in /sys/class/net/*; do
		[ -e $i/device/driver ] || continue
		d=$(readlink $i/device/driver); [ "${d##*/}" = e1000e ] || continue
		read idx < $i/ifindex; cur="${i##*/}:$idx"
	done
	if [ -n "$cur" ] && [ "$cur" != "$last" ]; then
		n=${cur%%:*}
		ip link set $n up && ip addr add $IP dev $n && echo "sfovm: primary $n configured with $IP"
	fi
	last=$cur
	usleep 50000
done
"""

# The command channel: a shell reading command lines from ttyS1. The host wraps
# every command with begin/end markers (see console.py).
CHAN = r"""#!/bin/sh
stty raw -echo 2>/dev/null
echo "@@CHAN-READY"
while IFS= read -r l; do eval "$l"; done
"""

# name driver operstate carrier master, one line per interface
NETINFO = r"""#!/bin/sh
for i in /sys/class/net/*; do
	n=${i##*/}; d=-; m=-
	[ -e $i/device/driver ] && { d=$(readlink $i/device/driver); d=${d##*/}; }
	ls $i | grep -q '^lower_' && d=net_failover
	[ -e $i/master ] && { m=$(readlink $i/master); m=${m##*/}; }
	c=$(cat $i/carrier 2>/dev/null || echo -)
	echo "$n driver=$d oper=$(cat $i/operstate) carrier=$c master=$m mac=$(cat $i/address)"
done
"""

# interfaces whose device driver is $1
DRIVERS = r"""#!/bin/sh
for i in /sys/class/net/*; do
	[ -e $i/device/driver ] || continue
	d=$(readlink $i/device/driver); [ "${d##*/}" = "$1" ] && echo ${i##*/}
done
"""

# guest CLOCK_REALTIME in microseconds
GUEST_NOW = r"""#!/bin/sh
adjtimex | sed -n 's/.*time.tv_sec: *\([0-9]*\).*/\1/p;s/.*time.tv_usec: *\([0-9]*\).*/\1/p' | tr '\n' ' '
echo
"""


class Image:
    """A built image, held in use (a shared lock on its directory's .in-use
    file, see _hold) for as long as this object lives: the lab's QEMUs, a
    migration's destination included, start from its files."""

    def __init__(self, kernel, initrd, kernel_version, key):
        self.kernel = kernel
        self.initrd = initrd
        self.kernel_version = kernel_version
        self.key = key
        self.in_use = _hold(os.path.dirname(initrd))


IN_USE = ".in-use"


def _hold(idir):
    """A shared lock on idir's .in-use file: other runs do not prune it."""
    f = open(os.path.join(idir, IN_USE), "a")
    fcntl.flock(f, fcntl.LOCK_SH)
    return f


def _prune(work_dir, keep):
    """Removes the images other than @keep that no run holds (a concurrent run
    of another checkout, whose binaries make another key, may be using its own)."""
    for d in os.listdir(work_dir):
        path = os.path.join(work_dir, d)
        if not d.startswith("image-") or d == keep:
            continue
        try:
            f = open(os.path.join(path, IN_USE), "a")
        except OSError:
            continue
        with f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                progress("image: %s is in use by another run: kept" % path)
                continue
            shutil.rmtree(path, ignore_errors=True)


def _ldd(path):
    cp = run(["ldd", path])
    libs = []
    for line in cp.stdout.splitlines():
        for tok in line.split():
            if tok.startswith("/"):
                libs.append(tok)
    return libs


def fetch_agent(work_dir, cache_dir=AGENT_CACHE):
    """qemu-ga from Debian's qemu-guest-agent package: apt-get download into
    cache_dir (once), unpacked under work_dir; returns the binary's path."""
    os.makedirs(cache_dir, exist_ok=True)
    with open(os.path.join(cache_dir, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        debs = sorted(f for f in os.listdir(cache_dir) if f.startswith(AGENT_PACKAGE + "_"))
        if not debs:
            progress("image: apt-get download %s into %s" % (AGENT_PACKAGE, cache_dir))
            run(["apt-get", "download", AGENT_PACKAGE], cwd=cache_dir, timeout=600)
            debs = sorted(f for f in os.listdir(cache_dir) if f.startswith(AGENT_PACKAGE + "_"))
            if not debs:
                raise LabError("apt-get download %s left no .deb in %s" % (AGENT_PACKAGE,
                                                                          cache_dir))
    deb = os.path.join(cache_dir, debs[-1])
    root = os.path.join(work_dir, "agent-" + debs[-1][:-len(".deb")])
    binary = os.path.join(root, AGENT_PATH.lstrip("/"))
    if not os.path.exists(binary):
        shutil.rmtree(root, ignore_errors=True)
        run(["dpkg-deb", "-x", deb, root], timeout=300)
        if not os.path.exists(binary):
            raise LabError("%s has no %s" % (deb, AGENT_PATH))
    missing = [ln.split()[0] for ln in run(["ldd", binary]).stdout.splitlines()
               if "not found" in ln]
    if missing:
        raise LabError("%s needs %s, not installed here (apt-get install %s's dependencies)"
                       % (AGENT_PATH, ", ".join(missing), AGENT_PACKAGE))
    return binary


def _sha(h, path):
    with open(path, "rb") as f:
        h.update(f.read())


def build_image(work_dir, build_dir):
    """Build (or reuse) the guest image; returns an Image."""
    os.makedirs(work_dir, exist_ok=True)
    lock = open(os.path.join(work_dir, ".image.lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        return _build_locked(work_dir, build_dir)
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def _build_locked(work_dir, build_dir):
    bins = {}
    for rel, dst in GUEST_BINARIES.items():
        p = os.path.join(build_dir, rel)
        if not os.access(p, os.X_OK):
            raise LabError("%s missing: build the project first (meson setup %s && ninja -C %s)"
                           % (p, build_dir, build_dir))
        bins[p] = dst
    busybox = shutil.which("busybox")
    if not busybox:
        raise LabError("busybox missing (apt-get install busybox-static)")
    if not _ldd_static(busybox):
        raise LabError("%s is not static (apt-get install busybox-static)" % busybox)
    kv, deb = fetch_kernel()
    bins[fetch_agent(work_dir)] = AGENT_PATH
    libs = sorted({lib for p in bins for lib in _ldd(p)})

    h = hashlib.sha256()
    h.update(json.dumps([IMAGE_FORMAT, kv, os.path.basename(deb), GUEST_MODULES, INIT, INITTAB, RC,
                         PRIMARY_WATCH, CHAN, NETINFO, DRIVERS, GUEST_NOW,
                         sorted(bins.values()), libs]).encode())
    for p in list(bins) + libs + [busybox]:
        _sha(h, p)
    key = h.hexdigest()[:16]
    idir = os.path.join(work_dir, "image-" + key)
    kernel = os.path.join(idir, "vmlinuz")
    # uncompressed: nothing to inflate under TCG
    initrd = os.path.join(idir, "initramfs.cpio")
    if os.path.exists(initrd) and os.path.exists(kernel):
        progress("image: cached %s (kernel %s)" % (idir, kv))
        return Image(kernel, initrd, kv, key)

    tmp = os.path.join(work_dir, "image-%s.tmp" % key)
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    kroot = os.path.join(tmp, "kroot")
    progress("image: unpacking %s" % os.path.basename(deb))
    run(["dpkg-deb", "-x", deb, kroot], timeout=600)
    mods = resolve_modules(kroot, kv, GUEST_MODULES)
    progress("image: building %s (kernel %s, modules %s)" % (idir, kv, " ".join(m for m, _ in mods)))
    c = Cpio()
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "run", "tmp",
              "etc/sfovm", "lib/modules", "root"):
        c.dir(d)
    c.host_file(busybox, "bin/busybox", 0o755)
    applets = run([busybox, "--list"]).stdout.split()
    for a in applets:
        if a != "busybox":
            c.symlink("bin/" + a, "busybox")
    c.file("init", INIT.encode(), 0o755)
    c.file("etc/inittab", INITTAB.encode())
    c.file("etc/sfovm/rc", RC.encode(), 0o755)
    c.file("etc/sfovm/chan", CHAN.encode(), 0o755)
    c.file("etc/sfovm/primary-watch", PRIMARY_WATCH.encode(), 0o755)
    c.file("usr/bin/netinfo", NETINFO.encode(), 0o755)
    c.file("usr/bin/drivers", DRIVERS.encode(), 0o755)
    c.file("usr/bin/guest-now", GUEST_NOW.encode(), 0o755)
    c.file("etc/sfovm/modules", ("\n".join(m for m, _ in mods) + "\n").encode())
    c.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
    c.file("etc/group", b"root:x:0:\n")
    for m, path in mods:
        c.host_file(path, "lib/modules/%s.ko" % m, 0o644)
    for p, dst in bins.items():
        c.host_file(p, dst, 0o755)
    for lib in libs:
        c.host_file(os.path.realpath(lib), lib, 0o755)
    with open(os.path.join(tmp, "initramfs.cpio"), "wb") as f:
        f.write(c.bytes())
    shutil.copyfile(os.path.join(kroot, "boot", "vmlinuz-" + kv), os.path.join(tmp, "vmlinuz"))
    with open(os.path.join(tmp, "manifest.json"), "w") as f:
        json.dump({"kernel_package": os.path.basename(deb), "kernel_version": kv,
                   "modules": [m for m, _ in mods], "binaries": bins, "libraries": libs,
                   "busybox": busybox}, f, indent=1)
    shutil.rmtree(kroot)
    shutil.rmtree(idir, ignore_errors=True)
    os.rename(tmp, idir)
    # keep the work directory small: drop older images nobody uses
    image = Image(kernel, initrd, kv, key)
    _prune(work_dir, "image-" + key)
    progress("image: %s, %.1f MB" % (initrd, os.path.getsize(initrd) / 1e6))
    return image


def _ldd_static(path):
    cp = subprocess.run(["ldd", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return "not a dynamic executable" in cp.stdout or "statically linked" in cp.stdout

