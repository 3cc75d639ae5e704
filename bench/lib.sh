# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
#
# Common part of the benchmarks in bench/: sourced, not run.
#
# Topology (every name carries the PID of the script, so concurrent runs and
# other engineers' namespaces never collide):
#
#   $G  (guest, 2-netdev)     sby  198.51.100.1/24 MAC $MAC    vf0 (same MAC, no IP)
#                              |                               |
#   $H  (host)               hsby ---------- br0 ----------- hvf0
#                                            |  \
#                                          hpeer  hd0
#                                            |      \
#   $P  (peer)               eth0 198.51.100.2/24    \
#   $D  (guest, direct VF)                          eth0 198.51.100.3/24 (plain veth,
#                                                   no daemon, no BPF: the baseline)
#
# IPv6 is off in all namespaces (as in the spike): no DAD/RS/MLD noise.
# The daemon runs in $G under `ip netns exec` (private mount namespace, its
# own bpffs: no pin can outlive it) with --release-on-exit -v.

BN_BUILD=${SFO_BUILD:-/tmp/bn-build}
DAEMON=$BN_BUILD/src/linux/daemon/sriov-failoverd
CLI=$BN_BUILD/src/linux/cli/sriov-failover
TRAFFIC=$BN_BUILD/tools/traffic/sfo-traffic
DPBENCH=$BN_BUILD/src/linux/datapath/sfo-dp-bench
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

T=sfo-bn-$$
G=$T-g
D=$T-d
H=$T-h
P=$T-p
MAC=02:5b:00:00:00:01
GIP=198.51.100.1
PIP=198.51.100.2
DIP=198.51.100.3
WORK=
DAEMON_PID=
DAEMON_LOG=
SOCK=
BG_PIDS=()
NS_CREATED=()

die() {
	echo "$(basename "$0"): error: $*" >&2
	exit 1
}

log() {
	echo "[$(date +%T)] $*" >&2
}

need_root_and_tools() {
	[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, BPF)"
	local b
	for b in "$DAEMON" "$CLI" "$TRAFFIC" "$DPBENCH"; do
		[ -x "$b" ] || die "$b not found: build first (meson setup $BN_BUILD && ninja -C $BN_BUILD), or set SFO_BUILD"
	done
	for b in ip python3 taskset timeout; do
		command -v "$b" >/dev/null || die "$b not found"
	done
}

# Background process we started; killed by PID at cleanup.
track() {
	BG_PIDS+=("$1")
}

# Whether PID is still a child of this shell: a PID already reaped may have been
# reused by someone else's process, which must not be signalled.
ours() {
	[ "$(ps -o ppid= -p "$1" 2>/dev/null | tr -d ' ')" = "$$" ]
}

bn_cleanup() {
	local rc=$? pid ns
	set +e
	trap - EXIT INT TERM
	for pid in "${BG_PIDS[@]}"; do
		ours "$pid" && kill "$pid" 2>/dev/null
	done
	if [ -n "$DAEMON_PID" ] && ours "$DAEMON_PID"; then
		kill "$DAEMON_PID" 2>/dev/null
		for _ in $(seq 50); do ours "$DAEMON_PID" || break; kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
		ours "$DAEMON_PID" && kill -9 "$DAEMON_PID" 2>/dev/null
	fi
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	for ns in "${NS_CREATED[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "$WORK" ] && [ -z "${BN_KEEP:-}" ]; then
		rm -rf "$WORK"
	elif [ -n "$WORK" ]; then
		echo "raw data kept in $WORK" >&2
	fi
	exit "$rc"
}

bn_traps() {
	trap bn_cleanup EXIT
	trap 'echo "interrupted" >&2; exit 130' INT TERM
}

mkwork() {
	WORK=$(mktemp -d "/tmp/$T.XXXXXX")
	SOCK=$WORK/ctl.sock
	DAEMON_LOG=$WORK/daemon.log
}

ns_add() {
	ip netns add "$1"
	NS_CREATED+=("$1")
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$1" link set lo up
}

