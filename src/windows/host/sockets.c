// SPDX-License-Identifier: BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sockets.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23 /* Linux 4.20 */
#endif

static int set_buf(int fd, int opt_force, int opt, int bytes)
{
	if (setsockopt(fd, SOL_SOCKET, opt_force, &bytes, sizeof(bytes)) == 0)
		return 0;
	return setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof(bytes)) == 0 ? 0 : -errno;
}

int packet_open(int ifindex, int buf)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	int one = 1, fd, err;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if ((err = set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, buf)) < 0 ||
	    (err = set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, buf)) < 0) {
		close(fd);
		return err;
	}
	return fd;
}

int packet_send(int fd, const void *frame, size_t len)
{
	struct virtio_net_hdr vh = { .gso_type = VIRTIO_NET_HDR_GSO_NONE }; /* a whole frame */
	struct iovec iov[2] = { { &vh, sizeof(vh) }, { (void *)frame, len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };

	return sendmsg(fd, &msg, MSG_DONTWAIT) == (ssize_t)(sizeof(vh) + len) ? 0 : -errno;
}

/* The Internet checksum over @f[start..len), the pseudo-header's sum the
 * sender left in the field included, stored at start + off (what the
 * sender's device would have done: skb_checksum_help()). */
static void complete_checksum(uint8_t *f, size_t len, size_t start, size_t off)
{
	uint32_t sum = 0;
	uint16_t res;
	size_t i;

	if (start + off + 2 > len)
		return;
	for (i = start; i + 1 < len; i += 2)
		sum += (uint32_t)f[i] << 8 | f[i + 1];
	if (i < len)
		sum += (uint32_t)f[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	res = (uint16_t)~sum;
	if (res == 0)
		res = 0xffff;
	f[start + off] = (uint8_t)(res >> 8);
	f[start + off + 1] = (uint8_t)res;
}

ssize_t packet_recv(int fd, void *buf, size_t len)
{
	struct virtio_net_hdr vh;
	struct iovec iov[2] = { { &vh, sizeof(vh) }, { buf, len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	if ((size_t)n < sizeof(vh) || (msg.msg_flags & MSG_TRUNC))
		return -EMSGSIZE;
	n -= (ssize_t)sizeof(vh);
	if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return -EMSGSIZE; /* a super-frame no wire carries */
	/* A veth peer's frames may carry only the pseudo-header's sum (checksum
	 * offload): a NIC receives complete frames, so complete it. */
	if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		complete_checksum(buf, (size_t)n, vh.csum_start, vh.csum_offset);
	return n;
}

int tap_open(const char *name, const uint8_t mac[6])
{
	struct ifreq ifr;
	int fd, err;

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto fail;
	ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	if (ioctl(fd, SIOCSIFHWADDR, &ifr) < 0)
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

static int write_sysctl(const char *family, const char *ifname, const char *key, const char *value)
{
	char path[128];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family, ifname, key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		err = -errno;
	close(fd);
	return err;
}

int stack_off(const char *ifname)
{
	int err;

	if ((err = write_sysctl("ipv4", ifname, "arp_ignore", "8")) < 0 ||
	    (err = write_sysctl("ipv4", ifname, "rp_filter", "1")) < 0)
		return err;
	err = write_sysctl("ipv6", ifname, "disable_ipv6", "1");
	return err == -ENOENT ? 0 : err; /* a kernel without IPv6 */
}
