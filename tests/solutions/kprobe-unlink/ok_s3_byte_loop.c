/* A correct kprobe-unlink that copies the path one byte at a time with a bounded loop of
 * bpf_probe_read_kernel calls (as one might on a kernel without the _str helpers), stops
 * at the NUL, and prints the copy with bpf_printk. The pointer comes from BPF_CORE_READ. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define MAX_PATH 96

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(copy_by_hand, int dfd, struct filename *name)
{
	const char *src = BPF_CORE_READ(name, name);
	char path[MAX_PATH] = {};
	int i;

	for (i = 0; i < MAX_PATH - 1; i++) {
		char c;

		if (bpf_probe_read_kernel(&c, 1, src + i) < 0)
			break;
		if (c == '\0')
			break;
		path[i] = c;
	}
	bpf_printk("unlink: %s", path);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
