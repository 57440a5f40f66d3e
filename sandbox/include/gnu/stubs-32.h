/*
 * Jail-only stand-in for glibc's <gnu/stubs-32.h>.
 *
 * The compile jail puts this folder first on the include path. On `-target bpf`
 * clang does not define __x86_64__, so glibc's <gnu/stubs.h> (reached from
 * <stdint.h>, <string.h>, ...) asks for the 32-bit stubs header, which only the
 * i386 libc dev package ships. The stubs only list glibc functions that are not
 * implemented; BPF programs call no libc at all, so an empty list is correct.
 */
#ifndef BPFLAB_GNU_STUBS_32_H
#define BPFLAB_GNU_STUBS_32_H
#endif
