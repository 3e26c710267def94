/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File locks: flock(2) through filelock/flock_lock_inode, POSIX and OFD fcntl(2) locks through
 * filelock/posix_lock_inode (which also sees the unlock of POSIX locks when a file is closed).
 * Acquire and release (type F_UNLCK) alike, with the kernel's answer: 0 granted, -EAGAIN refused,
 * 1 (FILE_LOCK_DEFERRED) the caller waits for a conflicting lock.
 * Each tp_btf program has a classic twin on tracepoint/filelock/..., off unless the loader turns it
 * on (see aem_common.h); both build the same record.
 */
#include "aem_common.h"

char LICENSE[] SEC("license") = "GPL";

#define AEM_LOCK_SITE_FLOCK 1
#define AEM_LOCK_SITE_POSIX 2

/* 80 bytes. */
struct aem_lock_record {
	struct aem_header h;
	__u64 dev;          /* kernel encoding: major << 20 | minor */
	__u64 ino;
	__s64 start;
	__s64 end;          /* inclusive; OFFSET_MAX for "to the end of the file" */
	__s32 result;
	__u32 fl_flags;     /* FL_POSIX 1, FL_FLOCK 2, FL_OFDLCK 1024, FL_SLEEP 128, ... */
	__u32 fl_pid;       /* the lock's owner pid as the kernel records it */
	__u8 type;          /* F_RDLCK 0, F_WRLCK 1, F_UNLCK 2 */
	__u8 site;          /* AEM_LOCK_SITE_* */
	__u16 reserved;
};

/* struct file_lock before 6.9, when its common fields moved into struct file_lock_core. */
struct file_lock___old {
	unsigned int fl_flags;
	unsigned char fl_type;
	unsigned int fl_pid;
	loff_t fl_start;
	loff_t fl_end;
};

static __always_inline bool aem_inode_selected(__u64 dev, __u64 ino)
{
	if (filter.inode_count == 0)
		return true;
	for (int i = 0; i < AEM_MAX_INODES; i++) {
		if (i >= filter.inode_count)
			break;
		if (filter.inodes[i].dev == dev && filter.inodes[i].ino == ino)
			return true;
	}
	return false;
}

/* The record of one lock operation on the file dev/ino; fl is the kernel's lock, read through CO-RE. */
static __always_inline int aem_lock_event(__u64 dev, __u64 ino, struct file_lock *fl, int ret, __u8 site)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct aem_lock_record *r;

	if (!fl)
		return 0;
	if (!aem_task_selected(task))
		return 0;
	if (!aem_inode_selected(dev, ino))
		return 0;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		aem_count_drop();
		return 0;
	}
	aem_fill_header(&r->h, AEM_REC_LOCK);
	r->dev = dev;
	r->ino = ino;
	r->result = ret;
	r->site = site;
	r->reserved = 0;
	if (bpf_core_field_exists(fl->c)) {
		r->fl_flags = BPF_CORE_READ(fl, c.flc_flags);
		r->type = BPF_CORE_READ(fl, c.flc_type);
		r->fl_pid = BPF_CORE_READ(fl, c.flc_pid);
		r->start = BPF_CORE_READ(fl, fl_start);
		r->end = BPF_CORE_READ(fl, fl_end);
	} else {
		struct file_lock___old *old = (void *)fl;

		r->fl_flags = BPF_CORE_READ(old, fl_flags);
		r->type = BPF_CORE_READ(old, fl_type);
		r->fl_pid = BPF_CORE_READ(old, fl_pid);
		r->start = BPF_CORE_READ(old, fl_start);
		r->end = BPF_CORE_READ(old, fl_end);
	}
	bpf_ringbuf_submit(r, 0);
	return 0;
}

/* tp_btf: typed arguments; the inode may be NULL. */
static __always_inline int aem_lock_btf(struct inode *inode, struct file_lock *fl, int ret, __u8 site)
{
	if (!inode)
		return 0;
	return aem_lock_event(BPF_CORE_READ(inode, i_sb, s_dev), BPF_CORE_READ(inode, i_ino), fl, ret, site);
}

/*
 * Classic tracepoint: the event class filelock_lock copied the inode's device and number into its
 * context. fl, i_ino, s_dev and ret kept their names in 6.9 (the others lost their fl_ prefix).
 */
static __always_inline int aem_lock_classic(struct trace_event_raw_filelock_lock *ctx, __u8 site)
{
	return aem_lock_event((__u32)BPF_CORE_READ(ctx, s_dev), BPF_CORE_READ(ctx, i_ino),
			      BPF_CORE_READ(ctx, fl), BPF_CORE_READ(ctx, ret), site);
}

SEC("tp_btf/flock_lock_inode")
int BPF_PROG(aem_flock_lock_inode, struct inode *inode, struct file_lock *fl, int ret)
{
	return aem_lock_btf(inode, fl, ret, AEM_LOCK_SITE_FLOCK);
}

SEC("tp_btf/posix_lock_inode")
int BPF_PROG(aem_posix_lock_inode, struct inode *inode, struct file_lock *fl, int ret)
{
	return aem_lock_btf(inode, fl, ret, AEM_LOCK_SITE_POSIX);
}

SEC("tracepoint/filelock/flock_lock_inode")
int aem_flock_lock_inode_classic(struct trace_event_raw_filelock_lock *ctx)
{
	return aem_lock_classic(ctx, AEM_LOCK_SITE_FLOCK);
}

SEC("tracepoint/filelock/posix_lock_inode")
int aem_posix_lock_inode_classic(struct trace_event_raw_filelock_lock *ctx)
{
	return aem_lock_classic(ctx, AEM_LOCK_SITE_POSIX);
}
