# SPDX-License-Identifier: BSD-2-Clause
"""Checks sriovfo.sys's INF files against each other, the INF rules for a
network filter and protocol, and the names DriverEntry registers; prints TAP.

  labkit/run check_inf.py --names NAMES_H --produces FILE [--produces FILE...]
                          [--package] FILTER_INF PROTOCOL_INF

NAMES_H is src/windows/driver/sriovfo_names.h (the filter's UniqueName and
ServiceName, the protocol's Name). Each --produces names a file the build
makes (its directory is ignored): every file an INF copies must be one.
With --package every copied file must also sit beside the INFs, as in the
cross build's driver directory.

Nothing here is Windows' own validation (infverif, netcfg): those did not run.
"""
import argparse
import os
import re
import sys

from sfolabkit import inf as inflib
from sfolabkit import tap

NET_SERVICE_GUID = "{4D36E974-E325-11CE-BFC1-08002BE10318}"
NET_TRANS_GUID = "{4D36E975-E325-11CE-BFC1-08002BE10318}"
NCF_HIDDEN, NCF_NO_SERVICE, NCF_NOT_USER_REMOVABLE, NCF_HAS_UI = 0x8, 0x10, 0x20, 0x80
NCF_FILTER, NCF_LW_FILTER = 0x400, 0x40000
REG_DWORD = 0x00010001  # FLG_ADDREG_TYPE_DWORD
DIRID_DRIVERS = "12"  # %SystemRoot%\System32\drivers
DRIVER_VER = re.compile(r"^\d{2}/\d{2}/\d{4}\s*,\s*\d+(\.\d+){0,3}$")
BINARY = re.compile(r"^%(\d+)%\\([^\\]+)$")


def read_names(path):
    """The #define SFO_WIN_* "..." of the names header."""
    with open(path, encoding="utf-8") as f:
        found = dict(re.findall(r'^#define\s+(SFO_WIN_\w+)\s+"([^"]*)"', f.read(), re.M))
    wanted = ("SFO_WIN_FILTER_UNIQUE_NAME", "SFO_WIN_FILTER_SERVICE", "SFO_WIN_PROTOCOL_NAME")
    missing = [n for n in wanted if n not in found]
    if missing:
        raise ValueError(f"{path}: no #define for {', '.join(missing)}")
    return found


class Component:
    """What one INF installs for x64: its install section, the HKR values its
    AddReg sections write, its services and the files it copies."""

    def __init__(self, inf):
        self.inf = inf
        self.missing = []  # sections named but absent, "[where] names [what]"
        self.models = []   # (install section, hw-id, models section) for NTamd64
        self.decorations = []
        for e in inf.entries("Manufacturer"):
            fields = [inf.expand(f) for f in e.fields]
            base, decorations = fields[0], [d for d in fields[1:] if d]
            self.decorations += [d.lower() for d in decorations]
            for d in decorations or [None]:
                models = f"{base}.{d}" if d else base
                if not self.need("Manufacturer", models):
                    continue
                if d and d.lower().startswith("ntamd64"):
                    for m in inf.entries(models):
                        f = [inf.expand(x) for x in m.fields] + [""]
                        self.models.append((f[0], f[1], models))
        self.ndi, self.services, self.copies = {}, [], []
        for install, _, models in self.models:
            if not self.need(models, install):
                continue
            for section in inf.listed(install, "AddReg"):
                if self.need(install, section):
                    for root, sub, name, flags, value in inf.reg_values(section):
                        if root.upper() == "HKR":
                            self.ndi[(sub.lower(), name.lower())] = (flags, value)
            for section in inf.listed(install, "CopyFiles"):
                if not section.startswith("@") and self.need(install, section):
                    self.copies += [(section, inf.expand(e.fields[0]))
                                    for e in inf.entries(section) if e.key is None]
            services = install + ".Services"
            for fields in inf.values(services, "AddService"):
                fields += [""] * 4
                if self.need(services, fields[2]):
                    self.services.append((fields[0], fields[2]))
                    for section in inf.listed(fields[2], "AddReg"):
                        self.need(fields[2], section)
                if fields[3]:
                    self.need(services, fields[3])
        for e in inf.entries("DestinationDirs"):
            if e.key and e.key.lower() != "defaultdestdir":
                self.need("DestinationDirs", e.key)

    def need(self, where, section):
        if section and self.inf.has(section):
            return True
        self.missing.append(f"[{where}] names [{section}]")
        return False

    def reg(self, sub, name):
        """The (flags, value) an AddReg line writes under HKR\\sub, or None."""
        return self.ndi.get((sub.lower(), name.lower()))

    def reg_int(self, sub, name):
        got = self.reg(sub, name)
        try:
            return int(got[1], 0) if got else None
        except ValueError:
            return None

    def dest_dir(self, copy_section):
        inf = self.inf
        return inf.value("DestinationDirs", copy_section) or \
            inf.value("DestinationDirs", "DefaultDestDir")


