#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
set -euo pipefail

usage() {
	cat <<EOF2
Usage: $(basename "$0") [-n ROUNDS] [-c CONTAINERS]          (as root; needs cc)

What one announcement costs the daemon's event loop (bench/announce_cost.c), in a
private network namespace: a standby "sby" (veth) with an IPv4 and an IPv6
address, a guest bridge "gbr" with sby as a port and its own IPv4 address, and
CONTAINERS (default 20) further veth ports whose MACs the bridge has learned.
ROUNDS (default 200) announcements each way; median and maximum in us.
Builds against \$SFO_BUILD (default /tmp/bn-build, as the other benches).
EOF2
}

ROUNDS=200
CTRS=20
while [ $# -gt 0 ]; do
	case $1 in
	-n) ROUNDS=${2:?-n needs a value}; shift 2 ;;
	-c) CTRS=${2:?-c needs a value}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[[ $ROUNDS =~ ^[0-9]+$ ]] && [ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 10000 ] ||
	{ echo "-n must be 1..10000" >&2; exit 2; }
[[ $CTRS =~ ^[0-9]+$ ]] && [ "$CTRS" -le 200 ] || { echo "-c must be 0..200" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "must run as root" >&2; exit 1; }
command -v cc >/dev/null || { echo "cc not found" >&2; exit 1; }

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SFO_BUILD:-/tmp/bn-build}
LIB=$BUILD/src/linux/netdev/libsfo-netdev.a
[ -f "$LIB" ] || { echo "$LIB not found: build the tree first (SFO_BUILD=DIR)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/sfo-bn-$$.XXXXXX)
trap 'rm -rf "$WORK"' EXIT INT TERM

cc -O2 -std=gnu11 -I"$SRC/include" -I"$SRC/src/linux/netdev" -I"$BUILD/src/linux/netdev" \
	"$SRC/bench/announce_cost.c" "$LIB" -lmnl -o "$WORK/announce_cost"

# everything in a network namespace that ends with the command
unshare -n bash -euo pipefail -c '
	ip link set lo up
	ip link add sby type veth peer name wire
	sysctl -qw net.ipv6.conf.wire.disable_ipv6=1
	ip addr add 192.0.2.1/24 dev sby
	ip -6 addr add 2001:db8::1/64 dev sby nodad
	ip link set wire up && ip link set sby up
	ip link add gbr type bridge stp_state 0
	ip link set sby master gbr && ip link set gbr up
	ip addr add 198.51.100.1/24 dev gbr
	for i in $(seq 1 '"$CTRS"'); do
		ip link add c$i type veth peer name c${i}p
		ip link set c$i master gbr up && ip link set c${i}p up
		mac=$(printf "02:00:5e:00:%02x:%02x" $((i / 256)) $((i % 256)))
		bridge fdb add $mac dev c$i master static
	done
	echo "standby sby: 2 addresses; bridge gbr: 1 address, '"$CTRS"' container ports"
	'"$WORK"'/announce_cost sby '"$ROUNDS"'
'
