#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Holds a pass-everything XDP program on a veth, to lower its peer's max MTU.

usage: xdp_hold.py IFNAME        (run inside the interface's network namespace)

A veth with an XDP program (one not built for multi-buffer frames) limits the
MTU of its *peer* to what fits in one page (max_mtu about 3500 on 4 KiB
pages; the kernel sets peer->max_mtu).  The integration tests put this on
the host end of a "VF" veth so that the VF really refuses a jumbo MTU.

The program is two instructions (r0 = XDP_PASS; exit), loaded with bpf(2)
through ctypes and attached with a BPF link: it stays attached exactly as long
as this process lives.  Prints "ready" once attached, then waits for stdin to
close or for SIGTERM.  Python 3 standard library only.
"""

import ctypes
import os
import signal
import struct
import sys

BPF_PROG_LOAD = 5
BPF_LINK_CREATE = 28
BPF_PROG_TYPE_XDP = 6
BPF_XDP = 37
SYS_BPF = {"x86_64": 321, "aarch64": 280}
XDP_PASS = 2

# r0 = XDP_PASS (BPF_ALU64 | BPF_MOV | BPF_K); exit (BPF_JMP | BPF_EXIT)
INSNS = struct.pack("<BBhi", 0xB7, 0x00, 0, XDP_PASS) + struct.pack("<BBhi", 0x95, 0, 0, 0)


def bpf(libc, nr, cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    fd = libc.syscall(ctypes.c_long(nr), ctypes.c_int(cmd), buf, ctypes.c_uint(128))
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"bpf({cmd}): {os.strerror(err)}")
    return fd


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    nr = SYS_BPF.get(os.uname().machine)
    if nr is None:
        print(f"xdp_hold: unsupported architecture {os.uname().machine}", file=sys.stderr)
        return 2
    ifindex = int(open(f"/sys/class/net/{sys.argv[1]}/ifindex").read())
    libc = ctypes.CDLL(None, use_errno=True)
    insns = ctypes.create_string_buffer(INSNS, len(INSNS))
    lic = ctypes.create_string_buffer(b"GPL")
    # union bpf_attr, BPF_PROG_LOAD: prog_type, insn_cnt, insns, license,
    # log_level, log_size, log_buf, kern_version, prog_flags, prog_name[16],
    # prog_ifindex, expected_attach_type.
    attr = struct.pack("<IIQQIIQII16sII", BPF_PROG_TYPE_XDP, len(INSNS) // 8,
                       ctypes.addressof(insns), ctypes.addressof(lic), 0, 0, 0, 0, 0,
                       b"sfo_it_pass", 0, BPF_XDP)
    prog = bpf(libc, nr, BPF_PROG_LOAD, attr)
    # BPF_LINK_CREATE: prog_fd, target_ifindex, attach_type, flags.
    link = bpf(libc, nr, BPF_LINK_CREATE, struct.pack("<IIII", prog, ifindex, BPF_XDP, 0))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        os.close(link)
        os.close(prog)
    return 0


if __name__ == "__main__":
    sys.exit(main())
