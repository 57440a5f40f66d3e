/* expect-fail: missing-file, one-line-per-call
 * ret declared long and printed with %ld: the upper half of the 64-bit slot is not a
 * sign extension, so -2 prints as 4294967294. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, char[256]);
} paths SEC(".maps");

SEC("fentry/do_unlinkat")
int BPF_PROG(enter_unlink, int dfd, struct filename *name)
{
	__u64 id = bpf_get_current_pid_tgid();
	char path[256];

	bpf_probe_read_kernel_str(path, sizeof(path), BPF_CORE_READ(name, name));
	bpf_map_update_elem(&paths, &id, path, BPF_ANY);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(exit_unlink, int dfd, struct filename *name, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	char *path = bpf_map_lookup_elem(&paths, &id);

	if (!path)
		return 0;
	bpf_printk("unlink: %s ret=%ld", path, ret);
	bpf_map_delete_elem(&paths, &id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
