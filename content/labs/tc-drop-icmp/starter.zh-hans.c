// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/icmp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int drop_pings(struct __sk_buff *skb)
{
	/* 在 TC 钩子上，包已经放进了 socket buffer；它的字节仍然
	 * 通过 skb->data 和 skb->data_end 访问。 */
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;

	/* TODO：只处理 IPv4；检查 IPv4 头部完整落在包内。
	 * TODO：只处理 ICMP（ip->protocol）；ICMP 头部从 IPv4 头部开始处
	 *       往后 ip->ihl * 4 字节开始。同样检查它完整落在包内。
	 * TODO：回显请求（ICMP_ECHO，类型 8）返回 TC_ACT_SHOT；
	 *       回显应答（类型 0）和其他一切返回 TC_ACT_OK。 */

	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
