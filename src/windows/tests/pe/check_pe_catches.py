# SPDX-License-Identifier: BSD-2-Clause
"""Each PE check of check_pe.py fails on an image damaged for it; prints TAP.

  labkit/run check_pe_catches.py SYS EMU_DIR

Damages copies of the cross-built sriovfo.sys (a wrong checksum, a writable
.text, the console subsystem, no relocation directory, an import from
kernel32.dll) and runs the checks on each, and the intact image on an empty
emulation directory, expecting the check each damage is for to report
"not ok".
"""
import os
import struct
import subprocess
import sys
import tempfile

from sfolabkit import tap

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_pe.py")


def optional_header(data):
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    return pe, pe + 24


def wrong_checksum(data):
    _, opt = optional_header(data)
    struct.pack_into("<I", data, opt + 64, 0x1234)


def writable_text(data):
    pe, opt = optional_header(data)
    first = opt + struct.unpack_from("<H", data, pe + 20)[0]
    flags, = struct.unpack_from("<I", data, first + 36)
    struct.pack_into("<I", data, first + 36, flags | 0x80000000)


def console_subsystem(data):
    _, opt = optional_header(data)
    struct.pack_into("<H", data, opt + 68, 3)


def no_relocations(data):
    _, opt = optional_header(data)
    struct.pack_into("<II", data, opt + 112 + 8 * 5, 0, 0)


def user_mode_import(data):
    at = data.find(b"ntoskrnl.exe\0")
    data[at:at + 12] = b"kernel32.dll"


DAMAGES = [
    (wrong_checksum, "image checksum correct"),
    (writable_text, "no section both writable and executable"),
    (console_subsystem, "native subsystem"),
    (no_relocations, "a .reloc section"),
    (user_mode_import, "imports only from NDIS.SYS, ntoskrnl.exe, HAL.dll"),
    (None, "every import is in the NDIS emulation"),  # an emulation without them
]


def failed_checks(path, emu_dir):
    out = subprocess.run([sys.executable, CHECK, path, emu_dir], capture_output=True,
                         text=True, check=False).stdout
    return tap.failed_points(out)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    sys_path, emu_dir = sys.argv[1:]
    with open(sys_path, "rb") as f:
        original = f.read()
    run = tap.Run(len(DAMAGES))
    with tempfile.TemporaryDirectory() as tmp:
        empty = os.path.join(tmp, "empty-emu")
        os.mkdir(empty)
        for i, (damage, check) in enumerate(DAMAGES, 1):
            data = bytearray(original)
            if damage:
                damage(data)
            path = os.path.join(tmp, f"damaged-{i}.sys")
            with open(path, "wb") as f:
                f.write(data)
            failed = failed_checks(path, empty if damage is None else emu_dir)
            name = damage.__name__ if damage else "emulation_without_the_imports"
            run.point(any(check in line for line in failed), f"{name}: '{check}' fails")
    return run.status()


if __name__ == "__main__":
    sys.exit(main())
