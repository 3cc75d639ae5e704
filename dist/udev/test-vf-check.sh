#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Test of sriov-failover-vf-check on a fake sysfs tree (no root needed).
#
#   usage: test-vf-check.sh PATH/TO/sriov-failover-vf-check
#
# The tree imitates /sys: /sys/class/net/NAME are symlinks into
# /sys/devices/..., NAME/device points at the bus device, and the bus device's
# driver link points into /sys/bus/BUS/drivers/DRIVER. The helper runs with
# SYSFS_ROOT set to the tree, under every POSIX shell found (dash, busybox sh,
# bash --posix, sh).
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 PATH/TO/sriov-failover-vf-check" >&2
	exit 2
fi
case $1 in
/*) HELPER=$1 ;;
*) HELPER=$(pwd)/$1 ;;
esac
[ -r "$HELPER" ] || { echo "cannot read $HELPER" >&2; exit 2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/sfo-vfcheck.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
S=$T/sys
mkdir -p "$S/class/net" "$S/devices/virtual/net" \
	"$S/bus/virtio/drivers" "$S/bus/pci/drivers" "$S/bus/vmbus/drivers"

# pci_dev BDF [DRIVER]: a PCI function, bound to DRIVER if given.
pci_dev() {
	d=$S/devices/pci0000:00/$1
	mkdir -p "$d"
	if [ $# -ge 2 ]; then
		mkdir -p "$S/bus/pci/drivers/$2"
		ln -s "../../../bus/pci/drivers/$2" "$d/driver"
	fi
}

# virtio_dev BDF N: virtioN on PCI function BDF, bound to virtio_net.
virtio_dev() {
	pci_dev "$1" virtio-pci
	d=$S/devices/pci0000:00/$1/virtio$2
	mkdir -p "$d" "$S/bus/virtio/drivers/virtio_net"
	ln -s "../../../../bus/virtio/drivers/virtio_net" "$d/driver"
}

# netdev NAME MAC PARENT: a network interface under PARENT (a path below
# devices/, e.g. pci0000:00/0000:00:03.0/virtio0) or a software device when
# PARENT is "-".
netdev() {
	if [ "$3" = - ]; then
		d=$S/devices/virtual/net/$1
		mkdir -p "$d"
		ln -s "../../devices/virtual/net/$1" "$S/class/net/$1"
	else
		d=$S/devices/$3/net/$1
		mkdir -p "$d"
		# class/net/NAME -> ../../devices/PARENT/net/NAME
		ln -s "../../devices/$3/net/$1" "$S/class/net/$1"
		# device -> PARENT, relative to devices/PARENT/net/NAME
		ln -s "../../" "$d/device"
	fi
	printf '%s\n' "$2" >"$d/address"
}

M1=52:54:00:12:34:56
M2=52:54:00:ab:cd:ef
M3=02:11:22:33:44:55

virtio_dev 0000:00:03.0 0
netdev eth0 "$M1" pci0000:00/0000:00:03.0/virtio0 # standby
virtio_dev 0000:00:04.0 1
netdev eth1 "$M2" pci0000:00/0000:00:04.0/virtio1 # second standby
virtio_dev 0000:00:05.0 2
netdev eth2 "$M1" pci0000:00/0000:00:05.0/virtio2 # virtio with eth0's MAC
pci_dev 0000:07:00.0 iavf
netdev enp7s0 "$M1" pci0000:00/0000:07:00.0 # VF of eth0
pci_dev 0000:08:00.0 mlx5_core
netdev enp8s0 "$M2" pci0000:00/0000:08:00.0 # VF of eth1
pci_dev 0000:09:00.0 ixgbevf
netdev enp9s0 "$M3" pci0000:00/0000:09:00.0 # VF, no standby (yet)
pci_dev 0000:0a:00.0
netdev enp10s0 "$M1" pci0000:00/0000:0a:00.0 # device without driver
pci_dev 0000:0b:00.0 e1000e
netdev enp11s0 00:00:00:00:00:00 pci0000:00/0000:0b:00.0 # zero MAC
mkdir -p "$S/devices/vmbus/abcd" "$S/bus/vmbus/drivers/hv_netvsc"
ln -s "../../../bus/vmbus/drivers/hv_netvsc" "$S/devices/vmbus/abcd/driver"
netdev hn0 "$M3" vmbus/abcd # a standby of another driver, enp9s0's MAC
netdev br0 "$M1" - # bridge over eth0: same MAC, software device
netdev eth0.100 "$M1" - # VLAN of eth0
netdev veth0 "$M1" - # veth given the standby's MAC
netdev lo 00:00:00:00:00:00 -
# QEMU failover=on: net_failover's master and, enslaved to it, a virtio_net
# standby and a VF with its MAC
M4=52:54:00:99:88:77
netdev nf0 "$M4" -
virtio_dev 0000:00:06.0 3
netdev nf0nsby "$M4" pci0000:00/0000:00:06.0/virtio3
pci_dev 0000:0c:00.0 iavf
netdev nf0npri "$M4" pci0000:00/0000:0c:00.0
for n in nf0nsby nf0npri; do
	ln -s "$S/devices/virtual/net/nf0" "$S/class/net/$n/master"
done

PASS=0
FAIL=0

# expect DESCRIPTION WANT_STATUS WANT_OUTPUT -- HELPER_ARGS...
expect() {
	desc=$1 want_rc=$2 want_out=$3
	shift 4
	out=$(SYSFS_ROOT=$S $SH "$HELPER" "$@" 2>"$T/err")
	rc=$?
	if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ]; then
		PASS=$((PASS + 1))
		echo "ok - [$SHNAME] $desc"
	else
		FAIL=$((FAIL + 1))
		echo "not ok - [$SHNAME] $desc: exit $rc (want $want_rc), output:"
		printf '%s\n' "$out" | sed 's/^/#   /'
		echo "#   want:"
		printf '%s\n' "$want_out" | sed 's/^/#   /'
		sed 's/^/#   stderr: /' "$T/err"
	fi
}

NL='
'
run_all() {
	expect "VF with the standby's MAC is marked" 0 \
		"SRIOV_FAILOVER_VF=1${NL}SRIOV_FAILOVER_STANDBY=eth0" -- enp7s0
	expect "VF of the second standby names it" 0 \
		"SRIOV_FAILOVER_VF=1${NL}SRIOV_FAILOVER_STANDBY=eth1" -- enp8s0
	expect "the standby itself is not marked" 0 "" -- eth0
	expect "virtio_net with another standby's MAC is not marked" 0 "" -- eth2
	expect "VF without a standby (VF first) is not marked" 0 "" -- enp9s0
	expect "device bound to no driver is not marked" 0 "" -- enp10s0
	expect "zero MAC is not marked" 0 "" -- enp11s0
	expect "bridge with the standby's MAC is not marked" 0 "" -- br0
	expect "VLAN with the standby's MAC is not marked" 0 "" -- eth0.100
	expect "veth with the standby's MAC is not marked" 0 "" -- veth0
	expect "loopback is not marked" 0 "" -- lo
	expect "net_failover's primary (enslaved) is not marked" 0 "" -- nf0npri
	expect "missing interface is not marked" 0 "" -- nosuch0
	expect "other standby driver not taken by default" 0 "" -- enp9s0
	expect "standby drivers given as arguments" 0 \
		"SRIOV_FAILOVER_VF=1${NL}SRIOV_FAILOVER_STANDBY=hn0" -- enp9s0 virtio_net hv_netvsc
	expect "standby driver list replaces the default" 0 "" -- enp7s0 hv_netvsc
	expect "a standby-driver device is never a VF" 0 "" -- hn0 hv_netvsc
	expect "no argument is a usage error" 2 "" --
	expect "path in the name is a usage error" 2 "" -- ../eth0
	expect "empty name is a usage error" 2 "" -- ""
}

SHELLS=0
for spec in "dash:dash" "busybox:busybox sh" "bash-posix:bash --posix" "sh:sh"; do
	SHNAME=${spec%%:*}
	SH=${spec#*:}
	command -v "${SH%% *}" >/dev/null 2>&1 || continue
	SHELLS=$((SHELLS + 1))
	run_all
done

# The sysfs of a machine without this layout must not upset the helper.
SHNAME=sh SH=sh
S=$T/empty
mkdir -p "$S"
expect "no /sys/class/net at all" 0 "" -- enp7s0

echo "$PASS passed, $FAIL failed ($SHELLS shells)"
[ "$FAIL" -eq 0 ]
