#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# usage: check-man.sh GROFF PAGE...
# Fails when groff prints any warning for a page (groff itself exits 0).
set -u
groff=$1
shift
fail=0
for page in "$@"; do
	msgs=$(LC_ALL=C.UTF-8 "$groff" -ww -man -Tutf8 "$page" 2>&1 >/dev/null)
	if [ -n "$msgs" ]; then
		echo "not ok - $page"
		printf '%s\n' "$msgs" | sed 's/^/#   /'
		fail=1
	else
		echo "ok - $page"
	fi
done
exit $fail
