/* Wrong by one byte: a 32-byte buffer holds 31 characters and the NUL, so the 32-byte
 * path `/tmp/bpflab-<random>-missing` prints without its last `g`. Breaks "prints exactly
 * one line `unlink: <path>`, where path is the `name` string ... exactly as passed".
 * expect-fail: missing-file */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(short_buffer, int dfd, struct filename *name)
{
	char buf[32];
	const char *p = BPF_CORE_READ(name, name);

	bpf_probe_read_kernel_str(buf, sizeof(buf), p);
	bpf_printk("unlink: %s", buf);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
