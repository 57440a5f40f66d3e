/* expect-fail: removes-a-file, missing-file, one-line-per-call
 * A 16-byte buffer cuts /tmp/bpflab-<random> short. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(trace_unlink, int dfd, struct filename *name)
{
	char path[16];

	bpf_probe_read_kernel_str(path, sizeof(path), BPF_CORE_READ(name, name));
	bpf_printk("unlink: %s", path);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
