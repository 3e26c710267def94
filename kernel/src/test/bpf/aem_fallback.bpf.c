/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test object of the loader's fallback: one program the kernel accepts and one on a tracepoint
 * no kernel has, which libbpf fails to load. The loader must load the first without the second.
 */
#include "../../main/bpf/aem_common.h"

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_process_exit")
int BPF_PROG(aem_fallback_good)
{
	aem_count_drop();
	return 0;
}

SEC("tp_btf/aem_no_such_tracepoint")
int BPF_PROG(aem_fallback_missing)
{
	aem_count_drop();
	return 0;
}
