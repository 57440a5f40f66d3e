/* A stranger's program: PT_REGS_PARM2_CORE for the argument, bpf_core_read for the
 * field, the string read into a map value through a pointer (no stack buffer). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct line { char text[200]; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct line);
} scratch SEC(".maps");

SEC("kprobe/do_unlinkat")
int watch(struct pt_regs *ctx)
{
	struct filename *f = (struct filename *)PT_REGS_PARM2_CORE(ctx);
	const char *s;
	int zero = 0;
	struct line *l = bpf_map_lookup_elem(&scratch, &zero);

	if (!l || bpf_core_read(&s, sizeof(s), &f->name))
		return 0;
	if (bpf_probe_read_kernel_str(l->text, sizeof(l->text), s) > 0)
		bpf_printk("unlink: %s", l->text);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
