/* A stranger prints through a __noinline helper with bpf_trace_printk and a static format
 * array, and reads ret as a long but prints its low 32 bits as an int. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define PATH_MAX_LEN 200

struct entry {
	char path[PATH_MAX_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, struct entry);
} paths SEC(".maps");

static __noinline int report(struct entry *e, int ret)
{
	static const char fmt[] = "unlink: %s ret=%d\n";

	if (!e)
		return 0;
	return bpf_trace_printk(fmt, sizeof(fmt), e->path, ret);
}

SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_in, int dfd, struct filename *name)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct entry e = {};

	bpf_core_read_str(e.path, sizeof(e.path), name->name);
	bpf_map_update_elem(&paths, &id, &e, BPF_ANY);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(unlink_out, int dfd, struct filename *name, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct entry *e = bpf_map_lookup_elem(&paths, &id);

	if (!e)
		return 0;
	report(e, (int)ret);
	bpf_map_delete_elem(&paths, &id);
	return 0;
}
