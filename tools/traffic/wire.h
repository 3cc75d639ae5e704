/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Header of the sequenced UDP stream (udp-send -> udp-recv), network byte
 * order, at the start of every datagram:
 *
 *   0  u32 magic 0x53464f54 ("SFOT")   4  u8 version (1)   5  u8 flags
 *   6  u16 header length (48)          8  u32 stream id   12  u32 sender rate (pps)
 *  16  u64 sequence number (data packets: 0, 1, 2, ...)
 *  24  u64 sender CLOCK_MONOTONIC time when the packet was sent (ns)
 *  32  u64 sender schedule base (ns): packet N is due at base + N * 1e9 / rate
 *  40  u64 count: on "last" packets, the number of data packets the sender
 *          sent (sequence numbers 0..count-1); 0 otherwise
 *
 * The rest of the datagram is zero padding up to --size.
 */
#ifndef SFO_TRAFFIC_WIRE_H
#define SFO_TRAFFIC_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define SFO_WIRE_MAGIC	 0x53464f54u
#define SFO_WIRE_VERSION 1
#define SFO_WIRE_HDR_LEN 48
#define SFO_WIRE_F_LAST	 0x01

/* Largest sequence number a receiver tracks (2^34 packets). */
#define SFO_WIRE_SEQ_LIMIT (1ull << 34)

struct sfo_wire_hdr {
	uint8_t flags;
	uint32_t stream_id;
	uint32_t rate_pps;
	uint64_t seq;
	uint64_t tx_ns;
	uint64_t sched_base_ns;
	uint64_t count;
};

void wire_encode(const struct sfo_wire_hdr *h, uint8_t *buf);

/* Returns 0, or -1 if buf does not hold a valid header. */
int wire_decode(const uint8_t *buf, size_t len, struct sfo_wire_hdr *h);

/* Offset of packet seq from the schedule base: seq * 1e9 / rate, without overflow. */
uint64_t wire_sched_offset_ns(uint64_t seq, uint32_t rate_pps);

#endif
