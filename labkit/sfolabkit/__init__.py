# SPDX-License-Identifier: BSD-2-Clause
"""The Python package of sriov-failover's labs (sfo-lab, sfo-vmlab), integration
tests and benches: what they share lives here once.

  proc       commands, processes by PID, errors, progress lines
  netns      network namespaces and their links (veth, bridges, counters)
  daemon     sriov-failoverd in a namespace, driven through its command line
  ndishost   sfo-ndis-host (the Windows edge on the NDIS emulation) in a namespace
  files      the reports the tools we start leave in files
  timeline   measurements on a common grid of time bins
  stats      median of paired ratios with its confidence interval, goal verdicts
  svg        the timeline picture, one panel per mode
  table      the text table printed at the end of a run
  document   the JSON document's envelope
  debkernel  Debian's kernel package and module dependencies, for guests
  cpio       initramfs archives
  guest      a QEMU guest that runs a command on this machine's own root (sfo-lab --in-vm)

Standard library only.  Programs run through labkit/run, which puts this
package (and lab/, vmlab/) on PYTHONPATH; pyproject.toml describes it.
"""
