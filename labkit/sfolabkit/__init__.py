# SPDX-License-Identifier: BSD-2-Clause
"""Code the labs share: sfo-lab (network namespaces) and sfo-vmlab (QEMU guests).

  proc       commands, processes by PID, errors, progress lines
  timeline   measurements on a common grid of time bins
  svg        the timeline picture, one panel per mode
  table      the text table printed at the end of a run
  document   the JSON document's envelope
  debkernel  Debian's kernel package and module dependencies, for guests
  cpio       initramfs archives
  guest      a QEMU guest that runs a command on this machine's own root (sfo-lab --in-vm)

Standard library only; each lab's launcher puts this directory on sys.path.
"""
