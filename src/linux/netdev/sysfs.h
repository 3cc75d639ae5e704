/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What sysfs says about an interface's device: /sys/class/net/IF/device.
 * Note: /sys shows the network namespace of whoever mounted it; check
 * sfo_sysfs_ifindex() against the rtnetlink ifindex when that may differ.
 */
#ifndef SFO_NETDEV_SYSFS_H
#define SFO_NETDEV_SYSFS_H

#include <stdbool.h>
#include <stdint.h>

/* /sys/class/net/IF/ifindex, or a negative errno (-ENOENT: not visible). */
int sfo_sysfs_ifindex(const char *ifname);

/* True if the interface is backed by a bus device (PCI function, virtio
 * device...), i.e. it is not a purely software interface. */
bool sfo_sysfs_has_device(const char *ifname);

/* True if that device is on the PCI bus. */
bool sfo_sysfs_is_pci(const char *ifname);

/* PCI vendor and device ids of the interface's device. -ENOENT if it is not
 * a PCI function, -EINVAL if sysfs holds something unexpected. */
int sfo_sysfs_pci_ids(const char *ifname, uint16_t *vendor, uint16_t *device);

#endif /* SFO_NETDEV_SYSFS_H */
