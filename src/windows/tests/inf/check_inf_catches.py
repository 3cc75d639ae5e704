# SPDX-License-Identifier: BSD-2-Clause
"""Each check of check_inf.py fails on INFs damaged for it; prints TAP.

  labkit/run check_inf_catches.py NAMES_H FILTER_INF PROTOCOL_INF

Copies the INFs and the names header to a temporary directory, damages one
copy at a time (a protocol name, a GUID, a missing section, a [Version] key,
a file the build does not make...) and runs the checks on it, expecting the
check the damage is for to report "not ok"; the intact copies must pass.
"""
import os
import subprocess
import sys
import tempfile

from sfolabkit import tap

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_inf.py")
FILTER, PROTOCOL, NAMES = "sriovfo.inf", "sriovfo_protocol.inf", "sriovfo_names.h"

# (file, text to replace, its replacement, the check that must fail)
DAMAGES = [
    (PROTOCOL, 'Service, , "sriovfop"', 'Service, , "sriovfoq"',
     "sriovfo_protocol.inf: Ndi\\Service is the protocol's Name"),
    (NAMES, '"sriovfop"', '"sriovfox"',
     "sriovfo_protocol.inf: Ndi\\Service is the protocol's Name"),
    (FILTER, 'NetCfgInstanceId = "{5f1c8a2e', 'NetCfgInstanceId = "{6f1c8a2e',
     "sriovfo.inf: NetCfgInstanceId is the filter's UniqueName"),
    (NAMES, '"{5f1c8a2e', '"{7f1c8a2e',
     "sriovfo.inf: NetCfgInstanceId is the filter's UniqueName"),
    (FILTER, "AddService = sriovfo,", "AddService = sriovfo2,",
     "sriovfo.inf: Ndi\\Service is the filter's ServiceName"),
    (FILTER, 'HKR, Ndi, Service, , "sriovfo"', 'HKR, Ndi, Service, , "ndislwf"',
     "sriovfo.inf: Ndi\\Service is the filter's ServiceName"),
    (FILTER, "AddReg           = Filter.Ndi", "AddReg           = Filter.Ndi, Filter.Extra",
     "sriovfo.inf: every section it names exists"),
    (PROTOCOL, "AddService = sriovfop, , Protocol.Service", "AddService = sriovfop, , Protocol.Svc",
     "sriovfo_protocol.inf: every section it names exists"),
    (PROTOCOL, "PnpLockdown = 1", "",
     "sriovfo_protocol.inf: [Version] of a NetTrans INF"),
    (FILTER, "ClassGUID   = {4D36E974", "ClassGUID   = {4D36E975",
     "sriovfo.inf: [Version] of a NetService INF"),
    (FILTER, "%Manufacturer% = SFO, NTamd64", "%Manufacturer% = SFO, NTx86",
     "sriovfo.inf: [Version] of a NetService INF"),
    (FILTER, "[Filter.Files]\nsriovfo.sys", "[Filter.Files]\nsriovfo.dll, , , 2\nsriovfo.sys",
     "sriovfo.inf: every file it copies has a source disk and is one the build produces"),
    (PROTOCOL, "ServiceBinary  = %12%\\sriovfo.sys", "ServiceBinary  = %12%\\sriovfop.sys",
     "sriovfo_protocol.inf: Ndi\\Service is the protocol's Name, a demand-start"),
    (PROTOCOL, "StartType      = 3", "StartType      = 1",
     "sriovfo_protocol.inf: Ndi\\Service is the protocol's Name, a demand-start"),
    (FILTER, "ServiceType    = 1", "ServiceType    = 2",
     "sriovfo.inf: Ndi\\Service is the filter's ServiceName"),
    (FILTER, "HelpText, , %FilterHelp%", "HelpText, , %FilterHelpText%",
     "sriovfo.inf: every %string% is defined"),
    (FILTER, "Characteristics  = 0x40000", "Characteristics  = 0x40400",
     "sriovfo.inf: a modifying lightweight filter"),
    (FILTER, 'FilterMediaTypes, , "ethernet"', 'FilterMediaTypes, , "wlan"',
     "sriovfo.inf: a modifying lightweight filter"),
    (FILTER, "FilterType, 0x00010001, 2", "FilterType, 0x00010001, 1",
     "sriovfo.inf: a modifying lightweight filter"),
    (FILTER, "FilterRunType, 0x00010001, 2", "FilterRunType, , 2",
     "sriovfo.inf: a modifying lightweight filter"),
    (PROTOCOL, "Characteristics = 0x0", "Characteristics = 0x10",
     "sriovfo_protocol.inf: a protocol binding adapters"),
    (PROTOCOL, 'LowerRange, , "ndis5"', 'LowerRange, , "nolower"',
     "sriovfo_protocol.inf: a protocol binding adapters"),
]


def run_check(work, package):
    args = [sys.executable, CHECK, "--names", os.path.join(work, NAMES),
            "--produces", "sriovfo.sys"] + (["--package"] if package else []) + \
        [os.path.join(work, FILTER), os.path.join(work, PROTOCOL)]
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    return out.returncode, out.stdout.splitlines(), out.stderr.strip()


def damaged(work, originals, name, old, new):
    for n, text in originals.items():
        with open(os.path.join(work, n), "w", encoding="utf-8") as f:
            f.write(text)
    if old not in originals[name]:
        raise ValueError(f"{name}: {old!r} not found: the damage no longer applies")
    with open(os.path.join(work, name), "w", encoding="utf-8") as f:
        f.write(originals[name].replace(old, new, 1))


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    originals = {}
    for path, name in zip(sys.argv[1:], (NAMES, FILTER, PROTOCOL)):
        with open(path, encoding="utf-8") as f:
            originals[name] = f.read()
    run = tap.Run(len(DAMAGES) + 2)
    with tempfile.TemporaryDirectory() as work:
        damaged(work, originals, FILTER, "", "")
        rc, lines, err = run_check(work, False)
        failed = tap.failed_points("\n".join(lines))
        ok = rc == 0 and lines and not failed
        run.point(ok, "the intact copies pass every check"
                  + ("" if ok else f" (exit {rc}: {err or failed})"))
        # The intact INFs alone, without the driver beside them.
        rc, lines, err = run_check(work, True)
        failed = tap.failed_points("\n".join(lines))
        ok = rc != 0 and failed and all("is one the build produces" in x for x in failed)
        run.point(ok, "--package without sriovfo.sys beside the INFs fails"
                  + ("" if ok else f" ({failed or err})"))
        for name, old, new, expected in DAMAGES:
            damaged(work, originals, name, old, new)
            rc, lines, err = run_check(work, False)
            failed = tap.failed_points("\n".join(lines))
            ok = rc != 0 and any(expected in x for x in failed)
            run.point(ok, f"{name}: {old.strip()!r} -> {new.strip()!r} fails \"{expected}\""
                      + ("" if ok else f" (failed: {failed or err})"))
    return run.status()


if __name__ == "__main__":
    sys.exit(main())
