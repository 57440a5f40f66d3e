/* Wrong: de-duplicates. It remembers the last path it printed (per CPU) and stays silent
 * when the same path is removed again, e.g. a second unlink of a missing file. Breaks
 * "for each call prints exactly one line" / "exactly one such line per call".
 * expect-fail: every-call-counts */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[64]);
} last SEC(".maps");

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(dedupe, int dfd, struct filename *name)
{
	char buf[64] = {};
	const char *p = BPF_CORE_READ(name, name);
	__u32 zero = 0;
	char *prev = bpf_map_lookup_elem(&last, &zero);
	int i, same = 1;

	if (!prev)
		return 0;
	bpf_probe_read_kernel_str(buf, sizeof(buf), p);
	for (i = 0; i < 64; i++) {
		if (buf[i] != prev[i]) {
			same = 0;
			break;
		}
		if (buf[i] == 0)
			break;
	}
	if (same)
		return 0;
	__builtin_memcpy(prev, buf, 64);
	bpf_printk("unlink: %s", buf);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
