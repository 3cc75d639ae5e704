#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# datapath.sh: cost of the 2-netdev datapath against a direct VF.
#
# Interleaved runs, 2-netdev (IP on sby, daemon active, TX sby->vf0 by the
# tc egress program, RX vf0->sby by the tc ingress program) against the
# direct-VF baseline (IP on a plain veth through the same bridge, no daemon,
# no BPF). See lib.sh for the topology. Prints medians, ratios and goals.
set -euo pipefail

usage() {
	cat <<EOF
Usage: $(basename "$0") [OPTIONS]          (as root)

Measures, for the 2-netdev path and the direct-VF baseline, interleaved
(round r runs every test A,B when r is odd, B,A when even):
  tcp_tx   TCP throughput guest -> peer      (sfo-traffic tcp-stream/tcp-sink)
  tcp_rx   TCP throughput peer -> guest
  udp_tx   64-byte UDP pps guest -> peer, sender unlimited (1 Mpps asked),
           counted at the receiver (received / receive time)
  udp_rx   the same peer -> guest
  rr       UDP request/response round trip, min and p50 (sfo-traffic udp-rr,
           one request in flight, client and echo pinned to the same CPU)
and, for the TCP and UDP runs, the CPU cost measured with perf task-clock
(robust to other tenants' load): Gbit per CPU-second of sender + receiver,
and packets per CPU-second of the UDP sender (whose context runs the path)
and the per-run cost of the tc programs (sfo-dp-bench, BPF_PROG_TEST_RUN).

Options:
  -n N        rounds (default 12; ~35 s per round on a 2-core VM)
  -t SECS     length of each TCP / UDP run (default 3)
  -c COUNT    requests per udp-rr run (default 20000)
  -o DIR      keep raw results (JSON of every run, results.tsv, daemon log) in DIR
  -h, --help  this text

Environment: SFO_BUILD (default /tmp/bn-build): the meson build directory.
CPUs: senders on CPU 0, receivers on CPU 1; udp-rr client and echo on CPU 0.
Goals: throughput and pps ratio (2-netdev / direct) >= 0.98, minimum RTT
overhead <= 1 us, per-packet program cost <= 60 ns.
Exit status: 0 measured (goals met or not), 1 error, 2 usage.
EOF
}

ROUNDS=12
SECS=3
RR_COUNT=20000
OUTDIR=
while [ $# -gt 0 ]; do
	case $1 in
	-n) ROUNDS=${2:?-n needs a value}; shift 2 ;;
	-t) SECS=${2:?-t needs a value}; shift 2 ;;
	-c) RR_COUNT=${2:?-c needs a value}; shift 2 ;;
	-o) OUTDIR=${2:?-o needs a value}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[[ $ROUNDS =~ ^[0-9]+$ ]] && [ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 100 ] ||
	{ echo "-n must be 1..100" >&2; exit 2; }
[[ $SECS =~ ^[0-9]+$ ]] && [ "$SECS" -ge 2 ] && [ "$SECS" -le 60 ] ||
	{ echo "-t must be 2..60" >&2; exit 2; }
