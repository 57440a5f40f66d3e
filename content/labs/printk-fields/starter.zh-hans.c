// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int print_fields(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	/* 验证器坚持：读取以太网头部的任何字节之前，先证明它在包内。 */
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;

	/* TODO：帧长度就是从 data 到 data_end 的距离。 */
	long len = 0;

	/* TODO：h_proto 是网络字节序；打印前先转换，
	 * 并以带 0x 前缀的小写十六进制打印。 */
	bpf_printk("len=%ld proto=%d", len, eth->h_proto);

	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
