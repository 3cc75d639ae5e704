# SPDX-License-Identifier: BSD-2-Clause
"""sfo-vmlab: sriov-failover in a real QEMU guest during a real live migration."""

VERSION = "0.1.0"
