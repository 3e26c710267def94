package io.aem.linux.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The raw C library entry points, bound with JNA direct mapping ({@link Native#register}).
 *
 * <p>Every method is a plain {@code native} call with primitive and {@link Pointer} arguments
 * only, so a call costs one JNI transition and no marshalling (about 70 ns on top of the
 * system call). The methods return what the C function returns: {@code -1} on failure with
 * {@code errno} saved by JNA and read back with {@link Native#getLastError()} on the same
 * thread. Callers should use the wrappers ({@link Epoll}, {@link Io}, {@link EventFd},
 * {@link TimerFd}, {@link Sched}) that turn failures into {@code -errno} results and typed
 * exceptions in one place ({@link Errno}).
 *
 * <p>Thread-safe: every function is a system call wrapper of glibc.
 */
public final class LibC {
    static {
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.LIBC));
    }

    private LibC() {
    }

    /** {@code int epoll_create1(int flags)}. */
    public static native int epoll_create1(int flags);

    /** {@code int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)}. */
    public static native int epoll_ctl(int epfd, int op, int fd, Pointer event);

    /** {@code int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)}. */
    public static native int epoll_wait(int epfd, Pointer events, int maxevents, int timeout);

    /** {@code int eventfd(unsigned int initval, int flags)}. */
    public static native int eventfd(int initval, int flags);

    /** {@code int timerfd_create(int clockid, int flags)}. */
    public static native int timerfd_create(int clockid, int flags);

    /** {@code int timerfd_settime(int fd, int flags, const struct itimerspec *new, struct itimerspec *old)}. */
    public static native int timerfd_settime(int fd, int flags, Pointer newValue, Pointer oldValue);

    /** {@code int timerfd_gettime(int fd, struct itimerspec *curr)}. */
    public static native int timerfd_gettime(int fd, Pointer currValue);

    /** {@code int clock_gettime(clockid_t clockid, struct timespec *tp)}. */
    public static native int clock_gettime(int clockId, Pointer timespec);

    /** {@code int clock_settime(clockid_t clockid, const struct timespec *tp)}. */
    public static native int clock_settime(int clockId, Pointer timespec);

    /** {@code ssize_t read(int fd, void *buf, size_t count)}. */
    public static native long read(int fd, Pointer buf, long count);

    /** {@code ssize_t write(int fd, const void *buf, size_t count)}. */
    public static native long write(int fd, Pointer buf, long count);

    /** {@code int close(int fd)}. */
    public static native int close(int fd);

    /** {@code int pipe2(int pipefd[2], int flags)}. */
    public static native int pipe2(Pointer pipefd, int flags);

    /** {@code int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask)}. */
    public static native int sched_setaffinity(int pid, long cpusetsize, Pointer mask);

    /** {@code int sched_getaffinity(pid_t pid, size_t cpusetsize, cpu_set_t *mask)}. */
    public static native int sched_getaffinity(int pid, long cpusetsize, Pointer mask);

    /** {@code int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param)}. */
    public static native int sched_setscheduler(int pid, int policy, Pointer param);

    /** {@code int sched_getscheduler(pid_t pid)}. */
    public static native int sched_getscheduler(int pid);

    /** {@code pid_t gettid(void)} (glibc 2.30 and later). */
    public static native int gettid();

    /** {@code int getrlimit(int resource, struct rlimit *rlim)}. */
    public static native int getrlimit(int resource, Pointer rlimit);

    /** {@code int capget(cap_user_header_t hdrp, cap_user_data_t datap)}. */
    public static native int capget(Pointer header, Pointer data);

    /** {@code int capset(cap_user_header_t hdrp, const cap_user_data_t datap)}: per thread. */
    public static native int capset(Pointer header, Pointer data);

    /** {@code int inotify_init1(int flags)}. */
    public static native int inotify_init1(int flags);

    /** {@code int inotify_add_watch(int fd, const char *pathname, uint32_t mask)}. */
    public static native int inotify_add_watch(int fd, Pointer pathname, int mask);

    /** {@code int inotify_rm_watch(int fd, int wd)}. */
    public static native int inotify_rm_watch(int fd, int wd);

    /** {@code int fanotify_init(unsigned int flags, unsigned int event_f_flags)}. */
    public static native int fanotify_init(int flags, int eventFFlags);

    /** {@code int fanotify_mark(int fd, unsigned int flags, uint64_t mask, int dirfd, const char *pathname)} (64-bit ABI: the mask is one register). */
    public static native int fanotify_mark(int fd, int flags, long mask, int dirfd, Pointer pathname);

    /** {@code int open_by_handle_at(int mount_fd, struct file_handle *handle, int flags)}; needs {@code CAP_DAC_READ_SEARCH}. */
    public static native int open_by_handle_at(int mountFd, Pointer handle, int flags);

    /** {@code int openat(int dirfd, const char *pathname, int flags, mode_t mode)}. */
    public static native int openat(int dirfd, Pointer pathname, int flags, int mode);

    /** {@code int fcntl(int fd, int cmd, int arg)}: bound with one {@code int} argument, the form every command used takes ({@code F_DUPFD_CLOEXEC}, {@code F_GETFL}, {@code F_SETFL}, {@code F_GETPIPE_SZ}, {@code F_SETPIPE_SZ}). */
    public static native int fcntl(int fd, int cmd, int arg);

    /** {@code ssize_t readlink(const char *pathname, char *buf, size_t bufsiz)}: does not open the link's target. */
    public static native long readlink(Pointer pathname, Pointer buf, long bufsiz);

    /** {@code int name_to_handle_at(int dirfd, const char *pathname, struct file_handle *handle, int *mount_id, int flags)}: opens nothing. */
    public static native int name_to_handle_at(int dirfd, Pointer pathname, Pointer handle, Pointer mountId, int flags);

    /** {@code int fstatfs(int fd, struct statfs *buf)}; accepts {@code O_PATH} fds. */
    public static native int fstatfs(int fd, Pointer buf);

    /** {@code int statx(int dirfd, const char *pathname, int flags, unsigned int mask, struct statx *statxbuf)} (glibc 2.28). */
    public static native int statx(int dirfd, Pointer pathname, int flags, int mask, Pointer statxbuf);

    /** {@code char *strerror(int errnum)}: only for messages, never on a hot path. */
    public static native String strerror(int errnum);

    /**
     * {@code long syscall(long number, ...)} with four integer or pointer arguments (unused ones
     * are passed as {@code 0}): for system calls glibc wraps only in recent versions
     * ({@code pidfd_open}, {@code pidfd_send_signal}).
     */
    public static native long syscall(long number, long a1, long a2, long a3, long a4);

    /** {@code int waitid(idtype_t idtype, id_t id, siginfo_t *infop, int options)}. */
    public static native int waitid(int idtype, int id, Pointer infop, int options);

    /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)}. */
    public static native int poll(Pointer fds, long nfds, int timeout);

    /** {@code int socket(int domain, int type, int protocol)}. */
    public static native int socket(int domain, int type, int protocol);

    /** {@code int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen)}. */
    public static native int bind(int sockfd, Pointer addr, int addrlen);

    /** {@code ssize_t send(int sockfd, const void *buf, size_t len, int flags)}. */
    public static native long send(int sockfd, Pointer buf, long len, int flags);

    /** {@code ssize_t recv(int sockfd, void *buf, size_t len, int flags)}. */
    public static native long recv(int sockfd, Pointer buf, long len, int flags);

    /** {@code int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen)}. */
    public static native int setsockopt(int sockfd, int level, int optname, Pointer optval, int optlen);

    /** {@code int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen)}. */
    public static native int getsockopt(int sockfd, int level, int optname, Pointer optval, Pointer optlen);

    /** {@code int listen(int sockfd, int backlog)}. */
    public static native int listen(int sockfd, int backlog);

    /** {@code int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags)}. */
    public static native int accept4(int sockfd, Pointer addr, Pointer addrlen, int flags);

    /** {@code int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen)}. */
    public static native int connect(int sockfd, Pointer addr, int addrlen);

    /** {@code int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen)}. */
    public static native int getsockname(int sockfd, Pointer addr, Pointer addrlen);

    /** {@code int getpeername(int sockfd, struct sockaddr *addr, socklen_t *addrlen)}. */
    public static native int getpeername(int sockfd, Pointer addr, Pointer addrlen);

    /** {@code int shutdown(int sockfd, int how)}. */
    public static native int shutdown(int sockfd, int how);

    /** {@code int mount(const char *source, const char *target, const char *filesystemtype, unsigned long mountflags, const void *data)}. */
    public static native int mount(String source, String target, String filesystemtype, long mountflags, Pointer data);

    /** {@code int umount2(const char *target, int flags)}. */
    public static native int umount2(String target, int flags);
}
