/*
 * C reference permission listener for the open() latency benchmark (open_latency.c): a
 * fanotify group of class FAN_CLASS_CONTENT with a FAN_OPEN_PERM mark on DIR and its children
 * (an inode mark on the directory with FAN_EVENT_ON_CHILD), read by one thread pinned to CPU
 * with epoll_wait + read, answering FAN_ALLOW to every request and closing the event's fd:
 *
 *   epoll_wait(fanotify fd); read(fanotify fd, 4 KiB)
 *   for each event: write(fanotify fd, {event fd, FAN_ALLOW}); close(event fd)
 *
 * It prints "ready" once the mark is in place (the benchmark starts then), and stops on
 * SIGTERM or SIGINT, or by itself after MAX_SECONDS; when its group fd closes, the kernel allows
 * any request still pending, so nothing stays blocked. At exit it prints how many requests it
 * allowed. Needs CAP_SYS_ADMIN.
 *
 * Usage: fanotify_allow DIR MAX_SECONDS CPU
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/fanotify.h>
#include <unistd.h>

#include "bench_common.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
    (void) sig;
    stop = 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s DIR MAX_SECONDS CPU\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    long max_seconds = atol(argv[2]);
    int cpu = atoi(argv[3]);
    if (max_seconds < 1 || max_seconds > 3600) {
        fprintf(stderr, "fanotify_allow: MAX_SECONDS must be 1-3600\n");
        return 2;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    pin(cpu);
    int fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
    if (fan < 0) {
        die("fanotify_init (needs CAP_SYS_ADMIN)");
    }
    if (fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM | FAN_EVENT_ON_CHILD, AT_FDCWD, dir) < 0) {
        die("fanotify_mark");
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fan, &ev) < 0) {
        die("epoll");
    }
    printf("ready\n");
    fflush(stdout);
    char buf[4096] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
    long allowed = 0, other = 0;
    int64_t deadline = now_ns() + max_seconds * 1000000000L;
    while (!stop && now_ns() < deadline) {
        int n = epoll_wait(ep, &ev, 1, 100);
        if (n < 0 && errno != EINTR) {
            die("epoll_wait");
        }
        if (n <= 0) {
            continue;
        }
        ssize_t len = read(fan, buf, sizeof buf);
        if (len < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                continue;
            }
            die("read(fanotify)");
        }
        struct fanotify_event_metadata *m = (struct fanotify_event_metadata *) buf;
        for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
            if (m->vers != FANOTIFY_METADATA_VERSION) {
                fprintf(stderr, "fanotify_allow: metadata version %d\n", m->vers);
                return 1;
            }
            if (m->mask & FAN_OPEN_PERM) {
                struct fanotify_response r = {.fd = m->fd, .response = FAN_ALLOW};
                if (write(fan, &r, sizeof r) != sizeof r) {
                    die("write(response)");
                }
                allowed++;
            } else {
                other++;
            }
            if (m->fd >= 0) {
                close(m->fd);
            }
        }
    }
    printf("allowed %ld\nother_events %ld\n", allowed, other);
    return 0;
}
