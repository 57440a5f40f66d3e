// expect-fail: one-line-per-call
/* Wrong: remembers the tgid in a hash map and prints only the first unlink of each
 * process ("dedup" gone wrong). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} seen SEC(".maps");

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(on_unlink, int dfd, struct filename *name)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u8 one = 1;
	char buf[128];

	if (bpf_map_lookup_elem(&seen, &tgid))
		return 0;
	bpf_map_update_elem(&seen, &tgid, &one, BPF_ANY);
	if (bpf_probe_read_kernel_str(buf, sizeof(buf), BPF_CORE_READ(name, name)) < 0)
		return 0;
	bpf_printk("unlink: %s", buf);
	return 0;
}
