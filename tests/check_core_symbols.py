#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""What the core's libraries define and need, from nm.

libsfo-core, the engine a kernel driver links: every global it defines is
named sfo_*, what it needs from outside is exactly ENGINE_NEEDS (documented
in include/sfo/engine.h and README, "The engine"), and its objects depend on
each other one way (no cycle, e.g. pair.c never calls back into engine.c).
libsfo-config, the hosted parser: every global it defines is named sfo_*
(left out where it is not built: the Windows kernel's cross build).

  check_core_symbols.py [--nm NM] LIBSFO-CORE.a [LIBSFO-CONFIG.a]
"""
import argparse
import os
import re
import subprocess
import sys

ENGINE_NEEDS = {'memcpy', 'memmove', 'memset', 'memcmp'}
# Calls a sanitizer or coverage build adds to every object, and the GOT
# that position-independent code refers to (the linker makes it).
INSTRUMENTATION = re.compile(
    r'^(__asan_|__ubsan_|__sanitizer_|__msan_|__tsan_|__gcov_|__llvm_|_GLOBAL_OFFSET_TABLE_$)')
# nm types of defined globals (weak ones too); 'U' is undefined.
GLOBAL_DEFINED = set('ABCDGIRSTVW')


def symbols(nm, lib):
    """{object: (defined globals, undefined)} of the archive @lib."""
    out = subprocess.run([nm, '-P', '-A', lib], check=True, capture_output=True,
                         text=True).stdout
    objs = {}
    for line in out.splitlines():
        m = re.match(r'^(.*?)(?:\[(.*)\])?: (\S+) (\S)', line)
        if not m:
            continue
        obj = os.path.basename(m.group(2) or m.group(1))
        name, kind = m.group(3), m.group(4)
        defined, undefined = objs.setdefault(obj, (set(), set()))
        if kind == 'U':
            undefined.add(name)
        elif kind in GLOBAL_DEFINED:
            defined.add(name)
    return objs


def unprefixed(objs):
    return sorted(f'{obj}: {name}' for obj, (defined, _) in objs.items() for name in defined
                  if not name.startswith('sfo_'))


def find_cycle(deps):
    """A list of objects forming a dependency cycle, or None."""
    state = {}

    def visit(node, path):
        state[node] = 'open'
        for nxt in sorted(deps.get(node, ())):
            if state.get(nxt) == 'open':
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt, path + [nxt])
                if cycle:
                    return cycle
        state[node] = 'done'
        return None

    for node in sorted(deps):
        if node not in state:
            cycle = visit(node, [node])
            if cycle:
                return cycle
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--nm', default='nm')
    ap.add_argument('engine_lib')
    ap.add_argument('config_lib', nargs='?')
    args = ap.parse_args()
    problems = []

    engine = symbols(args.nm, args.engine_lib)
    libs = [('libsfo-core', engine)]
    if args.config_lib:
        libs.append(('libsfo-config', symbols(args.nm, args.config_lib)))
    for lib, objs in libs:
        bad = unprefixed(objs)
        if bad:
            problems.append(f'{lib} defines globals not named sfo_*:\n  ' + '\n  '.join(bad))

    where = {name: obj for obj, (defined, _) in engine.items() for name in defined}
    needs = {}
    for obj, (_, undefined) in engine.items():
        for name in undefined:
            if name not in where and not INSTRUMENTATION.match(name):
                needs.setdefault(name, set()).add(obj)
    if set(needs) != ENGINE_NEEDS:
        extra = sorted(f'{n} (in {", ".join(sorted(needs[n]))})' for n in set(needs) - ENGINE_NEEDS)
        missing = sorted(ENGINE_NEEDS - set(needs))
        problems.append('libsfo-core needs from outside ' + ', '.join(sorted(needs)) +
                        '; documented: ' + ', '.join(sorted(ENGINE_NEEDS)) +
                        (f'\n  not documented: {"; ".join(extra)}' if extra else '') +
                        (f'\n  documented, no longer needed: {", ".join(missing)}'
                         if missing else ''))

    deps = {obj: {where[n] for n in undefined if n in where and where[n] != obj}
            for obj, (_, undefined) in engine.items()}
    cycle = find_cycle(deps)
    if cycle:
        problems.append('libsfo-core objects depend on each other in a cycle: ' +
                        ' -> '.join(cycle))

    for p in problems:
        print(f'FAIL: {p}')
    if not problems:
        print(f'ok: libsfo-core ({len(engine)} objects) defines only sfo_* names, needs '
              f'{", ".join(sorted(ENGINE_NEEDS))}, no dependency cycle' +
              ('; libsfo-config defines only sfo_* names' if args.config_lib else ''))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
