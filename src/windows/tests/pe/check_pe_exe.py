# SPDX-License-Identifier: BSD-2-Clause
"""Checks the cross-built sriov-failover.exe as a Windows x64 console program; prints TAP.

  labkit/run check_pe_exe.py EXE

Console subsystem; imports only from the user-mode system DLLs it is meant
to use; relocatable (a base relocation directory, ASLR) and NX; no section
both writable and executable.
"""
import sys

from sfolabkit import pe, tap

# the C runtime, the service and registry API, COM (INetCfg), the interface
# index to GUID conversion, device notifications, the rest of Win32
SYSTEM_DLLS = {"msvcrt.dll", "advapi32.dll", "ole32.dll", "iphlpapi.dll", "user32.dll",
               "kernel32.dll"}


def checks(image):
    yield image.subsystem == pe.SUBSYSTEM_WINDOWS_CUI, \
        f"console subsystem (subsystem {image.subsystem})"
    others = sorted(d for d in image.imports() if d.lower() not in SYSTEM_DLLS)
    yield not others, "imports only from " + ", ".join(sorted(SYSTEM_DLLS)) + \
        (f" (also: {', '.join(others)})" if others else "")
    rva, size = image.directory(pe.DIR_BASERELOC)
    relocatable = bool(rva and size) and bool(image.dll_characteristics &
                                              pe.DLLCHAR_DYNAMIC_BASE)
    yield relocatable, "relocatable (base relocations, dynamic base)"
    yield bool(image.dll_characteristics & pe.DLLCHAR_NX_COMPAT), "NX compatible"
    wx = [s.name for s in image.sections if s.writable and s.executable]
    yield not wx, "no section both writable and executable" + \
        (f" ({', '.join(wx)})" if wx else "")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        image = pe.read(sys.argv[1])
    except (OSError, pe.PEError) as e:
        print(f"check_pe_exe: {sys.argv[1]}: {e}", file=sys.stderr)
        return 1
    results = list(checks(image))
    return tap.report(results)


if __name__ == "__main__":
    sys.exit(main())
