/* Wrong: declares the return value `long` and prints it with %ld, so -2 comes out as
 * 4294967294. Breaks "`ret` is `do_unlinkat`'s `int` (declare it `int`: a `long` printed
 * with `%ld` shows the raw 64-bit slot ...)". Everything else is right.
 * expect-fail: missing-file */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, char[64]);
} paths SEC(".maps");

SEC("fentry/do_unlinkat")
int BPF_PROG(in, int dfd, struct filename *name)
{
	__u64 id = bpf_get_current_pid_tgid();
	char buf[64] = {};

	bpf_probe_read_kernel_str(buf, sizeof(buf), BPF_CORE_READ(name, name));
	bpf_map_update_elem(&paths, &id, buf, BPF_ANY);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(out, int dfd, struct filename *name, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	char *p = bpf_map_lookup_elem(&paths, &id);

	if (!p)
		return 0;
	bpf_printk("unlink: %s ret=%ld", p, ret);
	bpf_map_delete_elem(&paths, &id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
