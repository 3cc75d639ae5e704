#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# mapcost.sh: what one map lookup or helper call costs in a tc program here,
# to explain sfo-dp-bench's numbers (a diagnostic companion, see RESULTS.md).
set -euo pipefail

usage() {
	cat <<EOF
Usage: $(basename "$0") [-n RUNS]          (as root; needs clang and bpftool)

Loads tiny tc programs that each do one thing, keyed like the datapath (u32
ifindex key, found), and times them with BPF_PROG_TEST_RUN (bpftool prog run,
1,000,000 repeats, 64-byte frame); prints the median ns/run of RUNS (default
11) and the cost above the empty program:
  empty     return TC_ACT_UNSPEC
  hash      BPF_MAP_TYPE_HASH lookup            (sfo_pairs, sfo_vf_to_standby)
  pcpuhash  BPF_MAP_TYPE_PERCPU_HASH lookup + increment    (sfo_stats)
  devhash   BPF_MAP_TYPE_DEVMAP_HASH lookup     (sfo_vf_dev)
  array     BPF_MAP_TYPE_ARRAY lookup           (an alternative)
  pcpuarray BPF_MAP_TYPE_PERCPU_ARRAY lookup + increment   (an alternative)
  redirect  bpf_redirect() only
Everything lives in a private mount namespace with its own bpffs; nothing
is attached anywhere. Takes about a minute.
EOF
}

RUNS=11
while [ $# -gt 0 ]; do
	case $1 in
	-n) RUNS=${2:?-n needs a value}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[[ $RUNS =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 1 ] && [ "$RUNS" -le 101 ] || { echo "-n must be 1..101" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "must run as root" >&2; exit 1; }
for b in clang bpftool unshare python3; do
	command -v $b >/dev/null || { echo "$b not found" >&2; exit 1; }
done

if [ -z "${SFO_MAPCOST_INNER:-}" ]; then
	WORK=$(mktemp -d "/tmp/sfo-bn-$$-mapcost.XXXXXX")
	trap 'rm -rf "$WORK"' EXIT
	trap 'exit 130' INT TERM
	SFO_MAPCOST_INNER=$WORK timeout 600 unshare -m --propagation private "$0" -n "$RUNS"
	exit
fi
WORK=$SFO_MAPCOST_INNER
mount -t bpf bpf /sys/fs/bpf

cat >"$WORK/m.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
struct v { __u32 a, b, c, d; __u64 e; }; /* the size of struct sfo_pair */
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 256); __type(key, __u32); __type(value, struct v); } h SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 257); __type(key, __u32); __type(value, __u64[10]); } ph SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_DEVMAP_HASH); __uint(max_entries, 256); __type(key, __u32); __type(value, __u32); } dh SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 256); __type(key, __u32); __type(value, struct v); } ar SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 256); __type(key, __u32); __type(value, __u64[10]); } pa SEC(".maps");
SEC("tc") int empty(struct __sk_buff *s) { return TC_ACT_UNSPEC; }
/* found: TC_ACT_UNSPEC (the script checks it), not found: TC_ACT_SHOT */
SEC("tc") int hash(struct __sk_buff *s) { __u32 k = s->ifindex; struct v *p = bpf_map_lookup_elem(&h, &k); return p && p->a == 1 ? TC_ACT_UNSPEC : TC_ACT_SHOT; }
SEC("tc") int pcpuhash(struct __sk_buff *s) { __u32 k = s->ifindex; __u64 *p = bpf_map_lookup_elem(&ph, &k); if (!p) return TC_ACT_SHOT; p[0]++; return TC_ACT_UNSPEC; }
SEC("tc") int devhash(struct __sk_buff *s) { __u32 k = s->ifindex; return bpf_map_lookup_elem(&dh, &k) ? TC_ACT_UNSPEC : TC_ACT_SHOT; }
SEC("tc") int array(struct __sk_buff *s) { __u32 k = s->ifindex; struct v *p = bpf_map_lookup_elem(&ar, &k); return p && p->a == 1 ? TC_ACT_UNSPEC : TC_ACT_SHOT; }
SEC("tc") int pcpuarray(struct __sk_buff *s) { __u32 k = s->ifindex; __u64 *p = bpf_map_lookup_elem(&pa, &k); if (!p) return TC_ACT_SHOT; p[0]++; return TC_ACT_UNSPEC; }
SEC("tc") int redirect(struct __sk_buff *s) { return bpf_redirect(1, 0); }
char LICENSE[] SEC("license") = "Dual BSD/GPL";
EOF
INC=/usr/include/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
clang -O2 -g -target bpf -I"$INC" -c "$WORK/m.bpf.c" -o "$WORK/m.bpf.o"
D=/sys/fs/bpf/m
bpftool prog loadall "$WORK/m.bpf.o" $D pinmaps $D/maps type classifier
one="1 0 0 0"
z20=$(printf '0 %.0s' $(seq 20))
bpftool map update pinned $D/maps/h key $one value $one $z20
bpftool map update pinned $D/maps/ar key $one value $one $z20
bpftool map update pinned $D/maps/dh key $one value $one
z80=$(printf '0 %.0s' $(seq 80))
bpftool map update pinned $D/maps/ph key $one value $z80
bpftool map update pinned $D/maps/pa key $one value $z80
head -c 64 /dev/zero >"$WORK/frame"
printf '\x08\x00' | dd of="$WORK/frame" bs=1 seek=12 conv=notrunc status=none

echo "# mapcost.sh $(date -Iseconds) $(uname -r) nproc=$(nproc): BPF_PROG_TEST_RUN, 64-byte frame, median of $RUNS x 1000000"
for p in empty hash pcpuhash devhash array pcpuarray redirect; do
	if [ $p = redirect ]; then want=7; else want=4294967295; fi
	for ((i = 0; i < RUNS; i++)); do
		out=$(bpftool prog run pinned $D/$p data_in "$WORK/frame" repeat 1000000)
		grep -q "Return value: $want," <<<"$out" || { echo "$p: unexpected result: $out" >&2; exit 1; }
		sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p' <<<"$out"
	done | python3 -c '
import statistics, sys
v = [int(x) for x in sys.stdin.read().split()]
print(sys.argv[1], statistics.median(v))' "$p"
done | python3 -c '
import sys
rows = [l.split() for l in sys.stdin if l.strip()]
base = float(rows[0][1])
print("%-10s %8s %10s" % ("program", "ns/run", "-empty"))
for name, ns in rows:
    print("%-10s %8.0f %10.0f" % (name, float(ns), float(ns) - base))'
