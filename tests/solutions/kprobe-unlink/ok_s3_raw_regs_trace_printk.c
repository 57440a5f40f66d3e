/* A correct kprobe-unlink written without vmlinux.h or CO-RE: the context is a raw
 * struct pt_regs, the second argument comes from PT_REGS_PARM2, the `name` pointer is
 * read from offset 0 of struct filename with bpf_probe_read_kernel (the field is the
 * first member), the string lands in a per-CPU array scratch buffer, and the line is
 * printed with bpf_trace_printk and a format string on the stack. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[256]);
} scratch SEC(".maps");

SEC("kprobe/do_unlinkat")
int watch_removals(struct pt_regs *ctx)
{
	const void *filename = (const void *)PT_REGS_PARM2(ctx);
	const char *path = 0;
	__u32 zero = 0;
	char *buf;

	buf = bpf_map_lookup_elem(&scratch, &zero);
	if (!buf)
		return 0;
	/* struct filename { const char *name; ... }: the pointer sits at offset 0 */
	if (bpf_probe_read_kernel(&path, sizeof(path), filename) < 0)
		path = 0;
	buf[0] = 0;
	if (path)
		bpf_probe_read_kernel_str(buf, 256, path);

	char fmt[] = "unlink: %s";
	bpf_trace_printk(fmt, sizeof(fmt), buf);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
