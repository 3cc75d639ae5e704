#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# decompose.sh: where the per-packet cost of the 2-netdev path comes from.
# A diagnostic companion of datapath.sh (see RESULTS.md), not a goal check.
set -euo pipefail

usage() {
	cat <<EOF
Usage: $(basename "$0") [OPTIONS]          (as root; needs clang and tc)

Interleaved rounds over five set-ups of the same topology (lib.sh), measuring
CPU cost with perf task-clock (robust to other tenants' load) and latency:
  direct   IP on a plain veth in a second guest (the datapath.sh baseline)
  sby      IP on sby, no BPF, vf0 down: traffic through hsby (same hops)
  hook     as sby, plus clsact on sby with programs that only return
           TC_ACT_UNSPEC on egress and ingress: the cost of having tc hooks
  redir    vf0 up; minimal programs, no maps: sby egress bpf_redirect(vf0),
           vf0 ingress bpf_redirect(sby, BPF_F_INGRESS), sby ingress pass
           (the datapath's path with programs of ~zero cost)
  daemon   sriov-failoverd's datapath (the real programs), pair active
Per set-up and round: UDP 64 B guest->peer and peer->guest as fast as the
sender can (thousands of packets per CPU-second of the sender, whose context
runs the whole path), and udp-rr minimum / p50 round trip.

Options:
  -n N        rounds (default 6; ~40 s per round)
  -t SECS     UDP run length (default 2)
  -o DIR      keep the raw results (results.tsv and every run's JSON) in DIR
  -h, --help  this text
EOF
}

ROUNDS=6
SECS=2
OUTDIR=
while [ $# -gt 0 ]; do
	case $1 in
	-n) ROUNDS=${2:?-n needs a value}; shift 2 ;;
	-t) SECS=${2:?-t needs a value}; shift 2 ;;
	-o) OUTDIR=${2:?-o needs a value}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[[ $ROUNDS =~ ^[0-9]+$ ]] && [ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 50 ] || { echo "-n must be 1..50" >&2; exit 2; }
[[ $SECS =~ ^[0-9]+$ ]] && [ "$SECS" -ge 2 ] && [ "$SECS" -le 30 ] || { echo "-t must be 2..30" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need_root_and_tools
for b in clang tc perf; do command -v $b >/dev/null || die "$b not found"; done
bn_traps
mkwork
RES=$WORK/results.tsv
: >"$RES"

topo_up
SBY_IF=$(ip netns exec "$G" cat /sys/class/net/sby/ifindex)
VF_IF=$(ip netns exec "$G" cat /sys/class/net/vf0/ifindex)
cat >"$WORK/mini.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
SEC("tc")
int mini(struct __sk_buff *skb)
{
#if defined(REDIR_VF)
	return bpf_redirect(VF_IFINDEX, 0);
#elif defined(REDIR_SBY)
	return bpf_redirect(SBY_IFINDEX, BPF_F_INGRESS);
#else
	return TC_ACT_UNSPEC;
#endif
}
char LICENSE[] SEC("license") = "Dual BSD/GPL";
EOF
INC=/usr/include/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
for v in PASS REDIR_VF REDIR_SBY; do
	clang -O2 -target bpf -I"$INC" -D$v -DVF_IFINDEX="$VF_IF" -DSBY_IFINDEX="$SBY_IF" \
		-c "$WORK/mini.bpf.c" -o "$WORK/$v.o" || die "clang failed"
done

gtc() { ip netns exec "$G" tc "$@"; }

reset_g() {
	gtc qdisc del dev sby clsact 2>/dev/null || true
	gtc qdisc del dev vf0 clsact 2>/dev/null || true
}

apply() { # SETUP
	case $1 in
	direct) return 0 ;;
	sby | hook)
		reset_g
		ip -n "$G" link set vf0 down
		if [ "$1" = hook ]; then
			gtc qdisc add dev sby clsact
			gtc filter add dev sby egress bpf da obj "$WORK/PASS.o" sec tc
			gtc filter add dev sby ingress bpf da obj "$WORK/PASS.o" sec tc
		fi ;;
	redir)
		reset_g
		ip -n "$G" link set vf0 up
		gtc qdisc add dev sby clsact
		gtc filter add dev sby egress bpf da obj "$WORK/REDIR_VF.o" sec tc
		gtc filter add dev sby ingress bpf da obj "$WORK/PASS.o" sec tc
		gtc qdisc add dev vf0 clsact
		gtc filter add dev vf0 ingress bpf da obj "$WORK/REDIR_SBY.o" sec tc ;;
	daemon)
		reset_g
		ip -n "$G" link set vf0 down
		daemon_start
		wait_state active 5 || die "pair not active" ;;
	esac
	# teach the bridge and the neighbours where the guest now is
	ip netns exec "$G" ping -c 2 -i 0.1 -W 1 $PIP >/dev/null || die "$1: guest cannot reach the peer"
}

unapply() { # SETUP
	[ "$1" = daemon ] && daemon_stop
	return 0
}

PORT=7000
hostrx() { ip netns exec "$H" cat "/sys/class/net/$1/statistics/rx_packets"; }