[[ $RR_COUNT =~ ^[0-9]+$ ]] && [ "$RR_COUNT" -ge 100 ] && [ "$RR_COUNT" -le 1000000 ] ||
	{ echo "-c must be 100..1000000" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need_root_and_tools
bn_traps
mkwork
RES=$WORK/results.tsv
: >"$RES"

SEND_CPU=0
RECV_CPU=1

# CPU time of each sender and receiver (task-clock: time it ran, softirq work
# done in its context included, other tenants' load excluded), if perf works.
if command -v perf >/dev/null && perf stat -x, -e task-clock -o /dev/null -- true 2>/dev/null; then
	CPUSTAT=(perf stat -x, -e task-clock -o) # FILE CMD...
else
	log "perf not usable: no CPU-cost columns"
	CPUSTAT=(sh -c 'shift; exec "$@"' sh) # FILE ignored
	CPUSTAT_NONE=1
fi

cpu_ms() { # FILE -> task-clock ms, or nothing
	[ -z "${CPUSTAT_NONE:-}" ] && [ -s "$1" ] || return 0
	awk -F, '/task-clock/ {print $1; exit}' "$1"
}
RR_CPU=0
PORT=6000

# run_tcp CFG DIR ROUND: one TCP stream; appends "round cfg test key value".
run_tcp() {
	local cfg=$1 dir=$2 r=$3 src srcip dstip ns_src ns_dst tag=tcp_$2
	local pfx=$WORK/${tag}_${cfg}_$r
	if [ "$cfg" = 2netdev ]; then src=$G srcip=$GIP; else src=$D srcip=$DIP; fi
	if [ "$dir" = tx ]; then ns_src=$src ns_dst=$P dstip=$PIP; else ns_src=$P ns_dst=$src dstip=$srcip; fi
	PORT=$((PORT + 1))
	rm -f "$pfx.ready"
	ip netns exec "$ns_dst" "${CPUSTAT[@]}" "$pfx.sink.cpu" taskset -c $RECV_CPU \
		timeout $((SECS + 20)) "$TRAFFIC" tcp-sink \
		--bind "$dstip:$PORT" --duration $((SECS + 15)) --gap-ms 0 \
		--ready-file "$pfx.ready" --json >"$pfx.sink.json" &
	local sp=$!
	track $sp
	ready_wait "$pfx.ready"
	ip netns exec "$ns_src" "${CPUSTAT[@]}" "$pfx.stream.cpu" taskset -c $SEND_CPU \
		timeout $((SECS + 20)) "$TRAFFIC" tcp-stream \
		--to "$dstip:$PORT" --duration "$SECS" --gap-ms 0 --json >"$pfx.stream.json" ||
		die "tcp-stream $cfg $dir failed: $(cat "$pfx.stream.json")"
	wait $sp || die "tcp-sink $cfg $dir failed: $(cat "$pfx.sink.json")"
	python3 - "$pfx.stream.json" "$r" "$cfg" "$tag" "$(cpu_ms "$pfx.stream.cpu")" \
		"$(cpu_ms "$pfx.sink.cpu")" >>"$RES" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
k = sys.argv[2:5]
print(*k, "mbit", s["throughput_mbit"], sep="\t")
print(*k, "retrans", s["retransmits"], sep="\t")
cpu = [float(x) for x in sys.argv[5:7] if x]
if len(cpu) == 2 and sum(cpu) > 0:
    # Gbit moved per CPU-second of sender + receiver (their softirq work included)
    print(*k, "gbit_per_cpu_s", round(s["bytes_acked"] * 8 / 1e9 / (sum(cpu) / 1000), 3), sep="\t")
PY
}

# run_udp CFG DIR ROUND: 64-byte UDP as fast as the sender can.
run_udp() {
	local cfg=$1 dir=$2 r=$3 src srcip dstip ns_src ns_dst tag=udp_$2
	local pfx=$WORK/${tag}_${cfg}_$r
	if [ "$cfg" = 2netdev ]; then src=$G srcip=$GIP; else src=$D srcip=$DIP; fi
	if [ "$dir" = tx ]; then ns_src=$src ns_dst=$P dstip=$PIP; else ns_src=$P ns_dst=$src dstip=$srcip; fi
	PORT=$((PORT + 1))
	rm -f "$pfx.ready"
	ip netns exec "$ns_dst" "${CPUSTAT[@]}" "$pfx.recv.cpu" taskset -c $RECV_CPU \
		timeout $((SECS + 20)) "$TRAFFIC" udp-recv \
		--bind "$dstip:$PORT" --duration $((SECS + 10)) --gap-ms 0 \
		--ready-file "$pfx.ready" --json >"$pfx.recv.json" &
	local sp=$!
	track $sp
	ready_wait "$pfx.ready"
	# The sender cannot reach 1 Mpps here: it stops 1 s after --duration
	# ("behind-schedule"), so the run lasts SECS.
	ip netns exec "$ns_src" "${CPUSTAT[@]}" "$pfx.send.cpu" taskset -c $SEND_CPU \
		timeout $((SECS + 20)) "$TRAFFIC" udp-send \
		--to "$dstip:$PORT" --rate 1000000 --size 64 --duration $((SECS - 1)) \
		--json >"$pfx.send.json" || die "udp-send $cfg $dir failed: $(cat "$pfx.send.json")"
	wait $sp || die "udp-recv $cfg $dir failed: $(cat "$pfx.recv.json")"
	python3 - "$pfx.send.json" "$pfx.recv.json" "$r" "$cfg" "$tag" "$(cpu_ms "$pfx.send.cpu")" >>"$RES" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); rc = json.load(open(sys.argv[2]))
k = sys.argv[3:6]
if len(sys.argv) > 6 and sys.argv[6] and float(sys.argv[6]) > 0:
    # packets per CPU-second of the sender: the whole path to the receiving
    # socket runs as softirq in the sender's context
    print(*k, "kpps_per_cpu_s", round(s["sent"] / float(sys.argv[6]), 2), sep="\t")
span = (rc["last_rx_ms"] - rc["first_rx_ms"]) / 1000.0
print(*k, "rx_pps", round(rc["received"] / span, 1) if span > 0 else 0, sep="\t")
print(*k, "tx_pps", s["achieved_pps"], sep="\t")
print(*k, "rx_loss_pct", rc["loss_pct"], sep="\t")
PY
}

