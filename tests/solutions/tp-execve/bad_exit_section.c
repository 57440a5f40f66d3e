/* expect-stage: load */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_exit_execve")
int on_exec(void *ctx)
{
	bpf_printk("execve: done");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