def version_problems(c, cls, guid):
    inf, p = c.inf, []
    if (inf.value("Version", "Signature") or "").lower() != "$windows nt$":
        p.append('Signature is not "$Windows NT$"')
    if inf.value("Version", "Class") != cls:
        p.append(f"Class is not {cls}")
    if (inf.value("Version", "ClassGUID") or "").upper() != guid:
        p.append(f"ClassGUID is not {guid} ({cls})")
    for key in ("Provider", "CatalogFile"):
        if not inf.value("Version", key):
            p.append(f"no {key}")
    ver = ",".join(f for fs in inf.values("Version", "DriverVer") for f in fs)
    if not DRIVER_VER.match(ver):
        p.append(f"DriverVer {ver!r} is not mm/dd/yyyy,w.x.y.z")
    if inf.value("Version", "PnpLockdown") != "1":
        p.append("PnpLockdown is not 1")
    if "ntamd64" not in [d.split(".")[0] for d in c.decorations]:
        p.append("no NTamd64 models section")
    elif not c.models:
        p.append("the NTamd64 models section installs nothing")
    return p


def file_problems(c, produces, package_dir):
    inf, p = c.inf, []
    disks = {e.key for e in inf.entries("SourceDisksNames") if e.key}
    sources = {e.key.lower(): e.fields[0] for e in inf.entries("SourceDisksFiles") if e.key}
    if not c.copies:
        p.append("copies no file")
    for section, name in c.copies:
        if not c.dest_dir(section):
            p.append(f"[{section}] has no [DestinationDirs] entry")
        disk = sources.get(name.lower())
        if disk is None:
            p.append(f"{name} is not in [SourceDisksFiles]")
        elif disk not in disks:
            p.append(f"{name}'s disk {disk} is not in [SourceDisksNames]")
        if name.lower() not in produces:
            p.append(f"{name} is not a file the build produces")
        elif package_dir and not os.path.isfile(os.path.join(package_dir, name)):
            p.append(f"{name} is not beside the INF in {package_dir}")
    return p


def service_problems(c, service, start_type):
    """The one AddService must add `service`, a kernel driver whose binary is
    a file the INF copies to System32\\drivers."""
    inf, p = c.inf, []
    if [s for s, _ in c.services] != [service]:
        return [f"adds services {[s for s, _ in c.services]}, not just {service!r}"]
    section = c.services[0][1]
    if inf.value(section, "ServiceType") != "1":
        p.append("ServiceType is not 1 (kernel driver)")
    if inf.value(section, "StartType") != str(start_type):
        p.append(f"StartType is not {start_type}")
    if not inf.value(section, "ErrorControl"):
        p.append("no ErrorControl")
    binary = inf.value(section, "ServiceBinary") or ""
    m = BINARY.match(binary)
    if not m:
        p.append(f"ServiceBinary {binary!r} is not %dirid%\\file")
    elif m.group(1) != DIRID_DRIVERS:
        p.append(f"ServiceBinary is in %{m.group(1)}%, not %{DIRID_DRIVERS}% (System32\\drivers)")
    elif not any(n.lower() == m.group(2).lower() and c.dest_dir(s) == m.group(1)
                 for s, n in c.copies):
        p.append(f"ServiceBinary {m.group(2)} is not a file the INF copies to %{m.group(1)}%")
    return p


