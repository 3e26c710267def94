/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test object of the loader's classic-tracepoint fallback: two tp_btf programs, each with a
 * classic twin (named <name>_classic). The first's tracepoint exists, so its twin stays off; the
 * second's does not, so the loader must load its twin instead.
 */
#include "../../main/bpf/aem_common.h"

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_process_exit")
int BPF_PROG(aem_twin_good)
{
	aem_count_drop();
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int aem_twin_good_classic(void *ctx)
{
	aem_count_drop();
	return 0;
}

SEC("tp_btf/aem_no_such_tracepoint")
int BPF_PROG(aem_twin_missing)
{
	aem_count_drop();
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int aem_twin_missing_classic(void *ctx)
{
	aem_count_drop();
	return 0;
}
