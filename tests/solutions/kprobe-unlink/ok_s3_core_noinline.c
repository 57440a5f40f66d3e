/* A correct kprobe-unlink in CO-RE style: vmlinux.h, BPF_KPROBE, the pointer read with
 * bpf_core_read() into its own variable, and a static __noinline BPF-to-BPF function that
 * copies the string with bpf_core_read_str into a 128-byte stack buffer and prints it
 * with bpf_printk. The unused `dfd` argument is named on purpose. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

static __noinline int report(const char *path)
{
	char buf[128];

	if (bpf_core_read_str(buf, sizeof(buf), path) < 0)
		buf[0] = '\0';
	bpf_printk("unlink: %s", buf);
	return 0;
}

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(on_unlink, int dfd, struct filename *name)
{
	const char *path;

	if (bpf_core_read(&path, sizeof(path), &name->name))
		return 0 * report("");
	return report(path);
}

char _license[] SEC("license") = "GPL";
