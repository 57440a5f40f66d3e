// expect-fail: relative-path
/* Wrong: skips paths that do not start with '/', so unlinkat(2) with a relative name
 * prints nothing. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(on_unlink, int dfd, struct filename *name)
{
	const char *kname = BPF_CORE_READ(name, name);
	char buf[128];

	if (bpf_core_read_str(buf, sizeof(buf), kname) <= 0)
		return 0;
	if (buf[0] != '/')
		return 0;
	bpf_printk("unlink: %s", buf);
	return 0;
}
