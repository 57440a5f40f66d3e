/* expect-stage: load
 * A raw tracepoint on sys_enter that prints on every system call: the lab wants
 * SEC("tracepoint/syscalls/sys_enter_execve"). It must stop at the load stage rather
 * than be attached where its section says and flood the trace until the sandbox dies. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("raw_tp/sys_enter")
int trace_exec(void *ctx)
{
	bpf_printk("execve: something");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
