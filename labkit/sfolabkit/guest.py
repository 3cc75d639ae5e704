# SPDX-License-Identifier: BSD-2-Clause
"""A QEMU guest that runs a command on this machine's own root.

Why: some of what the labs compare needs kernel features this machine's kernel
may lack (the bonding driver, loadable modules at all).  Debian's own kernel
has them; booted under QEMU (TCG: no KVM needed) with this machine's root
filesystem shared read-only over virtio-9p, the guest runs the very same
programs (Python, iproute2, the build) with no image to build.

What the guest sees:
  /                 this machine's root, read-only (9p, tag hostroot)
  /proc /sys /dev   its own; /dev/pts, /dev/shm, /sys/fs/bpf too
  /tmp /run /var/tmp  empty tmpfs (writable, in the guest's memory)
  SHARE...          each writable share at the same path as on this machine
  VIEWS/NAME        each read-only view (a directory of this machine, such as
                    a checkout or a build) at a fixed path of the guest's own:
                    view_path(NAME), whatever its path here (under /tmp, with
                    spaces)
  modules           Debian's kernel modules, loaded on demand: the kernel's
                    request_module() runs the initramfs's busybox modprobe,
                    which reads the unpacked package's modules (busybox depmod)

The command runs chrooted into that root with a clean environment; its
standard output goes to a file in the run directory (a writable share), its
standard error and the kernel's messages to the serial console, which is
streamed to our standard error as progress.  An end marker carrying a random
token and the exit status ends the run; the guest powers off.  The guest has
no network device: nothing it does leaves it.
"""

import os
import secrets
import selectors
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import time

from .cpio import Cpio
from .debkernel import fetch_kernel, resolve_modules
from .proc import LabError, progress, run, stop_process

DEFAULT_WORK_DIR = "/var/tmp/sfo-lab-vm"
BUSYBOX = "/bin/busybox"
QEMU = "qemu-system-x86_64"
# What the initramfs loads to reach the root: virtio PCI transport, 9p over it.
BOOT_MODULES = ("virtio_pci", "9pnet_virtio", "9p")
# 1536 MiB + 8 KiB: vmlab's rule (QEMU 7.2 under TCG can lose guest writes
# during migration when the RAM size is a multiple of 256 KiB); harmless here.
MEM = "1572872k"
CPUS = 2
MSIZE = 512000     # 9p message size: fewer round trips for Python's imports
NEWROOT = "/newroot"
# Empty tmpfs in the guest: what lies there on this machine is hidden from it.
HIDDEN = ("/tmp", "/run", "/var/tmp")
# Where the guest mounts its read-only views: on its own /run tmpfs, so that no
# directory of this machine can hide them or be hidden by them.
VIEWS = "/run/sfo-views"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def hidden(path):
    """True when the guest cannot see path of this machine (under a tmpfs of its
    own); the command and what it reads must live elsewhere."""
    path = os.path.realpath(path)
    return any(path == h or path.startswith(h + "/") for h in HIDDEN)


def view_path(name, *rest):
    """Where the guest sees the view NAME (and a path inside it)."""
    if not name or "/" in name or name in (".", ".."):
        raise ValueError(f"view name {name!r}: one path component")
    return os.path.join(VIEWS, name, *rest)


def guest_path(views, path):
    """Where the guest sees path of this machine: inside the innermost view holding
    it (views: {name: host directory}), else at the same path (this machine's
    root); ValueError when the guest cannot see it at all."""
    real = os.path.realpath(path)
    tops = sorted(((os.path.realpath(top), name) for name, top in views.items()),
                  key=lambda x: -len(x[0]))    # the innermost view that holds it
    for top, name in tops:
        if real == top:
            return view_path(name)
        if real.startswith(top + "/"):
            return view_path(name, os.path.relpath(real, top))
    if hidden(real):
        raise ValueError(f"{path} is under {', '.join(HIDDEN)}, which the guest does not "
                         f"see (its own tmpfs there), and in no view")
    return real


def missing_tools():
    """What this machine lacks to boot a guest, as readable reasons (empty: ready)."""
    out = []
    if shutil.which(QEMU) is None:
        out.append(f"{QEMU} (apt-get install qemu-system-x86)")
    if not os.path.exists(BUSYBOX):
        out.append(f"{BUSYBOX} (apt-get install busybox-static)")
    elif not _is_static(BUSYBOX):
        out.append(f"{BUSYBOX} is dynamically linked (apt-get install busybox-static)")
    for tool in ("dpkg-deb", "apt-get"):
        if shutil.which(tool) is None:
            out.append(tool)
    return out