# run_rr CFG ROUND: request/response latency, guest is the client.
run_rr() {
	local cfg=$1 r=$2 src pfx=$WORK/rr_$1_$2
	if [ "$cfg" = 2netdev ]; then src=$G; else src=$D; fi
	PORT=$((PORT + 1))
	rm -f "$pfx.ready"
	ip netns exec "$P" taskset -c $RR_CPU timeout 60 "$TRAFFIC" udp-echo \
		--bind "$PIP:$PORT" --duration 50 --ready-file "$pfx.ready" --json >/dev/null &
	local sp=$!
	track $sp
	ready_wait "$pfx.ready"
	ip netns exec "$src" taskset -c $RR_CPU timeout 60 "$TRAFFIC" udp-rr --to "$PIP:$PORT" \
		--count "$RR_COUNT" --warmup 200 --duration 45 --json >"$pfx.json" ||
		die "udp-rr $cfg failed: $(cat "$pfx.json")"
	kill $sp 2>/dev/null || true
	wait $sp 2>/dev/null || true
	python3 - "$pfx.json" "$r" "$cfg" >>"$RES" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("min", "p50", "p99"):
    print(sys.argv[2], sys.argv[3], "rr", k + "_us", d["rtt_us"][k], sep="\t")
PY
}

# Host-end counters: which guest port did the frames use?
hostctr() { # IF rx|tx
	ip netns exec "$H" cat "/sys/class/net/$1/statistics/${2}_packets"
}

# One run of TEST for CFG, with the 2-netdev path checked on the host side.
run_one() {
	local test=$1 cfg=$2 r=$3 vf0 sb0 vf1 sb1 way
	case $test in *_rx) way=tx ;; *) way=rx ;; esac # host end: rx = frames from the guest
	if [ "$cfg" = 2netdev ]; then
		vf0=$(hostctr hvf0 $way) sb0=$(hostctr hsby $way)
	fi
	case $test in
	tcp_tx) run_tcp "$cfg" tx "$r" ;;
	tcp_rx) run_tcp "$cfg" rx "$r" ;;
	udp_tx) run_udp "$cfg" tx "$r" ;;
	udp_rx) run_udp "$cfg" rx "$r" ;;
	rr) run_rr "$cfg" "$r" ;;
	esac
	if [ "$cfg" = 2netdev ]; then
		vf1=$(hostctr hvf0 $way) sb1=$(hostctr hsby $way)
		# Everything must have crossed the VF's port: a datapath that is
		# not really attached would look like a fast standby.
		if [ $((vf1 - vf0)) -lt 100 ] || [ $((sb1 - sb0)) -gt $(((vf1 - vf0) / 100 + 10)) ]; then
			die "$test: frames did not use the VF (hvf0 $way +$((vf1 - vf0)), hsby $way +$((sb1 - sb0)))"
		fi
		printf '%s\t2netdev\t%s\tvf_port_frames\t%s\n' "$r" "$test" $((vf1 - vf0)) >>"$RES"
	fi
}

T0=$(date +%s)
log "topology $T, daemon, $ROUNDS rounds x (tcp_tx tcp_rx udp_tx udp_rx rr) x (2netdev direct), ${SECS}s runs"
topo_up
daemon_start
wait_state active 5 || die "pair sby not active: $(cli status sby 2>&1)"
ip netns exec "$G" ping -c 2 -i 0.2 -W 1 "$PIP" >/dev/null || die "2-netdev guest cannot reach the peer"
ip netns exec "$D" ping -c 2 -i 0.2 -W 1 "$PIP" >/dev/null || die "direct guest cannot reach the peer"

DPB=$WORK/dpbench.txt
"$DPBENCH" -n 21 >"$DPB.1" || die "sfo-dp-bench failed"

for ((r = 1; r <= ROUNDS; r++)); do
	if ((r % 2)); then order="2netdev direct"; else order="direct 2netdev"; fi
	for test in tcp_tx tcp_rx udp_tx udp_rx rr; do
		for cfg in $order; do
			run_one "$test" "$cfg" "$r"
		done
	done
	[ "$(pair_state)" = active ] || die "pair left 'active' during the runs: $(cli status sby 2>&1)"
	log "round $r/$ROUNDS done ($(($(date +%s) - T0)) s)"
done
"$DPBENCH" -n 21 >"$DPB.2" || die "sfo-dp-bench failed"
"$DPBENCH" -n 21 >"$DPB.3" || die "sfo-dp-bench failed"
cli status sby >"$WORK/status.txt"
ELAPSED=$(($(date +%s) - T0))

echo "# datapath.sh $(date -Iseconds) $(uname -r) nproc=$(nproc) rounds=$ROUNDS secs=$SECS rr_count=$RR_COUNT elapsed=${ELAPSED}s"
python3 "$BENCH_DIR/summarize.py" datapath "$RES" "$DPB.1" "$DPB.2" "$DPB.3"
if [ -n "$OUTDIR" ]; then
	mkdir -p "$OUTDIR"
	cp -r "$WORK"/. "$OUTDIR"/
	echo "raw results in $OUTDIR"
fi
