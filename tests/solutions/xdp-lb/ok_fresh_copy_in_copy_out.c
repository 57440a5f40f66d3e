/* A stranger's program: never touches the frame through pointers. It copies the first
 * 14 + 60 + 20 bytes it needs into a stack buffer with bpf_xdp_load_bytes (a short
 * frame makes the copy fail: XDP_PASS), edits the copy, recomputes both checksums with
 * bpf_csum_diff over the changed address, and writes the three edited pieces back with
 * bpf_xdp_store_bytes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

struct backend {
	__u32 addr;
	__u8 mac[6];
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__uint(value_size, sizeof(struct backend));
} backends SEC(".maps");

static __always_inline __u16 csum_fold(__s64 csum)
{
	__u64 sum = (__u64)csum;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

SEC("xdp")
int lb(struct xdp_md *ctx)
{
	__u8 eth[14], ip[20], tcp[20];

	if (bpf_xdp_load_bytes(ctx, 0, eth, 14) || eth[12] != 0x08 || eth[13] != 0x00)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, 14, ip, 20))
		return XDP_PASS;
	__u32 ihl = (ip[0] & 0x0f) * 4;
	if (ihl < 20 || ip[9] != 6)
		return XDP_PASS;
	if (ip[16] != 203 || ip[17] != 0 || ip[18] != 113 || ip[19] != 10)
		return XDP_PASS;
	__u32 toff = 14 + ihl;
	if (toff > 14 + 60 || bpf_xdp_load_bytes(ctx, toff, tcp, 20))
		return XDP_PASS;
	if (tcp[2] != 0 || tcp[3] != 80)
		return XDP_PASS;

	__u32 key = ((tcp[0] << 8) | tcp[1]) % 4;
	struct backend *be = bpf_map_lookup_elem(&backends, &key);
	if (!be)
		return XDP_PASS;

	__be32 old = *(__be32 *)&ip[16], new = be->addr;
	__s64 diff = bpf_csum_diff(&old, 4, &new, 4, 0);
	__u16 ipsum = *(__u16 *)&ip[10], tcpsum = *(__u16 *)&tcp[16];
	__u16 newip = csum_fold(bpf_csum_diff(0, 0, 0, 0, (__u16)~ipsum) + diff);
	__u16 newtcp = csum_fold(bpf_csum_diff(0, 0, 0, 0, (__u16)~tcpsum) + diff);

	__u8 macs[12];
	__builtin_memcpy(macs, be->mac, 6);
	__builtin_memcpy(macs + 6, eth, 6);
	bpf_xdp_store_bytes(ctx, 0, macs, 12);
	__builtin_memcpy(&ip[16], &new, 4);
	__builtin_memcpy(&ip[10], &newip, 2);
	bpf_xdp_store_bytes(ctx, 14, ip, 20);
	bpf_xdp_store_bytes(ctx, toff + 16, &newtcp, 2);
	return XDP_TX;
}