def _is_static(path):
    """True when the ELF file has no program interpreter (PT_INTERP): it runs in an
    initramfs that holds no C library."""
    with open(path, "rb") as f:
        data = f.read(64)
        if data[:4] != b"\x7fELF" or data[4] != 2:
            return False
        phoff, = struct.unpack_from("<Q", data, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    return all(struct.unpack_from("<I", table, i * phentsize)[0] != 3 for i in range(phnum))


# ------------------------------------------------------------------ the kernel

def prepare_kernel(work_dir, log=progress):
    """Debian's kernel, unpacked once under work_dir/kroot/<package file name>, with
    busybox depmod's modules.dep and modules.alias (what the guest's modprobe
    reads).  Returns (kernel version, unpacked root)."""
    kv, deb = fetch_kernel()
    base = os.path.join(work_dir, "kroot")
    kroot = os.path.join(base, os.path.basename(deb)[:-len(".deb")])
    if not os.path.exists(os.path.join(kroot, "lib", "modules", kv, "modules.alias")):
        log(f"guest: unpacking {os.path.basename(deb)}")
        os.makedirs(base, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".unpack-", dir=base)
        try:
            run(["dpkg-deb", "-x", deb, tmp], timeout=300)
            run([BUSYBOX, "depmod", "-b", tmp, kv], timeout=300)
            _keep_requested_aliases(os.path.join(tmp, "lib", "modules", kv, "modules.alias"))
            shutil.rmtree(kroot, ignore_errors=True)
            os.rename(tmp, kroot)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    # unpacked older kernels are of no more use (400 MB each)
    for d in os.listdir(base):
        if os.path.join(base, d) != kroot:
            shutil.rmtree(os.path.join(base, d), ignore_errors=True)
    vmlinuz = os.path.join(kroot, "boot", f"vmlinuz-{kv}")
    if not os.path.exists(vmlinuz):
        raise LabError(f"{deb}: no boot/vmlinuz-{kv} in the package")
    return kv, kroot


def _keep_requested_aliases(path):
    """Drops the device-table aliases (pci:..., usb:..., acpi*:...; 96 % of the file)
    that only udev asks for, and the guest has no udev.  What request_module()
    asks for (rtnl-link-bond, net-pf-16-proto-0, netdev-NAME, fs-9p...) has no
    colon.  Why: busybox modprobe reads the text file at every request; with the
    whole 1.3 MB it takes about 0.35 s under TCG per request, and every ioctl on
    a vanished device name asks for netdev-NAME, so a daemon reacting to a VF's
    removal waited seconds (kmod's binary index answers in milliseconds)."""
    with open(path) as f:
        keep = [ln for ln in f if ":" not in ln.split(" ", 2)[1]]
    with open(path, "w") as f:
        f.writelines(keep)


# ------------------------------------------------------------------ the initramfs

def init_script(kv, kroot, modules, shares, run_dir, token, views=None):
    """The guest's /init: reach the root, mount what a system needs inside it, run
    the command chrooted, report its exit status, power off."""
    q = shlex.quote
    mods = " ".join(m for m, _ in modules)
    n = NEWROOT
    lines = [
        "#!/bin/sh",
        "export PATH=/bin",
        f"fail() {{ echo \"SFO-GUEST-FAIL {token} $*\"; poweroff -f; sleep 60; }}",
        "mount -t proc proc /proc && mount -t sysfs sys /sys && mount -t devtmpfs dev /dev"
        " || fail 'cannot mount proc, sys or dev in the initramfs'",
        f"for m in {mods}; do insmod /boot-modules/$m.ko || fail \"insmod $m\"; done",
        f"mkdir -p {n} /lib/modules/{kv}",
        f"mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize={MSIZE},cache=loose hostroot {n}"
        " || fail 'cannot mount the host root over virtio-9p (tag hostroot)'",
        # Before the tmpfs mounts below may hide it (the work dir is under /var/tmp):
        # request_module() runs /sbin/modprobe in this initramfs, not in the chroot.
        f"mount -o bind {q(n + kroot)}/lib/modules/{kv} /lib/modules/{kv}"
        " || fail 'cannot bind the kernel modules'",
        f"mount -t proc proc {n}/proc && mount -t sysfs sys {n}/sys"
        f" && mount -t devtmpfs dev {n}/dev || fail 'cannot mount proc, sys, dev in the root'",
        f"mkdir -p {n}/dev/pts {n}/dev/shm",
        f"mount -t devpts -o newinstance,ptmxmode=0666 devpts {n}/dev/pts"
        f" && mount -t tmpfs shm {n}/dev/shm || fail 'cannot mount devpts or /dev/shm'",
        f"mount -t bpf bpf {n}/sys/fs/bpf || fail 'cannot mount bpffs on /sys/fs/bpf'",
        f"for d in {' '.join(HIDDEN)}; do mount -t tmpfs -o mode=1777 tmp {n}$d"
        f" || fail \"cannot mount a tmpfs on $d\"; done",
    ]
    for i, name in enumerate(views or {}):
        at = q(n + view_path(name))
        lines.append(f"mkdir -p {at} && mount -t 9p -o ro,trans=virtio,version=9p2000.L,"
                     f"msize={MSIZE},cache=loose ro{i} {at} || fail 'cannot mount view {name}'")
    for i, path in enumerate(shares):
        lines.append(f"mkdir -p {q(n + path)} && mount -t 9p -o trans=virtio,version=9p2000.L,"
                     f"msize={MSIZE} rw{i} {q(n + path)} || fail 'cannot mount share {path}'")
    lines += [
        "ip link set lo up 2>/dev/null",
        f"echo \"SFO-GUEST-READY {token} $(uname -r)\"",
        # standard error through a pipe: the command must not take the console for a
        # terminal (progress lines rewritten in place would never end)
        "mkfifo /stderr && { cat /stderr & } || fail 'cannot make a pipe'",
        f"chroot {n} /bin/sh {q(run_dir + '/command.sh')} </dev/null"
        f" >{q(n + run_dir + '/stdout')} 2>/stderr",
        "rc=$?",
        # what the command left running (it would hold the pipe open): ended, so
        # that cat sees the end of its standard error
        "for p in /proc/[0-9]*; do p=${p#/proc/}; [ $p = 1 ] || [ $p = $! ] ||"
        " kill -9 $p 2>/dev/null; done",
        "wait",
        f"echo; echo \"SFO-GUEST-EXIT {token} $rc\"",
        "sync",
        "poweroff -f",
        "sleep 60",
    ]
    return "\n".join(lines) + "\n"


def initramfs(modules, init_text):
    """The initramfs: a static busybox (every applet linked), the modules that reach
    the root, /init, and /sbin/modprobe for the kernel's module requests."""
    c = Cpio()
    c.host_file(BUSYBOX, "/bin/busybox", 0o755)
    applets = run([BUSYBOX, "--list"]).stdout.split()
    for a in applets:
        if a != "busybox":
            c.symlink(f"/bin/{a}", "busybox")
    c.symlink("/sbin/modprobe", "/bin/busybox")
    for d in ("/proc", "/sys", "/dev", "/lib/modules", "/etc"):
        c.dir(d)
    for name, path in modules:
        c.host_file(path, f"/boot-modules/{name}.ko", 0o644)
    c.file("/init", init_text.encode(), 0o755)
    return c.bytes()


# ------------------------------------------------------------------ running

def command_script(argv, cwd, env):
    """What the guest runs chrooted: the command in a clean environment."""
    q = shlex.quote
    envs = {"PATH": PATH, "HOME": "/root", "LANG": "C.UTF-8", "TERM": "dumb"} | (env or {})
    return (f"cd {q(cwd)} 2>/dev/null || cd /\n"
            f"exec env -i {' '.join(q(f'{k}={v}') for k, v in envs.items())} "
            f"{' '.join(q(a) for a in argv)}\n")


def qemu_name(pid=None):
    """The guest QEMU's -name: which process booted it (leak checks find it by that,
    not by a name every guest of every run on the machine shares)."""
    return f"sfo-lab-guest-{os.getpid() if pid is None else pid}"


def _fsdev_path(path):
    """A path as a value of QEMU's -fsdev option (a comma is doubled)."""
    return path.replace(",", ",,")


def qemu_argv(kernel, initrd, shares, views=None):
    a = [QEMU, "-name", qemu_name(), "-machine", "q35", "-accel", "tcg", "-cpu", "max",
         "-smp", str(CPUS), "-m", MEM, "-nodefaults", "-no-user-config", "-display", "none",
         "-no-reboot", "-nic", "none",
         "-chardev", "stdio,id=con0,signal=off", "-serial", "chardev:con0",
         "-kernel", kernel, "-initrd", initrd,
         # mitigations=off: page-table isolation and friends cost much under TCG and
         # protect nothing in a throwaway guest
         "-append", "console=ttyS0 quiet loglevel=4 panic=-1 mitigations=off",
         "-fsdev", "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap",
         "-device", "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot"]
    for i, path in enumerate(shares):
        a += ["-fsdev", f"local,id=rw{i},path={_fsdev_path(path)},security_model=none",
              "-device", f"virtio-9p-pci,fsdev=rw{i},mount_tag=rw{i}"]
    for i, path in enumerate((views or {}).values()):
        a += ["-fsdev", f"local,id=ro{i},path={_fsdev_path(path)},security_model=none,"
                        f"readonly=on,multidevs=remap",
              "-device", f"virtio-9p-pci,fsdev=ro{i},mount_tag=ro{i}"]
    return a


class Result:
    """What a guest run left: the command's exit status and standard output."""

    def __init__(self, status, stdout):
        self.status, self.stdout = status, stdout


def console_to_stderr(line):
    """The default for a console line: on standard error, marked as the guest's."""
    sys.stderr.write("guest| " + line + "\n")
    sys.stderr.flush()


def run_command(argv, shares=(), cwd="/", env=None, work_dir=DEFAULT_WORK_DIR,
                timeout=900, boot_timeout=120, log=progress, console=console_to_stderr,
                views=None):
    """Boots the guest, runs argv in it (see the module's docstring) and returns a
    Result.  shares: host directories the command may write, mounted at the same
    paths (created here if missing).  views: {name: host directory} the guest
    sees read-only at view_path(name) (guest_path() translates a path).  log(msg) gets our own progress messages,
    console(line) every line of the guest's console.  Raises LabError when the
    guest does not come up within boot_timeout s, the command does not end
    within timeout s, or QEMU fails; QEMU is ended by its PID on any error or
    interruption (an exception raised by a signal handler included)."""
    missing = missing_tools()
    if missing:
        raise LabError(f"cannot boot a guest: missing {', '.join(missing)}")
    views = {name: os.path.realpath(path) for name, path in (views or {}).items()}
    for name, path in views.items():
        view_path(name)
        if not os.path.isdir(path):
            raise LabError(f"view {name}: {path} is not a directory")
    kv, kroot = prepare_kernel(work_dir, log)
    modules = resolve_modules(kroot, kv, BOOT_MODULES)
    runs = os.path.join(work_dir, "runs")
    os.makedirs(runs, exist_ok=True)
    run_dir = tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=runs)
    try:
        shares = [run_dir] + [os.path.abspath(s) for s in shares]
        for s in shares:
            os.makedirs(s, exist_ok=True)
        token = secrets.token_hex(8)
        with open(os.path.join(run_dir, "command.sh"), "w") as f:
            f.write(command_script(argv, cwd, env))
        initrd = os.path.join(run_dir, "initramfs.cpio")
        with open(initrd, "wb") as f:
            f.write(initramfs(modules, init_script(kv, kroot, modules, shares, run_dir,
                                                   token, views)))
        kernel = os.path.join(kroot, "boot", f"vmlinuz-{kv}")
        status = _boot(qemu_argv(kernel, initrd, shares, views), token, run_dir, timeout,
                       boot_timeout, log, console)
        try:
            with open(os.path.join(run_dir, "stdout"), errors="replace") as f:
                out = f.read()
        except OSError:
            out = ""
        return Result(status, out)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def _boot(argv, token, run_dir, timeout, boot_timeout, log, console):
    """Runs QEMU, hands the console's lines to console() and returns the command's
    exit status from the end marker."""
    errpath = os.path.join(run_dir, "qemu.stderr")
    with open(errpath, "w") as err:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=err, start_new_session=True)
    log(f"guest: QEMU pid {p.pid} booting Debian's kernel (TCG, {CPUS} CPUs)")
    try:
        status = _watch(p, token, timeout, boot_timeout, log, console,
                        lambda: _tail(errpath))
        try:
            p.wait(timeout=30)   # poweroff -f after the marker
        except subprocess.TimeoutExpired:
            pass
        return status
    finally:
        stop_process(p)
        p.stdout.close()


