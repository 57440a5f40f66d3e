/* expect-fail: removes-a-file, missing-file, relative-path, one-line-per-call
 * BPF_CORE_READ_STR_INTO(&buf, name, name) copies the bytes of the pointer field
 * itself as if they were the string: garbage, not the path. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(trace_unlink, int dfd, struct filename *name)
{
	char path[256];

	BPF_CORE_READ_STR_INTO(&path, name, name);
	bpf_printk("unlink: %s", path);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