udp() { # SETUP DIR ROUND
	local s=$1 dir=$2 r=$3 src srcip dst dstip pfx
	pfx=$WORK/$s.$dir.$r
	if [ "$s" = direct ]; then src=$D srcip=$DIP; else src=$G srcip=$GIP; fi
	if [ "$dir" = tx ]; then dst=$P dstip=$PIP; else dst=$src dstip=$srcip src=$P; fi
	PORT=$((PORT + 1))
	rm -f "$pfx.ready"
	ip netns exec "$dst" taskset -c 1 timeout $((SECS + 15)) "$TRAFFIC" udp-recv --bind "$dstip:$PORT" \
		--duration $((SECS + 10)) --gap-ms 0 --ready-file "$pfx.ready" --json >"$pfx.recv.json" &
	local rp=$!
	track $rp
	ready_wait "$pfx.ready"
	local hv0 hs0
	hv0=$(hostrx hvf0) hs0=$(hostrx hsby)
	ip netns exec "$src" perf stat -x, -e task-clock -o "$pfx.cpu" taskset -c 0 \
		timeout $((SECS + 15)) "$TRAFFIC" udp-send --to "$dstip:$PORT" --rate 1000000 --size 64 \
		--duration $((SECS - 1)) --json >"$pfx.send.json" || die "udp-send failed"
	wait $rp || true
	local via=-
	if [ "$s" != direct ] && [ "$dir" = tx ]; then
		if [ $(($(hostrx hvf0) - hv0)) -gt $(($(hostrx hsby) - hs0)) ]; then via=vf0; else via=sby; fi
	fi
	python3 - "$pfx.send.json" "$pfx.cpu" "$r" "$s" "udp_$dir" "$via" >>"$RES" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
ms = float([l for l in open(sys.argv[2]) if "task-clock" in l][0].split(",")[0])
print(sys.argv[3], sys.argv[4], sys.argv[5], "kpkt_per_cpu_s", round(s["sent"] / ms, 2), sys.argv[6], sep="\t")
PY
}

rr() { # SETUP ROUND
	local s=$1 r=$2 src pfx=$WORK/$1.rr.$2
	if [ "$s" = direct ]; then src=$D; else src=$G; fi
	PORT=$((PORT + 1))
	rm -f "$pfx.ready"
	ip netns exec "$P" taskset -c 0 timeout 40 "$TRAFFIC" udp-echo --bind "$PIP:$PORT" --duration 30 \
		--ready-file "$pfx.ready" --json >/dev/null &
	local ep=$!
	track $ep
	ready_wait "$pfx.ready"
	ip netns exec "$src" taskset -c 0 timeout 40 "$TRAFFIC" udp-rr --to "$PIP:$PORT" --count 20000 \
		--warmup 200 --duration 30 --json >"$pfx.json" || die "udp-rr failed"
	kill $ep 2>/dev/null || true
	wait $ep 2>/dev/null || true
	python3 - "$pfx.json" "$r" "$s" >>"$RES" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("min", "p50"):
    print(sys.argv[2], sys.argv[3], "rr", k + "_us", d["rtt_us"][k], "-", sep="\t")
PY
}

T0=$(date +%s)
SETUPS=(direct sby hook redir daemon)
log "decompose: $ROUNDS rounds x ${SETUPS[*]}"
for ((r = 1; r <= ROUNDS; r++)); do
	# rotate the order from round to round
	n=${#SETUPS[@]}
	for ((i = 0; i < n; i++)); do
		s=${SETUPS[$(((i + r) % n))]}
		apply "$s"
		udp "$s" tx "$r"
		udp "$s" rx "$r"
		rr "$s" "$r"
		unapply "$s"
	done
	log "round $r/$ROUNDS ($(($(date +%s) - T0)) s)"
done

echo "# decompose.sh $(date -Iseconds) $(uname -r) nproc=$(nproc) rounds=$ROUNDS secs=$SECS"
python3 - "$RES" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
setups = ["direct", "sby", "hook", "redir", "daemon"]
val, via = {}, {}
for r, s, test, key, v, path in rows:
    val.setdefault((test, key), {}).setdefault(s, []).append(float(v))
    if path != "-":
        via.setdefault(s, set()).add(path)
med = lambda v: statistics.median(v) if v else float("nan")
print("medians (min..max below)")
print("%-22s" % "measure" + "".join("%14s" % s for s in setups))
for (test, key), d in val.items():
    line = "%-22s" % (test + " " + key)
    for s in setups:
        line += "%14.2f" % med(d.get(s, []))
    print(line + "   (N=%d)" % min(len(v) for v in d.values()))
    print("%-22s" % "" + "".join("%14s" % ("%.4g-%.4g" % (min(d[s]), max(d[s]))) for s in setups))
    if key == "kpkt_per_cpu_s":
        base = med(d["direct"])
        line = "%-22s" % "  us/pkt over direct"
        for s in setups:
            line += "%14.3f" % (1000.0 / med(d[s]) - 1000.0 / base)
        print(line)
    if key == "min_us":
        base = med(d["direct"])
        print("%-22s" % "  us over direct" + "".join("%14.2f" % (med(d[s]) - base) for s in setups))
print("path of guest->peer traffic:", {s: sorted(v) for s, v in via.items()})
PY
if [ -n "$OUTDIR" ]; then
	mkdir -p "$OUTDIR"
	cp -r "$WORK"/. "$OUTDIR"/
	echo "raw results in $OUTDIR"
fi
