// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int hello(struct xdp_md *ctx)
{
	/* TODO: print exactly "Hello, eBPF!" - the checks compare the text character
	 * by character. */
	bpf_printk("Hello, world");

	return XDP_PASS;
}

/* bpf_printk may only be used by GPL-compatible programs. */
char LICENSE[] SEC("license") = "GPL";
