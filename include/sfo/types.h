/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Plain data exchanged between the portable failover core and an OS edge.
 * No OS header may be included here: the same types serve a Linux and an
 * NDIS edge.
 */
#ifndef SFO_TYPES_H
#define SFO_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SFO_NAME_MAX   32 /* adapter name incl. NUL (Linux IFNAMSIZ is 16) */
#define SFO_DRIVER_MAX 32
#define SFO_KIND_MAX   16
#define SFO_MAC_LEN    6
#define SFO_REASON_MAX 96

/*
 * Error codes returned by the core (negated, errno-style). The values match
 * Linux's so an edge can pass them through strerror(); C11 itself only
 * defines three errno values, so the core cannot use <errno.h> names.
 */
enum sfo_error {
	SFO_ENOENT = 2,
	SFO_ENOMEM = 12,
	SFO_EBUSY = 16,
	SFO_EEXIST = 17,
	SFO_EINVAL = 22,
	SFO_ERANGE = 34,
};

/* Adapter flags reported by the edge. */
enum sfo_adapter_flags {
	SFO_AF_UP = 1u << 0,	   /* administratively up */
	SFO_AF_CARRIER = 1u << 1,  /* link has carrier */
	SFO_AF_PROMISC = 1u << 2,  /* stack asked for promiscuous reception */
	SFO_AF_ALLMULTI = 1u << 3, /* stack asked for all multicast */
	SFO_AF_STACKED = 1u << 4,  /* upper/lower of another device (enslaved, master...) */
};

/*
 * Offload features, a portable subset of what NDIS and Linux both name.
 * A VF gets the standby's requested set trimmed to what it supports.
 */
enum sfo_offload {
	SFO_OFF_RX_CSUM = 1u << 0,
	SFO_OFF_TX_CSUM = 1u << 1,
	SFO_OFF_SG = 1u << 2,
	SFO_OFF_TSO4 = 1u << 3,
	SFO_OFF_TSO6 = 1u << 4,
	SFO_OFF_GSO = 1u << 5,
	SFO_OFF_GRO = 1u << 6,
	SFO_OFF_LRO = 1u << 7,
	SFO_OFF_RX_VLAN = 1u << 8,
	SFO_OFF_TX_VLAN = 1u << 9,
	SFO_OFF_RX_HASH = 1u << 10,
	SFO_OFF_TUNNEL = 1u << 11,
	SFO_OFF_ALL = (1u << 12) - 1,
};

/* What the edge knows about one adapter (network interface). */
struct sfo_adapter_info {
	uint32_t id; /* edge-chosen non-zero id (Linux: ifindex) */
	char name[SFO_NAME_MAX];
	char driver[SFO_DRIVER_MAX]; /* "" if unknown */
	char kind
		[SFO_KIND_MAX]; /* link kind for soft devices ("bridge", "veth"), "" for hardware */
	uint16_t pci_vendor;	/* 0 when not a PCI function */
	uint16_t pci_device;
	uint8_t perm_mac[SFO_MAC_LEN]; /* permanent MAC (edge falls back to current) */
	uint32_t flags;		       /* enum sfo_adapter_flags */
	uint32_t master_id;	       /* id of the device it is enslaved to, 0 if none */
	uint32_t mtu;
	uint32_t max_mtu;	     /* 0 if unknown */
	uint32_t offloads_supported; /* enum sfo_offload */
	uint32_t offloads_active;
};

/* Receive filter of the standby, mirrored onto the VF. */
struct sfo_rx_mode {
	bool promisc;
	bool allmulti;
	size_t mc_count;
	const uint8_t (*mc_list)[SFO_MAC_LEN]; /* mc_count link-layer multicast addresses */
};

enum sfo_counter {
	SFO_CTR_RX_PACKETS,
	SFO_CTR_TX_PACKETS,
	SFO_CTR_RX_BYTES,
	SFO_CTR_TX_BYTES,
	SFO_CTR_RX_ERRORS,
	SFO_CTR_TX_ERRORS,
	SFO_CTR_RX_DROPPED,
	SFO_CTR_TX_DROPPED,
	SFO_CTR_MULTICAST,
	SFO_CTR_COLLISIONS,
	SFO_CTR_MAX,
};

/* One reading of an adapter's counters; width tells how they wrap (32 or 64). */
struct sfo_counters {
	uint64_t v[SFO_CTR_MAX];
	uint8_t width;
};

const char *sfo_counter_name(enum sfo_counter c);

#endif /* SFO_TYPES_H */