def _watch(p, token, timeout, boot_timeout, log, console, qemu_err):
    """Reads the console until the end marker; LabError on a timeout, a failure
    the guest reported, or QEMU ending first."""
    t0 = time.monotonic()
    ready = False
    buf = b""
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ)
    try:
        while True:
            limit = t0 + (timeout if ready else boot_timeout)
            left = limit - time.monotonic()
            if left <= 0:
                what = "finish the command" if ready else "come up (no READY marker)"
                raise LabError(f"the guest did not {what} within "
                               f"{timeout if ready else boot_timeout:g} s")
            if not sel.select(min(left, 1.0)):
                continue
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                p.wait(timeout=10)
                raise LabError(f"QEMU exited (status {p.returncode}) before the command "
                               f"ended: {qemu_err() or 'no message'}")
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for raw in lines:
                line = raw.decode(errors="replace").rstrip("\r")
                words = line.split()
                if len(words) >= 3 and words[1] == token:
                    if words[0] == "SFO-GUEST-READY":
                        ready = True
                        log(f"guest: up after {time.monotonic() - t0:.1f} s, kernel "
                                 f"{words[2]}; running the command")
                        continue
                    if words[0] == "SFO-GUEST-EXIT":
                        return int(words[2])
                    if words[0] == "SFO-GUEST-FAIL":
                        raise LabError(f"guest: {' '.join(words[2:])}")
                if line.strip():
                    console(line)
    finally:
        sel.close()


def _tail(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().strip()[-800:]
    except OSError:
        return ""
