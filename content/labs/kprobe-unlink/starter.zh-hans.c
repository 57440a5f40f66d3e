// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h" /* 运行中内核的所有类型，由它的 BTF 生成 */
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* unlink(2) 和 unlinkat(2) 背后的内核函数，位于 fs/namei.c：
 *     int do_unlinkat(int dfd, struct filename *name);
 * struct filename 的 `name` 字段保存着进程传入的原样路径。 */
SEC("kprobe/do_unlinkat")
int BPF_KPROBE(trace_unlink, int dfd, struct filename *name)
{
	char path[256] = "";

	/* TODO：name->name 是指向内核内存的指针。先用 BPF_CORE_READ() 读出这个指针，
	 * 再用 bpf_probe_read_kernel_str() 把它指向的字符串复制到 path[]，
	 * 然后打印 "unlink: <path>"。 */
	bpf_printk("unlink: %s", path);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
