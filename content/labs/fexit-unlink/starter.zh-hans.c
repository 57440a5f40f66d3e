// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* int do_unlinkat(int dfd, struct filename *name)
 * fentry 在函数进入时运行，fexit 在函数返回时运行，能拿到参数，
 * 还能拿到返回值。 */

SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_entry, int dfd, struct filename *name)
{
	/* TODO：这里路径还能读。把字符串的副本存到 fexit 程序在同一次调用里
	 * 找得到的地方（用以 bpf_get_current_pid_tgid() 为键的哈希映射就行）。 */
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(unlink_exit, int dfd, struct filename *name, int ret)
{
	char path[256] = "";

	/* 这里读取 name 时，do_unlinkat 已经用 putname() 释放了它：内存已被释放
	 * （在沙箱里还会被清零），所以读出的路径是空的。
	 * TODO：改为打印进入时保存的副本，然后删除它。 */
	bpf_probe_read_kernel_str(path, sizeof(path), name->name);
	bpf_printk("unlink: %s ret=%d", path, ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
