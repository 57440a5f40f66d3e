// A correct program: the syscall arguments as an array (like trace_event_raw_sys_enter).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct raw_sys_enter {
	unsigned long long ent;
	long id;
	unsigned long args[6];
};

SEC("tracepoint/syscalls/sys_enter_execve")
int on_exec(struct raw_sys_enter *ctx)
{
	char path[256];
	long n = bpf_probe_read_user_str(path, sizeof(path), (const char *)ctx->args[0]);

	if (n > 0)
		bpf_printk("execve: %s", path);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
