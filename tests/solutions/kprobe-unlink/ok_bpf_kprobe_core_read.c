/* A stranger's kprobe: the BPF_KPROBE macro names the arguments, bpf_core_read fetches
 * the `name` pointer field, and bpf_probe_read_kernel_str copies the string it points at. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(on_unlink, int dfd, struct filename *name)
{
	const char *path = NULL;
	char buf[200];

	if (bpf_core_read(&path, sizeof(path), &name->name))
		return 0;
	if (bpf_probe_read_kernel_str(buf, sizeof(buf), path) < 0)
		return 0;
	bpf_printk("unlink: %s\n", buf);
	return 0;
}
