# SPDX-License-Identifier: BSD-2-Clause
"""Each check of check_pe_exe.py fails on a copy of sriov-failover.exe damaged for it; prints TAP.

  labkit/run check_pe_exe_catches.py EXE
"""
import os
import struct
import subprocess
import sys
import tempfile

from sfolabkit import tap

from check_pe_catches import no_relocations, optional_header, writable_text

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_pe_exe.py")


def native_subsystem(data):
    _, opt = optional_header(data)
    struct.pack_into("<H", data, opt + 68, 1)


def kernel_import(data):
    at = data.lower().find(b"iphlpapi.dll\0")
    data[at:at + 12] = b"ntoskrnl.exe"


def no_nx(data):
    _, opt = optional_header(data)
    flags, = struct.unpack_from("<H", data, opt + 70)
    struct.pack_into("<H", data, opt + 70, flags & ~0x100)


DAMAGES = [
    (native_subsystem, "console subsystem"),
    (kernel_import, "imports only from"),
    (no_relocations, "relocatable"),
    (no_nx, "NX compatible"),
    (writable_text, "no section both writable and executable"),
]


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        original = f.read()
    run = tap.Run(len(DAMAGES) + 1)
    with tempfile.TemporaryDirectory() as tmp:
        for i, (damage, check) in enumerate([(None, None)] + DAMAGES, 1):
            data = bytearray(original)
            if damage:
                damage(data)
            path = os.path.join(tmp, f"damaged-{i}.exe")
            with open(path, "wb") as f:
                f.write(data)
            out = subprocess.run([sys.executable, CHECK, path], capture_output=True, text=True,
                                 check=False).stdout
            failed = tap.failed_points(out)
            if damage is None:
                ok, name = not failed and "ok 1" in out, "intact image: every check passes"
            else:
                ok = any(check in line for line in failed)
                name = f"{damage.__name__}: '{check}' fails"
            run.point(ok, name)
    return run.status()


if __name__ == "__main__":
    sys.exit(main())
