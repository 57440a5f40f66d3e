// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define DSCP_EF 46

SEC("tc")
int set_dscp(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;

	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;

	/* TODO：TOS 字节的高 6 位是 DSCP，低 2 位是 ECN。
	 *       计算新的 TOS：把 DSCP_EF 移到对应位置，保留 ECN 位。
	 * TODO：IPv4 头部校验和覆盖 TOS 字节：更新它，例如对包含 TOS 的
	 *       16 位字调用 bpf_l3_csum_replace()（校验和的位置见
	 *       offsetof(struct iphdr, check)），或者重新计算。
	 *       然后写入新的 TOS（bpf_skb_store_bytes()）。 */

	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
