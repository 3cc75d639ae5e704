#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# footprint.sh: sriov-failoverd's memory and idle wake-ups, with 1 and 4 pairs.
set -euo pipefail

usage() {
	cat <<EOF
Usage: $(basename "$0") [OPTIONS]          (as root)

For 1 pair, then 4 pairs (each a standby sbyN with its VF vfN, all active):
  memory   VmRSS, VmHWM, RssAnon, RssFile and Pss of the daemon (/proc/PID/status,
           smaps_rollup), after start-up and a few status queries   goal VmRSS <= 4 MiB
  idle     wake-ups over a window with no event: context switches of all the
           daemon's threads (voluntary + involuntary, /proc/PID/task/*/status)
           and times scheduled (/proc/PID/task/*/schedstat)          goal 0
  busy     the same while 20 kpps of UDP flow through sby0 -> vf0 (the
           datapath is in the kernel: the daemon should not wake up either)
The 4-pair topology is built afresh (no leftover of the 1-pair run).

Options:
  -w SECONDS   idle and busy windows (default 10)
  -h, --help   this text

Environment: SFO_BUILD (default /tmp/bn-build). Takes about 1 minute.
Exit status: 0 measured (goals met or not), 1 error, 2 usage.
EOF
}

WIN=10
while [ $# -gt 0 ]; do
	case $1 in
	-w) WIN=${2:?-w needs a value}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[[ $WIN =~ ^[0-9]+$ ]] && [ "$WIN" -ge 1 ] && [ "$WIN" -le 300 ] || { echo "-w must be 1..300" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need_root_and_tools
bn_traps
mkwork

# topo_pairs N: guest with sby0..sbyN-1 (198.51.(100+i).1/24) and vf0..vfN-1,
# host bridge, peer 198.51.100.2 (reached through sby0).
topo_pairs() {
	local n=$1 i mac
	ns_add "$G"
	ns_add "$H"
	ns_add "$P"
	ip -n "$H" link add br0 type bridge
	ip -n "$H" link set br0 up
	for ((i = 0; i < n; i++)); do
		mac=02:5b:00:00:01:0$i
		ip -n "$G" link add sby$i address $mac type veth peer name hs$i netns "$H"
		ip -n "$G" link add vf$i address $mac type veth peer name hv$i netns "$H"
		ip -n "$H" link set hs$i master br0 up
		ip -n "$H" link set hv$i master br0 up
		ip -n "$G" addr add 198.51.$((100 + i)).1/24 dev sby$i
		ip -n "$G" link set sby$i up
	done
	ip -n "$P" link add eth0 type veth peer name hpeer netns "$H"
	ip -n "$H" link set hpeer master br0 up
	ip -n "$P" addr add $PIP/24 dev eth0
	ip -n "$P" link set eth0 up
}

topo_down() {
	local ns
	for ns in "$G" "$H" "$P"; do ip netns del "$ns" 2>/dev/null || true; done
	NS_CREATED=()
}

all_active() { # N
	"$CLI" -s "$SOCK" -j status 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
p = d.get("pairs", [])
sys.exit(0 if len(p) == int(sys.argv[1]) and all(x["state"] == "active" for x in p) else 1)' "$1"
}

# wakeups: voluntary+involuntary context switches and run count, all threads.
wakeups() {
	local pid=$1 t cs=0 runs=0 v
	for t in /proc/"$pid"/task/*; do
		v=$(awk '/^(voluntary|nonvoluntary)_ctxt_switches/ {s += $2} END {print s}' "$t/status")
		cs=$((cs + v))
		runs=$((runs + $(awk '{print $3}' "$t/schedstat")))
	done
	echo "$cs $runs"
}

mem() { # PID -> "key=kB ..."
	awk '/^(VmRSS|VmHWM|RssAnon|RssFile|RssShmem):/ {printf "%s=%s ", $1, $2}' "/proc/$1/status" |
		tr -d ':'
	awk '/^Pss:/ {printf "Pss=%s", $2}' "/proc/$1/smaps_rollup"
	echo
}

measure() { # N
	local n=$1 names=() i w0 w1 rss
	for ((i = 0; i < n; i++)); do names+=("sby$i"); done
	topo_pairs "$n"
	daemon_start "${names[@]}"
	for _ in $(seq 100); do all_active "$n" && break; sleep 0.05; done
	all_active "$n" || die "$n pair(s) not all active: $(cli status 2>&1)"
	ip netns exec "$G" ping -c 3 -i 0.2 -W 1 $PIP >/dev/null || die "sby0 cannot reach the peer"
	cli status >/dev/null
	cli -j status >/dev/null
	cli adapters >/dev/null
	cli events >/dev/null
	sleep 1
	echo "pairs=$n threads=$(ls /proc/$DAEMON_PID/task | wc -l) after-start $(mem $DAEMON_PID)"

	sleep 2 # let any announcement or timer run out
	w0=$(wakeups $DAEMON_PID)
	sleep "$WIN"
	w1=$(wakeups $DAEMON_PID)
	echo "pairs=$n idle window=${WIN}s ctxt_switches=$((${w1% *} - ${w0% *})) times_scheduled=$((${w1#* } - ${w0#* }))"

	rm -f "$WORK/fp.ready"
	ip netns exec "$P" timeout $((WIN + 15)) "$TRAFFIC" udp-recv --bind $PIP:7100 \
		--duration $((WIN + 10)) --gap-ms 0 --ready-file "$WORK/fp.ready" --json >"$WORK/fp-recv-$n.json" &
	local rp=$!
	track $rp
	ready_wait "$WORK/fp.ready"
	local tx0 tx1
	tx0=$(cli -j status sby0 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pairs"][0]["datapath_counters"]["tx_vf_packets"])')
	w0=$(wakeups $DAEMON_PID)
	ip netns exec "$G" timeout $((WIN + 15)) "$TRAFFIC" udp-send --to $PIP:7100 --rate 20000 \
		--duration "$WIN" --json >"$WORK/fp-send-$n.json"
	w1=$(wakeups $DAEMON_PID)
	wait $rp || true
	tx1=$(cli -j status sby0 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pairs"][0]["datapath_counters"]["tx_vf_packets"])')
	echo "pairs=$n busy window=${WIN}s (20 kpps through vf0: $((tx1 - tx0)) frames) ctxt_switches=$((${w1% *} - ${w0% *})) times_scheduled=$((${w1#* } - ${w0#* }))"
	echo "pairs=$n after-traffic $(mem $DAEMON_PID)"
	rss=$(awk '/^VmRSS:/ {print $2}' /proc/$DAEMON_PID/status)
	cp "$DAEMON_LOG" "$WORK/daemon-$n.log"
	daemon_stop
	topo_down
	echo "$n $rss" >>"$WORK/rss"
}

T0=$(date +%s)
echo "# footprint.sh $(date -Iseconds) $(uname -r) nproc=$(nproc) window=${WIN}s"
log "1 pair"
measure 1 >"$WORK/out1"
cat "$WORK/out1"
log "4 pairs"
measure 4 >"$WORK/out4"
cat "$WORK/out4"
echo
echo "goals:"
while read -r n rss; do
	if [ "$rss" -le 4096 ]; then v=MET; else v=MISSED; fi
	printf '  VmRSS with %d pair(s): %-6s %d KiB (%s MiB; <= 4 MiB)\n' "$n" "$v" "$rss" "$(awk -v k="$rss" 'BEGIN {printf "%.2f", k / 1024}')"
done <"$WORK/rss"
for n in 1 4; do
	cs=$(sed -n 's/.*idle window.*ctxt_switches=\([0-9]*\).*/\1/p' "$WORK/out$n")
	[ "$cs" = 0 ] && v=MET || v=MISSED
	echo "  idle wake-ups with $n pair(s):  $v $cs context switches in ${WIN} s (goal 0)"
done
echo "elapsed $(($(date +%s) - T0)) s"