# topo_up: the namespaces of the picture above, VF present (vf0 down, no BPF).
topo_up() {
	ns_add "$G"
	ns_add "$D"
	ns_add "$H"
	ns_add "$P"
	ip -n "$H" link add br0 type bridge
	ip -n "$H" link set br0 up
	ip -n "$G" link add sby address $MAC type veth peer name hsby netns "$H"
	ip -n "$G" link add vf0 address $MAC type veth peer name hvf0 netns "$H"
	ip -n "$P" link add eth0 type veth peer name hpeer netns "$H"
	ip -n "$D" link add eth0 type veth peer name hd0 netns "$H"
	for i in hsby hvf0 hpeer hd0; do
		ip -n "$H" link set "$i" master br0 up
	done
	ip -n "$G" addr add $GIP/24 dev sby
	ip -n "$G" link set sby up
	ip -n "$P" addr add $PIP/24 dev eth0
	ip -n "$P" link set eth0 up
	ip -n "$D" addr add $DIP/24 dev eth0
	ip -n "$D" link set eth0 up
}

# vf_add: a new VF the way the host hot-plugs it: vf0/hvf0 created in the
# host namespace, hvf0 bridged and up, then vf0 moved into the guest.
vf_add() {
	ip -n "$H" link add vf0 address $MAC type veth peer name hvf0
	ip -n "$H" link set hvf0 master br0 up
	ip -n "$H" link set vf0 netns "$G"
}

# daemon_start [STANDBY...]: sriov-failoverd in $G managing the standbys
# (default: sby), veth allowed as VF driver; waits until it is ready.
daemon_start() {
	local conf=$WORK/sfo.conf s
	printf '[global]\nvf-drivers = veth\n' >"$conf"
	for s in "${@:-sby}"; do
		printf '[standby %s]\n' "$s" >>"$conf"
	done
	ip netns exec "$G" "$DAEMON" -c "$conf" -s "$SOCK" -b /sys/fs/bpf/$T \
		--release-on-exit -v 2>"$DAEMON_LOG" &
	DAEMON_PID=$!
	for _ in $(seq 100); do
		grep -q "ready:" "$DAEMON_LOG" 2>/dev/null && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$DAEMON_LOG" >&2
	die "sriov-failoverd did not start"
}

daemon_stop() {
	[ -n "$DAEMON_PID" ] || return 0
	ours "$DAEMON_PID" && kill "$DAEMON_PID" 2>/dev/null || true
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
}

cli() {
	"$CLI" -s "$SOCK" "$@"
}

# pair_state: the state of sby ("active", "no-vf", ...).
pair_state() {
	cli -j status sby 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
p = d["pairs"][0] if isinstance(d.get("pairs"), list) and d["pairs"] else d
print(p.get("state", "?"))' 2>/dev/null || echo "?"
}

# wait_state STATE [TIMEOUT_S]
wait_state() {
	local want=$1 t=${2:-5} i
	for ((i = 0; i < t * 50; i++)); do
		[ "$(pair_state)" = "$want" ] && return 0
		sleep 0.02
	done
	return 1
}

# tx_vf_packets: frames the standby's egress program redirected to the VF.
dp_counter() {
	cli -j status sby 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
p = d["pairs"][0] if isinstance(d.get("pairs"), list) and d["pairs"] else d
print(p["datapath_counters"]["'"$1"'"])'
}

link_stat() { # NS IF rx_packets|tx_packets
	cat "/sys/class/net/$2/statistics/$3" 2>/dev/null ||
		ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# ready_file_wait FILE [TIMEOUT_S]
ready_wait() {
	local f=$1 t=${2:-5} i
	for ((i = 0; i < t * 100; i++)); do
		[ -e "$f" ] && return 0
		sleep 0.01
	done
	die "receiver did not become ready ($f)"
}

# Median, min, max of numbers on stdin.
stats_of() {
	python3 -c '
import statistics, sys
v = [float(x) for x in sys.stdin.read().split()]
if not v:
    print("n=0"); sys.exit()
print("n=%d median=%g min=%g max=%g" % (len(v), statistics.median(v), min(v), max(v)))'
}
