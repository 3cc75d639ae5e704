# SPDX-License-Identifier: BSD-2-Clause
"""Checks the cross-built sriovfo.sys as a Windows x64 kernel driver; prints TAP.

  labkit/run check_pe.py SYS EMU_DIR

EMU_DIR holds the NDIS emulation's C sources: every function the driver
imports must be defined there (or be one of the C runtime functions that
ntoskrnl.exe exports and the native build takes from libc), so the emulation
runs all the code the image can call.
"""
import os
import re
import sys

from sfolabkit import pe, tap

KERNEL_DLLS = {"ndis.sys", "ntoskrnl.exe", "hal.dll"}
C_RUNTIME = {"memset", "memcpy", "memmove", "memcmp"}


def emulated_functions(emu_dir):
    names = set()
    definition = re.compile(r"^[A-Za-z_][\w \t\*]*?\b(\w+)\s*\([^;{]*\)\s*$", re.M)
    for name in sorted(os.listdir(emu_dir)):
        if name.endswith(".c"):
            with open(os.path.join(emu_dir, name), encoding="utf-8") as f:
                names.update(definition.findall(f.read()))
    return names


def checks(image, emu_dir):
    imports = image.imports()
    yield image.subsystem == pe.SUBSYSTEM_NATIVE, \
        f"native subsystem (subsystem {image.subsystem})"
    others = sorted(d for d in imports if d.lower() not in KERNEL_DLLS)
    yield not others, "imports only from NDIS.SYS, ntoskrnl.exe, HAL.dll" + \
        (f" (also: {', '.join(others)})" if others else "")
    emulated = emulated_functions(emu_dir)
    missing = sorted(f"{d}!{n}" for d, names in imports.items() for n in names
                     if n not in emulated and n not in C_RUNTIME)
    yield not missing, "every import is in the NDIS emulation" + \
        (f" (missing: {', '.join(missing)})" if missing else "")
    rva, size = image.directory(pe.DIR_BASERELOC)
    has_reloc = any(s.name == ".reloc" for s in image.sections) and rva and size
    yield bool(has_reloc), "a .reloc section (relocatable image)"
    wx = [s.name for s in image.sections if s.writable and s.executable]
    yield not wx, "no section both writable and executable" + \
        (f" ({', '.join(wx)})" if wx else "")
    computed = image.computed_checksum()
    yield image.checksum == computed, \
        f"image checksum correct (header {image.checksum:#x}, computed {computed:#x})"


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    sys_path, emu_dir = sys.argv[1:]
    try:
        image = pe.read(sys_path)
    except (OSError, pe.PEError) as e:
        print(f"check_pe: {sys_path}: {e}", file=sys.stderr)
        return 1
    results = list(checks(image, emu_dir))
    return tap.report(results)


if __name__ == "__main__":
    sys.exit(main())
