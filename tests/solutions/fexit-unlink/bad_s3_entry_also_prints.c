/* Wrong: the fexit line is right, but the fentry program also prints a line of its own
 * (`unlink: <path>` without ret) for every call. Breaks "for each call the fexit program
 * prints exactly one line" and "lines as in kprobe-unlink" ("the trace holds exactly one
 * such line per call and nothing else").
 * expect-fail: removes-a-file, missing-file */
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
	bpf_printk("unlink: %s", buf);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(out, int dfd, struct filename *name, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	char *p = bpf_map_lookup_elem(&paths, &id);

	if (!p)
		return 0;
	bpf_printk("unlink: %s ret=%d", p, ret);
	bpf_map_delete_elem(&paths, &id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
