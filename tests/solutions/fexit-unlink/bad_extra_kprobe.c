// expect-stage: load
/* Wrong: a third program (a kprobe doing the printing) beside fentry and fexit; the lab
 * wants exactly these two programs. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct entry {
	char path[256];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct entry);
} paths SEC(".maps");

SEC("fentry/do_unlinkat")
int BPF_PROG(in, int dfd, struct filename *name)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct entry e = {};

	bpf_probe_read_kernel_str(e.path, sizeof(e.path), name->name);
	bpf_map_update_elem(&paths, &id, &e, BPF_ANY);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(out, int dfd, struct filename *name, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct entry *e = bpf_map_lookup_elem(&paths, &id);

	if (!e)
		return 0;
	bpf_printk("unlink: %s ret=%d", e->path, ret);
	bpf_map_delete_elem(&paths, &id);
	return 0;
}

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(extra, int dfd, struct filename *name)
{
	return 0;
}
