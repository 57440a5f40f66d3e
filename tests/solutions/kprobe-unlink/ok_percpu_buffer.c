/* A stranger's program: the path goes into a per-CPU array slot rather than the
 * stack, read with plain bpf_probe_read_kernel for the pointer. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct buf { char s[512]; };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct buf);
} scratch SEC(".maps");

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(unlink_probe, int dirfd, struct filename *filename)
{
	__u32 zero = 0;
	struct buf *b = bpf_map_lookup_elem(&scratch, &zero);
	const char *p;

	if (!b)
		return 0;
	bpf_probe_read_kernel(&p, sizeof(p), &filename->name);
	if (bpf_probe_read_kernel_str(b->s, sizeof(b->s), p) < 0)
		return 0;
	bpf_printk("unlink: %s", b->s);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
