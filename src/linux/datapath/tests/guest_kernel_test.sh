#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Run datapath_test.sh inside a QEMU guest booted with Debian's own kernel
# (bookworm: 6.1, the guest kernel we target). Manual, not a meson test: it
# downloads one kernel package and needs a few minutes of TCG emulation.
#
# Why: the build machines' kernel refuses fentry programs (EPERM) and has no
# kprobes, so the close hook can only be exercised in a guest. The guest also
# checks that the datapath loads and works on 6.1 (no tcx, older verifier).
#
# usage: guest_kernel_test.sh BUILD_DIR [WORK_DIR]
#   BUILD_DIR  meson build directory of src/linux/datapath (dp_ctl, dp_traffic)
#   WORK_DIR   where the kernel package and initramfs go (default: a temp dir)
# needs: root, apt-get, qemu-system-x86 and busybox-static (apt-get install)
set -euo pipefail

if [ $# -lt 1 ]; then
	sed -n '3,16p' "$0"
	exit 2
fi
BUILD=$(realpath "$1")
HERE=$(dirname "$(realpath "$0")")
WORK=${2:-$(mktemp -d /tmp/sfo-guest.XXXXXX)}
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
for tool in qemu-system-x86_64 busybox apt-get dpkg-deb; do
	command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install qemu-system-x86 busybox-static)"; exit 2; }
done

# The kernel package linux-image-amd64 points to, exactly that one.
pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)/\1/p' | head -n1)
[ -n "$pkg" ] || { echo "cannot resolve linux-image-amd64 (apt-get update?)"; exit 2; }
kv=${pkg#linux-image-}
if [ ! -e "$WORK/kroot/boot/vmlinuz-$kv" ]; then
	(cd "$WORK" && apt-get download "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
	dpkg-deb -x "$WORK/$pkg"_*.deb "$WORK/kroot"
fi
mods=$WORK/kroot/lib/modules/$kv/kernel

R=$WORK/root
rm -rf "$R"
mkdir -p "$R"/{bin,proc,sys,dev,tmp,run,lib/modules,test,usr/bin}
cp "$(command -v busybox)" "$R/bin/busybox"
for applet in $(busybox --list); do
	[ -e "$R/bin/$applet" ] || ln -s busybox "$R/bin/$applet"
done
ln -s /bin/busybox "$R/usr/bin/env"
copy_with_libs() {
	local f lib
	for f in "$@"; do
		mkdir -p "$R$(dirname "$f")"
		cp -L "$f" "$R$f"
		for lib in $(ldd "$f" | grep -o '/[^ ]*'); do
			mkdir -p "$R$(dirname "$lib")"
			cp -L "$lib" "$R$lib"
		done
	done
}
copy_with_libs "$(command -v bash)" "$(command -v ip)" "$(command -v tc)" \
	"$(command -v bridge)" "$(command -v nsenter)" "$(command -v unshare)" \
	"$(command -v mount)" "$(command -v realpath)" "$(command -v mktemp)"
copy_with_libs "$BUILD/dp_ctl" "$BUILD/dp_traffic"
cp "$BUILD/dp_ctl" "$BUILD/dp_traffic" "$HERE/datapath_test.sh" "$R/test/"
for m in net/llc/llc.ko net/802/stp.ko net/bridge/bridge.ko drivers/net/veth.ko \
	net/sched/sch_ingress.ko net/sched/cls_bpf.ko; do
	cp "$mods/$m" "$R/lib/modules/"
done
cat >"$R/init" <<EOF
#!/bin/busybox sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp; mount -t tmpfs run /run
for m in llc stp bridge veth sch_ingress cls_bpf; do insmod /lib/modules/\$m.ko; done
ip link set dev lo up
echo "guest kernel \$(uname -r)"
/test/datapath_test.sh /test/dp_ctl /test/dp_traffic
echo "GUEST-TEST-EXIT \$?"
poweroff -f
EOF
chmod +x "$R/init"
(cd "$R" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$WORK/initramfs.gz"

timeout 900 qemu-system-x86_64 -machine q35,accel=tcg -cpu max -m 1024 -smp 2 \
	-nographic -no-reboot -kernel "$WORK/kroot/boot/vmlinuz-$kv" -initrd "$WORK/initramfs.gz" \
	-append "console=ttyS0 panic=-1 loglevel=4" | tee "$WORK/console.log" |
	grep -a -E '^(ok|not ok|#|Bail|guest kernel|GUEST-TEST-EXIT|[0-9]+ passed)'
rc=$(sed -n 's/^GUEST-TEST-EXIT \([0-9]*\).*/\1/p' "$WORK/console.log" | tr -d '\r')
[ "${rc:-1}" = 0 ]
