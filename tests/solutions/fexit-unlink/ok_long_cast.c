/* A stranger's program: fexit's return declared long but printed as an int, the path
 * read with CO-RE at entry into an array map slot per thread id hash. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, char[300]);
} names SEC(".maps");

SEC("fentry/do_unlinkat")
int BPF_PROG(enter_unlink, int dfd, struct filename *name)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	char buf[300];
	const char *text = BPF_CORE_READ(name, name);

	if (bpf_core_read_str(buf, sizeof(buf), text) > 0)
		bpf_map_update_elem(&names, &tid, buf, BPF_ANY);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(exit_unlink, int dfd, struct filename *name, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	char *buf = bpf_map_lookup_elem(&names, &tid);

	if (!buf)
		return 0;
	bpf_printk("unlink: %s ret=%d", buf, (int)ret);
	bpf_map_delete_elem(&names, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