def interfaces_problems(c, upper, lower):
    p = []
    got_upper = (c.reg("Ndi\\Interfaces", "UpperRange") or (0, None))[1]
    got_lower = (c.reg("Ndi\\Interfaces", "LowerRange") or (0, None))[1]
    if got_upper != upper:
        p.append(f"UpperRange is {got_upper!r}, not {upper!r}")
    if got_lower is None or lower not in [x.strip() for x in got_lower.split(",")]:
        p.append(f"LowerRange {got_lower!r} does not list {lower!r}")
    return p


def filter_checks(c, names, produces, package_dir):
    inf, unique, service = c.inf, names["SFO_WIN_FILTER_UNIQUE_NAME"], names["SFO_WIN_FILTER_SERVICE"]
    install = c.models[0][0] if c.models else ""
    yield version_problems(c, "NetService", NET_SERVICE_GUID), \
        "[Version] of a NetService INF, models for NTamd64"
    yield c.missing, "every section it names exists"
    yield [f"%{t}% ([{s}] line {n})" for s, n, t in inf.undefined_strings()], \
        "every %string% is defined in [Strings]"
    yield file_problems(c, produces, package_dir), \
        "every file it copies has a source disk and is one the build produces"
    got = inf.value(install, "NetCfgInstanceId")
    yield ([] if got == unique else [f"NetCfgInstanceId is {got!r}, the driver's {unique!r}"]), \
        "NetCfgInstanceId is the filter's UniqueName"
    p = []
    got = (c.reg("Ndi", "Service") or (0, None))[1]
    if got != service:
        p.append(f"Ndi\\Service is {got!r}, the driver's {service!r}")
    co = c.reg("Ndi", "CoServices")
    if not co or service not in co[1].split(","):
        p.append(f"Ndi\\CoServices does not list {service!r}")
    yield p + service_problems(c, service, 1), \
        "Ndi\\Service is the filter's ServiceName, a system-start kernel service of a copied file"
    p = []
    chars = int(inf.value(install, "Characteristics") or "0", 0)
    if not chars & NCF_LW_FILTER or chars & NCF_FILTER:
        p.append(f"Characteristics {chars:#x} must have NCF_LW_FILTER (0x40000), not NCF_FILTER (0x400)")
    for name in ("FilterType", "FilterRunType"):
        if (c.reg("Ndi", name) or (0, ""))[0] != REG_DWORD:
            p.append(f"{name} is not written as a REG_DWORD (flags 0x00010001)")
    if c.reg_int("Ndi", "FilterType") != 2:
        p.append("FilterType is not 2 (modifying: it sends NBLs of its own)")
    if c.reg_int("Ndi", "FilterRunType") not in (1, 2):
        p.append("FilterRunType is not 1 (mandatory) or 2 (optional)")
    if not (c.reg("Ndi", "FilterClass") or (0, ""))[1]:
        p.append("no FilterClass")
    media = (c.reg("Ndi\\Interfaces", "FilterMediaTypes") or (0, None))[1]
    if media != "ethernet":
        p.append(f"FilterMediaTypes is {media!r}, not 'ethernet'")
    yield p + interfaces_problems(c, "noupper", "nolower"), \
        "a modifying lightweight filter over Ethernet (Characteristics, FilterType, FilterRunType, " \
        "FilterClass, FilterMediaTypes, noupper/nolower)"


