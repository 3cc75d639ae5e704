#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# switch.sh: frames lost when the VF leaves (orderly release, surprise
# removal) and how fast a returning VF carries traffic. Topology: lib.sh.
set -euo pipefail

usage() {
	cat <<EOF
Usage: $(basename "$0") [OPTIONS]          (as root)

Each run streams 20 kpps of 64-byte sequenced UDP both ways (guest -> peer and
peer -> guest, sfo-traffic, 1 ms loss timelines) for 1.8 s; at 0.4 s the VF
leaves, at 0.8 s a new one is hot-plugged:
  (a) orderly:  sriov-failover release sby; ip link del vf0     goal: 0 lost
  (b) surprise: ip link del vf0 (VF active)                     goal: max <= 10
  (c) return:   new vf0/hvfN made in the host namespace, hvfN bridged and up,
                vf0 moved into the guest (one RTM_NEWLINK, timed); time from
                the guest being told of vf0 (RTM_NEWLINK seen by a link
                monitor in the guest namespace) to the first frame from the
                guest on hvfN (AF_PACKET capture, kernel timestamps: the
                daemon's gratuitous ARP or the stream's data)    goal: <= 5 ms
Surprise runs are spread evenly among the orderly ones; every run measures (c).
Losses are split into the removal window and the return window by time.

Options:
  -a N          orderly runs (default 100)
  -b N          surprise runs (default 20)
  -m SECONDS    time budget for the runs (default 330): stops early, says so
  -p            diagnose: record the kernel's skb drops (perf, tracepoint
                skb:kfree_skb, system-wide, in a private tracefs mount) and
                print, per scenario and window, where IPv4 frames were dropped
                and why (other tenants' drops in the same windows count too)
  -o DIR        keep raw results (runs.jsonl, every receiver's JSON, daemon log)
  -h, --help    this text

Environment: SFO_BUILD (default /tmp/bn-build). Takes about 2 s per run.
Exit status: 0 measured (goals met or not), 1 error, 2 usage.
EOF
}

ORDERLY=100
SURPRISE=20
BUDGET=330
OUTDIR=
DROPS=
while [ $# -gt 0 ]; do
	case $1 in
	-a) ORDERLY=${2:?-a needs a value}; shift 2 ;;
	-b) SURPRISE=${2:?-b needs a value}; shift 2 ;;
	-m) BUDGET=${2:?-m needs a value}; shift 2 ;;
	-o) OUTDIR=${2:?-o needs a value}; shift 2 ;;
	-p) DROPS=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
for v in "$ORDERLY" "$SURPRISE" "$BUDGET"; do
	[[ $v =~ ^[0-9]+$ ]] || { echo "counts and budget must be whole numbers" >&2; exit 2; }
