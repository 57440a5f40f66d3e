/* Formats the whole line with bpf_snprintf (EtherType read with bpf_xdp_load_bytes), then prints "%s". */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int fields(struct xdp_md *ctx)
{
	__u8 t[2];
	char line[48];
	__u64 args[2];

	if (bpf_xdp_load_bytes(ctx, 12, t, 2) < 0)
		return XDP_PASS;
	args[0] = ctx->data_end - ctx->data;
	args[1] = ((__u32)t[0] << 8) | t[1];
	if (bpf_snprintf(line, sizeof(line), "len=%llu proto=0x%llx", args, sizeof(args)) < 0)
		return XDP_PASS;
	bpf_printk("%s", line);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
