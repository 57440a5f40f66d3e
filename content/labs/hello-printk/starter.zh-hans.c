// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int hello(struct xdp_md *ctx)
{
	/* TODO：打印的文字必须恰好是 "Hello, eBPF!"——检查项会逐个字符比较。 */
	bpf_printk("Hello, world");

	return XDP_PASS;
}

/* 只有兼容 GPL 的程序才能使用 bpf_printk。 */
char LICENSE[] SEC("license") = "GPL";
