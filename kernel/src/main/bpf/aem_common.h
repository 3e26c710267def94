/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by every AEM program: the filter written into .rodata before load, the record header,
 * the ring buffer and the per-CPU drop counter. Every record is little-endian with fixed offsets;
 * the Java decoders in io.aem.linux.bpf read them by these offsets.
 *
 * Programs: tp_btf first (typed arguments, no tracefs). Each tp_btf program <name> may have a
 * classic-tracepoint twin named <name>_classic (SEC("tracepoint/<group>/<event>")) that builds
 * the same record through a shared static __always_inline helper. The loader keeps the twins off
 * and turns one on only when the kernel refuses its tp_btf sibling (or when asked to use the
 * classic programs); classic tracepoints need tracefs mounted at /sys/kernel/tracing.
 */
#ifndef AEM_COMMON_H
#define AEM_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define AEM_MAX_INODES 8

/* Record types: the first field of every record. */
#define AEM_REC_EXIT 1
#define AEM_REC_LOCK 2
#define AEM_REC_ATTR 3

/*
 * The filter, the only variable in .rodata (offset 0, 160 bytes). Zero means "any".
 * Set by the loader before load; the verifier then removes the branches that cannot be taken.
 */
struct aem_filter {
	__u32 tgid;          /* only this process (thread group) */
	__u32 parent_tgid;   /* only processes whose parent is this process */
	__u64 cgroup_id;     /* only tasks in this cgroup v2 (its directory's inode number) */
	__u32 inode_count;   /* locks only: how many entries of inodes are used */
	__u32 reserved;
	struct {
		__u64 dev;   /* kernel encoding: major << 20 | minor */
		__u64 ino;
	} inodes[AEM_MAX_INODES];
};

/* 32 bytes at the start of every record. */
struct aem_header {
	__u32 type;
	__u32 tid;
	__u32 tgid;
	__u32 uid;
	__u64 ktime_ns;
	__u64 cgroup_id;
};

const volatile struct aem_filter filter = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

static __always_inline void aem_count_drop(void)
{
	__u32 zero = 0;
	__u64 *count = bpf_map_lookup_elem(&drops, &zero);

	if (count)
		*count += 1;
}

/* Whether the current task passes the tgid, parent and cgroup filters. */
static __always_inline bool aem_task_selected(struct task_struct *task)
{
	if (filter.tgid && (__u32)BPF_CORE_READ(task, tgid) != filter.tgid)
		return false;
	if (filter.parent_tgid && (__u32)BPF_CORE_READ(task, real_parent, tgid) != filter.parent_tgid)
		return false;
	if (filter.cgroup_id && bpf_get_current_cgroup_id() != filter.cgroup_id)
		return false;
	return true;
}

static __always_inline void aem_fill_header(struct aem_header *h, __u32 type)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	h->type = type;
	h->tid = (__u32)pid_tgid;
	h->tgid = (__u32)(pid_tgid >> 32);
	h->uid = (__u32)bpf_get_current_uid_gid();
	h->ktime_ns = bpf_ktime_get_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
}

#endif
