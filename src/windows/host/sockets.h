/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Linux ends of the emulated hardware: an AF_PACKET socket per
 * interface that stands for a miniport, a TAP device for the stack, and the
 * sysctls that keep the Linux stack off the miniports' interfaces. Every
 * function returns 0 (or a descriptor, a length) or a negative errno.
 */
#ifndef SFO_NDIS_HOST_SOCKETS_H
#define SFO_NDIS_HOST_SOCKETS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The largest frame read or written (a GSO super-frame from a veth peer
 * fits; the guest's TAP has no offloads, so it sends MTU-sized frames). */
#define FRAME_MAX 65536

/* Non-blocking, bound to @ifindex, every protocol; our own transmissions
 * are not looped back; receive and send buffers of @buf bytes; a virtio-net
 * header before each frame, which the functions below hide. */
int packet_open(int ifindex, int buf);
/* One frame sent as is: 0 or -errno (-ENETDOWN, -ENXIO when the device goes). */
int packet_send(int fd, const void *frame, size_t len);
/* One frame, its checksum completed if the sender left that to the device,
 * or -EAGAIN when none is left; -EMSGSIZE for a frame dropped (larger than
 * @len, or a GSO super-frame). */
ssize_t packet_recv(int fd, void *buf, size_t len);

/* A new TAP device @name (no packet information header, non-blocking),
 * gone when the descriptor closes, with hardware address @mac. */
int tap_open(const char *name, const uint8_t mac[6]);

/* The Linux stack leaves @ifname alone: no ARP answers
 * (arp_ignore 8), no IPv4 accepted from it (strict rp_filter), no IPv6. */
int stack_off(const char *ifname);

#endif