done
[ "$BUDGET" -ge 10 ] && [ "$BUDGET" -le 3600 ] || { echo "-m must be 10..3600" >&2; exit 2; }
[ $((ORDERLY + SURPRISE)) -ge 1 ] || { echo "nothing to run" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need_root_and_tools
bn_traps
mkwork

T0=$(date +%s)
log "topology $T, daemon; $ORDERLY orderly + $SURPRISE surprise runs, budget ${BUDGET}s"
topo_up
daemon_start
wait_state active 5 || die "pair sby not active: $(cli status sby 2>&1)"
ip netns exec "$G" ping -c 2 -i 0.2 -W 1 "$PIP" >/dev/null || die "guest cannot reach the peer"
grep -q "close hook on" "$DAEMON_LOG" && HOOK=on || HOOK=unavailable

PERF_PID=
if [ -n "$DROPS" ]; then
	command -v perf >/dev/null && command -v unshare >/dev/null || die "-p needs perf and unshare"
	unshare -m sh -c 'mount -t tracefs nodev /sys/kernel/tracing && exec perf record -q -k mono -e skb:kfree_skb -a -o "$1"' \
		sh "$WORK/drops.data" 2>"$WORK/perf.log" &
	PERF_PID=$!
	track $PERF_PID
	sleep 1
	kill -0 $PERF_PID 2>/dev/null || die "perf record failed: $(cat "$WORK/perf.log")"
fi

python3 "$BENCH_DIR/switch_run.py" --guest-ns "$G" --host-ns "$H" --peer-ns "$P" \
	--gip "$GIP" --pip "$PIP" --mac "$MAC" --cli "$CLI" --sock "$SOCK" --traffic "$TRAFFIC" \
	--daemon-log "$DAEMON_LOG" --work "$WORK" --out "$WORK/runs.jsonl" \
	--orderly "$ORDERLY" --surprise "$SURPRISE" --max-seconds "$BUDGET" &
RUNNER=$!
track $RUNNER
wait $RUNNER || die "switch runs failed (see above)"
ELAPSED=$(($(date +%s) - T0))
if [ -n "$PERF_PID" ]; then
	kill -INT $PERF_PID 2>/dev/null || true
	wait $PERF_PID 2>/dev/null || true
	unshare -m sh -c 'mount -t tracefs nodev /sys/kernel/tracing && exec perf script -i "$1" -F time,trace' \
		sh "$WORK/drops.data" >"$WORK/drops.txt" 2>>"$WORK/perf.log" || die "perf script failed"
	rm -f "$WORK/drops.data"
fi

echo "# switch.sh $(date -Iseconds) $(uname -r) nproc=$(nproc) close-hook=$HOOK elapsed=${ELAPSED}s"
python3 "$BENCH_DIR/summarize.py" switch "$WORK/runs.jsonl"
python3 - "$WORK/runs.jsonl" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def get(sc, k):
    return [r[k] for r in runs if r["scenario"] == sc and r.get(k) is not None and "error" not in r]
o = get("orderly", "lost_tx_remove"), get("orderly", "lost_rx_remove")
s = get("surprise", "lost_tx_remove"), get("surprise", "lost_rx_remove")
ret = [r["return_first_any_from_newlink_ms"] for r in runs
       if r.get("return_first_any_from_newlink_ms") is not None and "error" not in r]
ret_move = [r["return_first_any_ms"] for r in runs if r.get("return_first_any_ms") is not None and "error" not in r]
print("\ngoals:")
if o[0]:
    ok = sum(o[0]) == 0
    print("  (a) orderly, guest->peer: %s  %d of %d runs lost frames (max %d); peer->guest: %d of %d (max %d)" % (
        "MET   " if ok else "MISSED", sum(1 for v in o[0] if v), len(o[0]), max(o[0]),
        sum(1 for v in o[1] if v), len(o[1]), max(o[1]) if o[1] else 0))
if s[0]:
    ok = max(s[0]) <= 10
    print("  (b) surprise, guest->peer: %s  p100 %d frames over %d runs; peer->guest p100 %d" % (
        "MET   " if ok else "MISSED", max(s[0]), len(s[0]), max(s[1]) if s[1] else -1))
if ret:
    ret.sort()
    med = ret[len(ret) // 2] if len(ret) % 2 else (ret[len(ret) // 2 - 1] + ret[len(ret) // 2]) / 2
    print("  (c) return, VF appears in the guest (RTM_NEWLINK) -> first frame out of it: %s  median %.2f ms, max %.2f ms over %d runs (<= 5 ms)" % (
        "MET   " if max(ret) <= 5 else "MISSED", med, max(ret), len(ret)))
    ret_move.sort()
    print("      (from the start of the hot-plug call, which itself takes the kernel %s: median %.2f ms, max %.2f ms)" % (
        "see 'NEWLINK after move start'", ret_move[len(ret_move) // 2], max(ret_move)))
errs = [r for r in runs if "error" in r]
if errs:
    print("  %d run(s) had errors (excluded): %s" % (len(errs), "; ".join(sorted({r["error"] for r in errs}))))
PY
if [ -n "$DROPS" ]; then
	echo
	python3 "$BENCH_DIR/summarize.py" drops "$WORK/runs.jsonl" "$WORK/drops.txt"
fi
if [ -n "$OUTDIR" ]; then
	mkdir -p "$OUTDIR"
	cp -r "$WORK"/. "$OUTDIR"/
	echo "raw results in $OUTDIR"
fi
