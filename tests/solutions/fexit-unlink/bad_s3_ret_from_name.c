/* Wrong: never looks at the return value. fexit guesses it from the names the lesson
 * says the harness uses: a path ending in `-missing` or `-b` (the missing ones) prints
 * ret=-2, anything else ret=0. Breaks "`ret` is `do_unlinkat`'s `int`": any other
 * failure (-ENOTDIR, -EISDIR, a missing file by another name) prints a wrong ret.
 * expect-fail: every-call-counts */
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
int BPF_PROG(out, int dfd, struct filename *name, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	char *p = bpf_map_lookup_elem(&paths, &id);
	int i, len = 0, guess = 0;

	if (!p)
		return 0;
	for (i = 0; i < 63; i++) {
		if (p[i] == 0)
			break;
		len++;
	}
	if (len >= 2 && len < 64 && p[len - 2] == '-' && p[len - 1] == 'b')
		guess = -2;
	if (len >= 8 && len < 64) {
		const char *t = p + (len - 8);
		if (t[0] == '-' && t[1] == 'm' && t[2] == 'i' && t[3] == 's' && t[4] == 's' &&
		    t[5] == 'i' && t[6] == 'n' && t[7] == 'g')
			guess = -2;
	}
	bpf_printk("unlink: %s ret=%d", p, guess);
	bpf_map_delete_elem(&paths, &id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
