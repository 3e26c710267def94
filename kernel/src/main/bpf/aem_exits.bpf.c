/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process exits, system-wide: one record per exiting process (its last thread).
 * tp_btf/sched_process_exit first; tracepoint/sched/sched_process_exit is its classic twin for
 * kernels that refuse the first (off unless the loader turns it on; see aem_common.h).
 */
#include "aem_common.h"

char LICENSE[] SEC("license") = "GPL";

/* 64 bytes. */
struct aem_exit_record {
	struct aem_header h;
	__u32 ppid;
	__u32 exit_code;   /* as in wait(2) status: code << 8, or signal | 0x80 with a core dump */
	__u32 flags;       /* bit 0: the whole process ended (its last thread) */
	__u32 reserved;
	char comm[16];
};

/*
 * Processes already reported. Threads of one process can exit at once and each may see the
 * live count at zero; the first to insert the key reports. The key holds the signal struct's
 * address, the tgid and the leader's start time, so a reused pid or address is a new key. Old
 * keys are evicted by the LRU.
 */
struct exit_key {
	__u64 signal;
	__u64 start_time;
	__u32 tgid;
	__u32 reserved;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct exit_key);
	__type(value, __u8);
} reported SEC(".maps");

/*
 * The record of the exiting current task. The tracepoint's arguments and its classic context
 * struct changed over kernel versions; neither is read: the exiting task is current.
 */
static __always_inline int aem_exit_event(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct aem_exit_record *r;
	int live;

	live = BPF_CORE_READ(task, signal, live.counter);
	if (live != 0)
		return 0; /* another thread of the process still runs: not a process exit */
	if (!aem_task_selected(task))
		return 0;
	{
		struct exit_key key = {};
		__u8 one = 1;

		key.signal = (__u64)BPF_CORE_READ(task, signal);
		key.start_time = BPF_CORE_READ(task, group_leader, start_time);
		key.tgid = BPF_CORE_READ(task, tgid);
		if (bpf_map_update_elem(&reported, &key, &one, BPF_NOEXIST) != 0)
			return 0;
	}
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		aem_count_drop();
		return 0;
	}
	aem_fill_header(&r->h, AEM_REC_EXIT);
	r->ppid = BPF_CORE_READ(task, real_parent, tgid);
	r->exit_code = BPF_CORE_READ(task, exit_code);
	r->flags = 1;
	r->reserved = 0;
	BPF_CORE_READ_STR_INTO(&r->comm, task, comm);
	bpf_ringbuf_submit(r, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(aem_process_exit)
{
	return aem_exit_event();
}

SEC("tracepoint/sched/sched_process_exit")
int aem_process_exit_classic(void *ctx)
{
	return aem_exit_event();
}
