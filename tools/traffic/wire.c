/* SPDX-License-Identifier: BSD-2-Clause */
#include "wire.h"

static void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	put_u16(p, (uint16_t)(v >> 16));
	put_u16(p + 2, (uint16_t)v);
}

static void put_u64(uint8_t *p, uint64_t v)
{
	put_u32(p, (uint32_t)(v >> 32));
	put_u32(p + 4, (uint32_t)v);
}

static uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get_u32(const uint8_t *p)
{
	return ((uint32_t)get_u16(p) << 16) | get_u16(p + 2);
}

static uint64_t get_u64(const uint8_t *p)
{
	return ((uint64_t)get_u32(p) << 32) | get_u32(p + 4);
}

void wire_encode(const struct sfo_wire_hdr *h, uint8_t *buf)
{
	put_u32(buf, SFO_WIRE_MAGIC);
	buf[4] = SFO_WIRE_VERSION;
	buf[5] = h->flags;
	put_u16(buf + 6, SFO_WIRE_HDR_LEN);
	put_u32(buf + 8, h->stream_id);
	put_u32(buf + 12, h->rate_pps);
	put_u64(buf + 16, h->seq);
	put_u64(buf + 24, h->tx_ns);
	put_u64(buf + 32, h->sched_base_ns);
	put_u64(buf + 40, h->count);
}

int wire_decode(const uint8_t *buf, size_t len, struct sfo_wire_hdr *h)
{
	if (len < SFO_WIRE_HDR_LEN || get_u32(buf) != SFO_WIRE_MAGIC ||
	    buf[4] != SFO_WIRE_VERSION || get_u16(buf + 6) < SFO_WIRE_HDR_LEN)
		return -1;
	h->flags = buf[5];
	h->stream_id = get_u32(buf + 8);
	h->rate_pps = get_u32(buf + 12);
	h->seq = get_u64(buf + 16);
	h->tx_ns = get_u64(buf + 24);
	h->sched_base_ns = get_u64(buf + 32);
	h->count = get_u64(buf + 40);
	return 0;
}

uint64_t wire_sched_offset_ns(uint64_t seq, uint32_t rate_pps)
{
	if (!rate_pps)
		return 0;
	return (uint64_t)((unsigned __int128)seq * 1000000000u / rate_pps);
}
