# SPDX-License-Identifier: BSD-2-Clause
"""One QEMU process (TCG) in the lab namespace, with its QMP socket, console log
and command channel; a second QMP socket and the guest agent's socket for the
host tool (dist/host/sriov-failover-host)."""

import os
import subprocess
import time

from sfolabkit.proc import LabError, progress, stop_process

from .console import GuestChannel
from .netlab import GUEST_IP, MAC, PREFIXLEN
from .qmp import QMP

# 256 MiB + 8 KiB: a RAM size that is not a multiple of 256 KiB keeps QEMU 7.2
# on the per-page dirty bitmap sync, which avoids lost guest writes under TCG
# (fixed upstream in 9.0, commit 03bfc2188f).
MEM = "262152k"
PRIMARY_ID = "hostdev0"
STANDBY_ID = "net1"
# The primary's properties but its driver (-device, device_add)
PRIMARY_PROPS = "netdev=hn1,id=%s,mac=%s,bus=rp1,romfile=" % (PRIMARY_ID, MAC)


class VM:
    def __init__(self, ctx, lab, name, mode, side, primary, incoming_port=None):
        """side: 'S' or 'D' (which taps); primary: plug the e1000e at start."""
        self.ctx = ctx
        self.lab = lab
        self.name = name
        self.mode = mode
        self.side = side
        self.taps = ("tap%s0" % side, "tap%s1" % side)
        self.primary = primary
        self.incoming_port = incoming_port
        d = ctx.run_dir
        self.qmp_path = os.path.join(d, name + ".qmp")
        self.host_qmp_path = os.path.join(d, name + ".hqmp")   # the host tool's monitor
        self.qga_path = os.path.join(d, name + ".qga")         # qemu-guest-agent
        self.chan_path = os.path.join(d, name + ".chan")
        self.con_path = os.path.join(d, name + ".con")
        self.console_log = os.path.join(d, name + ".console.log")
        self.stderr_log = os.path.join(d, name + ".qemu.log")
        self.proc = None
        self.qmp = None
        self._chan = None
        self._entry = None
        self.t_start = None

    def cmdline(self):
        img = self.ctx.image
        fo = self.mode == "net_failover"
        append = ("console=ttyS0 panic=-1 quiet loglevel=4 sfovm.mode=%s sfovm.ip=%s/%d"
                  % (self.mode, GUEST_IP, PREFIXLEN))
        a = ["qemu-system-x86_64", "-name", "sfovm-" + self.name,
             "-machine", "q35,accel=tcg", "-cpu", "qemu64", "-m", MEM, "-smp", "1",
             "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
             "-kernel", img.kernel, "-initrd", img.initrd, "-append", append,
             "-chardev", "socket,id=con0,path=%s,server=on,wait=off,logfile=%s"
             % (self.con_path, self.console_log),
             "-serial", "chardev:con0",
             "-chardev", "socket,id=chan0,path=%s,server=on,wait=off" % self.chan_path,
             "-serial", "chardev:chan0",
             "-chardev", "socket,id=qmp0,path=%s,server=on,wait=off" % self.qmp_path,
             "-mon", "chardev=qmp0,mode=control",
             # QMP events go to every monitor: the lab still sees all it measures
             "-chardev", "socket,id=qmp1,path=%s,server=on,wait=off" % self.host_qmp_path,
             "-mon", "chardev=qmp1,mode=control",
             "-device", "virtio-serial-pci,id=vser0,bus=pcie.0,addr=0x5",
             "-chardev", "socket,id=qga0,path=%s,server=on,wait=off" % self.qga_path,
             "-device", "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0",
             "-device", "pcie-root-port,id=rp0,chassis=1,bus=pcie.0,addr=0x3",
             "-device", "pcie-root-port,id=rp1,chassis=2,bus=pcie.0,addr=0x4",
             "-netdev", "tap,id=hn0,ifname=%s,script=no,downscript=no" % self.taps[0],
             "-device", "virtio-net-pci,netdev=hn0,id=%s,mac=%s,bus=rp0%s"
             % (STANDBY_ID, MAC, ",failover=on" if fo else ""),
             "-netdev", "tap,id=hn1,ifname=%s,script=no,downscript=no" % self.taps[1]]
        if self.primary:
            a += ["-device", self.primary_device(fo)]
        if self.incoming_port:
            a += ["-incoming", "tcp:127.0.0.1:%d" % self.incoming_port]
        return a

    @staticmethod
    def primary_device(failover):
        # romfile= : without it the destination rejects the migration
        s = "e1000e," + PRIMARY_PROPS
        return s + (",failover_pair_id=%s" % STANDBY_ID if failover else "")

    def start(self):
        for p in (self.qmp_path, self.chan_path, self.con_path, self.host_qmp_path,
                  self.qga_path):
            if os.path.exists(p):
                os.unlink(p)
        cmd = self.lab.ns("lab", *self.cmdline())
        with open(os.path.join(self.ctx.run_dir, self.name + ".cmdline"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        err = open(self.stderr_log, "w")
        self.t_start = time.time()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        err.close()
        self._entry = self.ctx.cleanup.push("stop QEMU %s pid %d" % (self.name, self.proc.pid), self.stop)
        try:
            self.qmp = QMP(self.qmp_path, self.name, log=self.ctx.qmp_log, timeout=30)
        except Exception as e:
            raise LabError("QEMU %s did not start: %s\n%s" % (self.name, e, self.stderr_tail())) from e
        progress("%s: QEMU pid %d started (%s%s)" % (
            self.name, self.proc.pid, self.mode,
            ", incoming on port %d" % self.incoming_port if self.incoming_port else ""))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr_tail(self):
        try:
            with open(self.stderr_log, errors="replace") as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    @property
    def chan(self):
        if self._chan is None:
            self._chan = GuestChannel(self.chan_path, self.name, log=self.ctx.chan_log)
        return self._chan

    def console_text(self):
        try:
            with open(self.console_log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_booted(self, timeout):
        t0 = time.time()
        end = t0 + timeout
        while "SFOVM-READY" not in self.console_text():
            if not self.alive():
                raise LabError("QEMU %s exited during boot:\n%s" % (self.name, self.stderr_tail()))
            if time.time() > end:
                raise LabError("guest %s not booted in %.0fs; console tail:\n%s"
                               % (self.name, timeout, self.console_text()[-1500:]))
            time.sleep(0.2)
        self.chan.wait_ready(max(10.0, end - time.time()), alive=self.alive)
        return time.time() - self.t_start

    def stop(self):
        if self._chan:
            self._chan.close()
            self._chan = None
        if self.qmp and self.alive():
            try:
                self.qmp.cmd("quit", timeout=5)
            except Exception:
                pass
        if self.proc:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                stop_process(self.proc)
        if self.qmp:
            self.qmp.close()
        if self._entry:
            self.ctx.cleanup.done(self._entry)
            self._entry = None
