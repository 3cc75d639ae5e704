# SPDX-License-Identifier: BSD-2-Clause
"""Debian's kernel for lab guests: the package linux-image-amd64 points to,
fetched with apt-get download (nothing is installed into /boot), and the
dependencies of the modules a guest needs, read from their .modinfo sections.
"""

import fcntl
import os
import struct

from .proc import LabError, progress, run

# Where the kernel package is kept (SFO_KERNEL_CACHE overrides).
KERNEL_CACHE = os.environ.get("SFO_KERNEL_CACHE", "/var/tmp/sfo-kernel")


def _kernel_package():
    """The versioned kernel package linux-image-amd64 depends on; runs apt-get
    update once if apt's lists do not know it (a fresh machine)."""
    for attempt in (0, 1):
        cp = run(["apt-cache", "depends", "linux-image-amd64"], check=False)
        for line in cp.stdout.splitlines():
            line = line.strip()
            if line.startswith("Depends: linux-image-") and line[len("Depends: linux-image-"):][:1].isdigit():
                return line.split()[1]
        if attempt == 0:
            progress("kernel: apt-cache does not know linux-image-amd64, running apt-get update")
            run(["apt-get", "update", "-qq"], check=False, timeout=600)
    raise LabError("cannot resolve linux-image-amd64 with apt-cache, even after apt-get update")


def fetch_kernel(cache_dir=KERNEL_CACHE):
    """apt-get download the kernel package linux-image-amd64 depends on, once for
    every lab: the .deb is kept in cache_dir (one download serves sfo-vmlab and
    sfo-lab --in-vm; concurrent callers wait for each other).  Returns (version,
    path of the .deb)."""
    os.makedirs(cache_dir, exist_ok=True)
    with open(os.path.join(cache_dir, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _fetch_locked(cache_dir)


def _fetch_locked(kdir):
    pkg = _kernel_package()
    kv = pkg[len("linux-image-"):]

    def debs():
        return sorted(f for f in os.listdir(kdir) if f.startswith(pkg + "_") and f.endswith(".deb"))
    if not debs():
        progress("kernel: apt-get download %s into %s" % (pkg, kdir))
        run(["apt-get", "download", pkg], cwd=kdir, timeout=900)
        if not debs():
            raise LabError("apt-get download %s left no .deb in %s" % (pkg, kdir))
    # older kernel packages are of no more use
    for f in os.listdir(kdir):
        if f.endswith(".deb") and not f.startswith(pkg + "_"):
            os.unlink(os.path.join(kdir, f))
    return kv, os.path.join(kdir, debs()[-1])


# --- modules: dependencies from the .modinfo section ------------------------

def _modinfo(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise LabError("%s: not an ELF64 module (compressed modules are not supported)" % path)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)

    def sh(i):
        name, _typ, _flags, _addr, off, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        return name, off, size
    _, stroff, _ = sh(shstrndx)
    for i in range(shnum):
        name, off, size = sh(i)
        end = data.index(b"\0", stroff + name)
        if data[stroff + name:end] == b".modinfo":
            info = {}
            for item in data[off:off + size].split(b"\0"):
                if b"=" in item:
                    k, v = item.decode(errors="replace").split("=", 1)
                    info.setdefault(k, v)
            return info
    return {}


def resolve_modules(kroot, kv, wanted):
    """Module files of wanted plus their dependencies, in load order. Built-in
    modules are skipped."""
    mdir = os.path.join(kroot, "lib", "modules", kv)
    paths = {}
    for dirpath, _dirs, files in os.walk(os.path.join(mdir, "kernel")):
        for f in files:
            if f.endswith(".ko"):
                paths[f[:-3].replace("-", "_")] = os.path.join(dirpath, f)
    builtin = set()
    try:
        with open(os.path.join(mdir, "modules.builtin")) as f:
            for line in f:
                builtin.add(os.path.basename(line.strip())[:-3].replace("-", "_"))
    except FileNotFoundError:
        pass
    order = []

    def visit(name, stack):
        name = name.replace("-", "_")
        if name in order or name in builtin:
            return
        if name in stack:
            raise LabError("module dependency loop at %s" % name)
        if name not in paths:
            raise LabError("module %s not in the kernel package" % name)
        deps = _modinfo(paths[name]).get("depends", "")
        for d in filter(None, deps.split(",")):
            visit(d, stack + [name])
        order.append(name)
    for w in wanted:
        visit(w, [])
    return [(m, paths[m]) for m in order]


