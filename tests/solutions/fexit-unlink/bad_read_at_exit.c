/* expect-fail: removes-a-file, missing-file, relative-path, one-line-per-call
 * Reads name at exit, after putname() freed it: the sandbox kernel zeroes freed
 * memory, so the path is always empty. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

SEC("fentry/do_unlinkat")
int BPF_PROG(enter_unlink, int dfd, struct filename *name)
{
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(exit_unlink, int dfd, struct filename *name, int ret)
{
	char path[256] = "";

	bpf_probe_read_kernel_str(path, sizeof(path), BPF_CORE_READ(name, name));
	bpf_printk("unlink: %s ret=%d", path, ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
