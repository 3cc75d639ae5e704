/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Random loss for test_traffic.py where sch_netem is missing: a tc egress
 * program that drops IPv4 packets with probability DROP_PCT percent.  ARP
 * passes, so neighbour resolution does not add loss bursts.
 * Build: clang -O2 -target bpf -DDROP_PCT=10 -c drop_pct.bpf.c -o drop.o
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef DROP_PCT
#define DROP_PCT 10
#endif

SEC("tc")
int drop_pct(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	return bpf_get_prandom_u32() % 100 < DROP_PCT ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
