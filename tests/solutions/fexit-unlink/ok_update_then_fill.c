/* A stranger inserts an empty entry first and then reads the path straight into the map
 * value (no stack copy), keyed by the full pid_tgid; fexit reads ret as the third BPF_PROG
 * argument and deletes the entry whether or not it printed. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct val {
	char path[320];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct val);
} start SEC(".maps");

static const struct val empty;

SEC("fentry/do_unlinkat")
int BPF_PROG(fentry_unlink, int dfd, struct filename *name)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct val *v;

	if (bpf_map_update_elem(&start, &key, &empty, BPF_ANY))
		return 0;
	v = bpf_map_lookup_elem(&start, &key);
	if (!v)
		return 0;
	bpf_core_read_str(v->path, sizeof(v->path), name->name);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(fexit_unlink, int dfd, struct filename *name, int ret)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct val *v = bpf_map_lookup_elem(&start, &key);

	if (v)
		bpf_printk("unlink: %s ret=%d", v->path, ret);
	bpf_map_delete_elem(&start, &key);
	return 0;
}
