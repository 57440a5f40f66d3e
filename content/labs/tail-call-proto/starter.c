// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* TODO: a BPF_MAP_TYPE_PROG_ARRAY named jmp_table with 256 slots (4-byte keys and
 * values). The platform stores handle_tcp at slot 6 and handle_udp at slot 17. */

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	/* TODO: parse Ethernet and IPv4 (bounds-checked, options included) and
	 * bpf_tail_call(ctx, &jmp_table, ip->protocol). */
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	/* TODO: parse again (a tail call keeps nothing but ctx) and print
	 * "tcp <destination port>" */
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	/* TODO: the same for UDP: "udp <destination port>" */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
