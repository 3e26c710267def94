/* SPDX-License-Identifier: Apache-2.0 */
/* Test object of the loader: its only program is on a tracepoint no kernel has. */
#include "../../main/bpf/aem_common.h"

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/aem_no_such_tracepoint")
int BPF_PROG(aem_refused_missing)
{
	aem_count_drop();
	return 0;
}
