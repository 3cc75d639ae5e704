# SPDX-License-Identifier: BSD-2-Clause
"""sfo-lab: a VM's live migration with an SR-IOV VF, reproduced in network namespaces.

Modules, one concern each:

    util         commands, processes started by the lab, cleanup registry
    topology     the namespaces, bridges, the movable virtio backend, VF hot-plug
    modes        how the guest uses its two NICs (sriov-failover, bonding, VF only,
                 standby only)
    traffic      sfo-traffic flows (UDP both ways, TCP)
    sampler      per-namespace interface counter sampler (runs inside a namespace)
    announce     QEMU announce-self stand-in: RARP frames with the guest's MAC
    choreography the scenarios: what the host does, and when
    analysis     per-phase metrics from the traffic reports and the counters
    report       the table and the JSON document
    svg          the timeline
    cli          command line, progress line, the main loop

Python 3.11 standard library only.
"""

VERSION = "0.1.0"
