/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chmod and chown family, x86-64: raw_syscalls/sys_enter remembers the arguments of chmod,
 * fchmod, fchmodat, fchmodat2, chown, fchown, lchown and fchownat per thread; sys_exit adds the
 * result and emits the record. Both are tp_btf programs: no tracefs, no per-syscall tracepoint.
 * Their classic twins on tracepoint/raw_syscalls/... (off unless the loader turns them on; see
 * aem_common.h) share the code and build the same record.
 */
#include "aem_common.h"

char LICENSE[] SEC("license") = "GPL";

#define AEM_PATH_MAX 256

/* x86-64 system call numbers. */
#define NR_chmod 90
#define NR_fchmod 91
#define NR_chown 92
#define NR_fchown 93
#define NR_lchown 94
#define NR_fchownat 260
#define NR_fchmodat 268
#define NR_fchmodat2 452

#define AT_FDCWD_VALUE -100

/* 328 bytes. */
struct aem_attr_record {
	struct aem_header h;
	__u32 syscall_nr;
	__s32 fd;           /* the fd (fchmod, fchown) or dirfd (*at: -100 for AT_FDCWD); -1 when a plain path */
	__u32 mode;         /* chmod family; 0xffffffff for chown */
	__u32 uid;          /* chown family; 0xffffffff = unchanged (also for chmod) */
	__u32 gid;
	__u32 flags;        /* *at flags (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH) */
	__s64 result;       /* 0 or -errno */
	__u32 path_len;     /* bytes of path including its NUL; 0 without a path */
	__u32 reserved;
	char path[AEM_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct aem_attr_record);
} pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct aem_attr_record);
} scratch SEC(".maps");

static __always_inline bool aem_is_attr_call(long nr)
{
	switch (nr) {
	case NR_chmod: case NR_fchmod: case NR_chown: case NR_fchown: case NR_lchown:
	case NR_fchownat: case NR_fchmodat: case NR_fchmodat2:
		return true;
	default:
		return false;
	}
}

/*
 * Remembers the arguments of an attribute call (id passed aem_is_attr_call) of the current thread
 * until its exit. The callers test the number before reading the arguments: sys_enter fires for
 * every system call of the machine.
 */
static __always_inline int aem_attr_enter(long id, unsigned long a0, unsigned long a1, unsigned long a2,
					  unsigned long a3, unsigned long a4)
{
	struct task_struct *task;
	struct aem_attr_record *r;
	__u32 zero = 0;
	__u64 key;
	const char *path = 0;

	task = bpf_get_current_task_btf();
	if (!aem_task_selected(task))
		return 0;
	r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return 0;
	aem_fill_header(&r->h, AEM_REC_ATTR);
	r->syscall_nr = id;
	r->fd = -1;
	r->mode = 0xffffffff;
	r->uid = 0xffffffff;
	r->gid = 0xffffffff;
	r->flags = 0;
	r->result = 0;
	r->reserved = 0;
	switch (id) {
	case NR_chmod:
		path = (const char *)a0;
		r->mode = a1;
		break;
	case NR_fchmod:
		r->fd = a0;
		r->mode = a1;
		break;
	case NR_fchmodat:
		r->fd = a0;
		path = (const char *)a1;
		r->mode = a2;
		break;
	case NR_fchmodat2:
		r->fd = a0;
		path = (const char *)a1;
		r->mode = a2;
		r->flags = a3;
		break;
	case NR_chown:
	case NR_lchown:
		path = (const char *)a0;
		r->uid = a1;
		r->gid = a2;
		break;
	case NR_fchown:
		r->fd = a0;
		r->uid = a1;
		r->gid = a2;
		break;
	case NR_fchownat:
		r->fd = a0;
		path = (const char *)a1;
		r->uid = a2;
		r->gid = a3;
		r->flags = a4;
		break;
	}
	r->path_len = 0;
	r->path[0] = 0;
	if (path) {
		long n = bpf_probe_read_user_str(r->path, sizeof(r->path), path);
		r->path_len = n > 0 ? n : 0;
	}
	key = bpf_get_current_pid_tgid();
	bpf_map_update_elem(&pending, &key, r, BPF_ANY);
	return 0;
}

/* Emits the remembered call of the current thread with its result. */
static __always_inline int aem_attr_exit(long id, long ret)
{
	struct aem_attr_record *r;
	__u64 key;

	if (!aem_is_attr_call(id))
		return 0;
	key = bpf_get_current_pid_tgid();
	r = bpf_map_lookup_elem(&pending, &key);
	if (!r)
		return 0;
	r->result = ret;
	if (bpf_ringbuf_output(&events, r, sizeof(*r), 0))
		aem_count_drop();
	bpf_map_delete_elem(&pending, &key);
	return 0;
}

/* x86-64 argument registers: di, si, dx, r10 (not cx: the syscall instruction clobbers it), r8. */
SEC("tp_btf/sys_enter")
int BPF_PROG(aem_sys_enter, struct pt_regs *regs, long id)
{
	if (!aem_is_attr_call(id))
		return 0;
	return aem_attr_enter(id, BPF_CORE_READ(regs, di), BPF_CORE_READ(regs, si), BPF_CORE_READ(regs, dx),
			      BPF_CORE_READ(regs, r10), BPF_CORE_READ(regs, r8));
}

SEC("tp_btf/sys_exit")
int BPF_PROG(aem_sys_exit, struct pt_regs *regs, long ret)
{
	return aem_attr_exit(BPF_CORE_READ(regs, orig_ax), ret);
}

/* Classic twins: the tracepoint copied the number and the arguments into its context. */
SEC("tracepoint/raw_syscalls/sys_enter")
int aem_sys_enter_classic(struct trace_event_raw_sys_enter *ctx)
{
	long id = BPF_CORE_READ(ctx, id);

	if (!aem_is_attr_call(id))
		return 0;
	return aem_attr_enter(id, BPF_CORE_READ(ctx, args[0]), BPF_CORE_READ(ctx, args[1]),
			      BPF_CORE_READ(ctx, args[2]), BPF_CORE_READ(ctx, args[3]), BPF_CORE_READ(ctx, args[4]));
}

SEC("tracepoint/raw_syscalls/sys_exit")
int aem_sys_exit_classic(struct trace_event_raw_sys_exit *ctx)
{
	return aem_attr_exit(BPF_CORE_READ(ctx, id), BPF_CORE_READ(ctx, ret));
}
