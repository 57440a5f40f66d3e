/* WRONG: prints only for processes named "bpflab-agent", the harness's own name when
 * its triggers ran in a fork of the agent. The contract: "for each call prints
 * exactly one line `unlink: <path>`", whoever calls; a program that filters on the
 * grader's process name is fitted to the grader, not to the kernel.
 * The grader now runs each trigger under a name drawn for the run.
 * expect-fail: removes-a-file, missing-file, relative-path, one-line-per-call, every-call-counts */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

static __always_inline int is_agent(const char *comm)
{
	const char want[] = "bpflab-agent";
	for (int i = 0; i < (int)sizeof(want); i++)
		if (comm[i] != want[i])
			return 0;
	return 1;
}

SEC("kprobe/do_unlinkat")
int watch_removals(struct pt_regs *ctx)
{
	const void *filename = (const void *)PT_REGS_PARM2(ctx);
	const char *path = 0;
	char comm[16] = {};
	char buf[128];

	bpf_get_current_comm(comm, sizeof(comm));
	if (!is_agent(comm))
		return 0;
	if (bpf_probe_read_kernel(&path, sizeof(path), filename) < 0 || !path)
		return 0;
	if (bpf_probe_read_kernel_str(buf, sizeof(buf), path) < 0)
		buf[0] = 0;
	bpf_printk("unlink: %s", buf);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
