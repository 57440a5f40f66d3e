// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define VIP_ADDR 0xcb00710a /* 203.0.113.10, host order */
#define VIP_PORT 80

struct backend {
	__u32 addr; /* network byte order */
	__u8 mac[6];
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

SEC("xdp")
int xdp_lb(struct xdp_md *ctx)
{
	/* TODO:
	 * 1. parse Ethernet, IPv4 (options included) and the whole 20-byte TCP header;
	 *    anything but TCP to 203.0.113.10 port 80 gets XDP_PASS, untouched;
	 * 2. look up backend ntohs(source port) % 4;
	 * 3. destination MAC := the backend's mac, source MAC := the old destination MAC,
	 *    destination address := the backend's addr;
	 * 4. keep the IPv4 and TCP checksums valid, and return XDP_TX. */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
