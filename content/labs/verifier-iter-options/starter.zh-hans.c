// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* 开放编码的数字迭代器（Linux 6.4 及以上）：几个内核函数（kfunc），
 * 这里按较新内核头文件的写法声明。 */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

SEC("xdp")
int drop_record_route(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__u32 end = ip->ihl * 4; /* 被帧尾截断的头部不算 IPv4 包 */
	if (end < sizeof(*ip) || (void *)ip + end > data_end)
		return XDP_PASS;
	end += sizeof(*eth);                      /* 选项结束后的第一个帧内偏移 */
	__u32 at = sizeof(*eth) + sizeof(*ip);    /* 第一个选项的帧内偏移 */
	int action = XDP_PASS;
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 40); /* 选项最多 40 字节：所以最多 40 个选项 */
	while (bpf_iter_num_next(&it)) {
		__u8 head[2] = {};
		if (at >= end || bpf_xdp_load_bytes(ctx, at, head, 1))
			break;
		/* TODO：遇到 IPOPT_END 结束遍历；IPOPT_NOOP 占一个字节；其他选项的长度
		 * 在它的第二个字节里（至少为 2，且不超出选项区）：用
		 * bpf_xdp_load_bytes(ctx, at, head, 2) 读取。遇到 IPOPT_RR 就丢弃这个包。
		 * （这三个常量都来自 <linux/ip.h>。） */
		break;
	}
	bpf_iter_num_destroy(&it);
	return action;
}

char LICENSE[] SEC("license") = "GPL";