def protocol_checks(c, names, produces, package_dir):
    inf, name = c.inf, names["SFO_WIN_PROTOCOL_NAME"]
    install = c.models[0][0] if c.models else ""
    yield version_problems(c, "NetTrans", NET_TRANS_GUID), \
        "[Version] of a NetTrans INF, models for NTamd64"
    yield c.missing, "every section it names exists"
    yield [f"%{t}% ([{s}] line {n})" for s, n, t in inf.undefined_strings()], \
        "every %string% is defined in [Strings]"
    yield file_problems(c, produces, package_dir), \
        "every file it copies has a source disk and is one the build produces"
    p = []
    got = (c.reg("Ndi", "Service") or (0, None))[1]
    if got != name:
        p.append(f"Ndi\\Service is {got!r}, the driver's protocol Name {name!r}")
    # Demand start: the filter's system-start service loads the shared image.
    yield p + service_problems(c, name, 3), \
        "Ndi\\Service is the protocol's Name, a demand-start kernel service of a copied file"
    p = []
    chars = int(inf.value(install, "Characteristics") or "-1", 0)
    allowed = NCF_HIDDEN | NCF_NOT_USER_REMOVABLE | NCF_HAS_UI
    if chars < 0 or chars & ~allowed:
        p.append(f"Characteristics {chars:#x} is not a protocol's (0x8, 0x20, 0x80; "
                 "not NCF_NO_SERVICE: the protocol needs its service)")
    yield p + interfaces_problems(c, "noupper", "ndis5"), \
        "a protocol binding adapters (Characteristics, noupper/ndis5)"


def same_image(filt, prot):
    def binaries(c):
        return {(c.inf.value(s, "ServiceBinary") or "").lower() for _, s in c.services}
    a, b = binaries(filt), binaries(prot)
    return ([] if a == b and len(a) == 1 else [f"filter {sorted(a)}, protocol {sorted(b)}"]), \
        "the filter's and the protocol's services name the same image"


def run(args):
    names = read_names(args.names)
    produces = {os.path.basename(p).lower() for p in args.produces}
    comps = {}
    for path in args.infs:
        with open(path, encoding="utf-8-sig") as f:
            inf = inflib.INF(f.read(), os.path.basename(path))
        package_dir = os.path.dirname(os.path.abspath(path)) if args.package else None
        comps[inf.value("Version", "Class")] = (Component(inf), package_dir)
    results = []
    for cls, checks in (("NetService", filter_checks), ("NetTrans", protocol_checks)):
        if cls not in comps:
            results.append((False, f"one of the INFs is a {cls} INF"))
            continue
        c, package_dir = comps[cls]
        for problems, what in checks(c, names, produces, package_dir):
            text = f"{c.inf.name}: {what}"
            results.append((not problems, text + (f" ({'; '.join(problems)})" if problems else "")))
    if "NetService" in comps and "NetTrans" in comps:
        problems, what = same_image(comps["NetService"][0], comps["NetTrans"][0])
        results.append((not problems, what + (f" ({'; '.join(problems)})" if problems else "")))
    return results


def main():
    ap = argparse.ArgumentParser(description="Checks sriovfo.sys's INF files; prints TAP.")
    ap.add_argument("--names", required=True, help="src/windows/driver/sriovfo_names.h")
    ap.add_argument("--produces", action="append", default=[], metavar="FILE",
                    help="a file the build produces (repeatable)")
    ap.add_argument("--package", action="store_true",
                    help="every copied file must sit beside the INFs")
    ap.add_argument("infs", nargs=2, metavar="INF", help="the filter's and the protocol's INF")
    args = ap.parse_args()
    try:
        results = run(args)
    except (OSError, ValueError, inflib.INFError) as e:
        print(f"check_inf: {e}", file=sys.stderr)
        return 1
    return tap.report(results)


if __name__ == "__main__":
    sys.exit(main())
