/*
 * C reference for io.aem.jmh.FileEventRate: how many inotify events per second a plain C reader
 * takes from a watched directory while file_producer.c makes them as fast as it can, and
 * whether any is lost.
 *
 * The reader (pinned to RECEIVER_CPU) adds a watch on DIR for the kinds the producer makes
 * (IN_CREATE | IN_CLOSE_WRITE | IN_DELETE for mode ccu, IN_CREATE | IN_DELETE for cu), starts
 * the producer (fork + exec, pinned by itself to SENDER_CPU) with its stdout on a pipe, and
 * reads the inotify fd with epoll_wait + read(64 KiB) until the producer has exited and either
 * every event it made has arrived or none has come for 1 s. It counts records by kind and the
 * IN_Q_OVERFLOW records. The producer says how many operations it completed; the expected count
 * is ops × events per op. The whole is done WARMUP_RUNS times unreported, then once measured.
 *
 * Usage: inotify_rate DIR COUNT MAX_MS RECEIVER_CPU SENDER_CPU PRODUCER MODE WARMUP_RUNS
 * Prints "key value" lines (rate.c.*) and the producer's own lines (rate.c.producer.*); exits
 * non-zero on a failure, and 3 when events were lost or an overflow was reported.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_common.h"

#define BUF_SIZE 65536
#define QUIET_MS 1000

struct result {
    long ops, per_op, expected, received, overflows, other, reads;
    long creates, closes, deletes;
    int64_t start_ns, end_ns, last_event_ns;
    char producer_out[4096];
};

static long key_value(const char *text, const char *key) {
    const char *p = strstr(text, key);
    if (p == NULL) {
        fprintf(stderr, "inotify_rate: producer did not print %s\n", key);
        exit(1);
    }
    return atol(p + strlen(key) + 1);
}

static void run(const char *dir, const char *count, const char *max_ms, const char *sender_cpu,
                const char *producer, const char *mode, const char *tag, struct result *res) {
    memset(res, 0, sizeof *res);
    uint32_t mask = IN_CREATE | IN_DELETE | (strcmp(mode, "ccu") == 0 ? IN_CLOSE_WRITE : 0);
    int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (ifd < 0) {
        die("inotify_init1");
    }
    if (inotify_add_watch(ifd, dir, mask) < 0) {
        die("inotify_add_watch");
    }
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0) {
        die("pipe2");
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 0};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ifd, &ev) < 0) {
        die("epoll");
    }
    ev.data.u32 = 1;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, out[0], &ev) < 0) {
        die("epoll_ctl(pipe)");
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        die("fork");
    }
    if (pid == 0) {
        dup2(out[1], 1);
        execl(producer, producer, dir, count, max_ms, sender_cpu, tag, mode, (char *) NULL);
        _exit(127);
    }
    close(out[1]);
    static char buf[BUF_SIZE] __attribute__((aligned(__alignof__(struct inotify_event))));
    size_t out_len = 0;
    int producer_done = 0;
    int64_t quiet_since = 0;
    for (;;) {
        if (producer_done && res->received >= res->expected) {
            break;
        }
        struct epoll_event ready[2];
        int n = epoll_wait(ep, ready, 2, 100);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("epoll_wait");
        }
        int64_t now = now_ns();
        if (n == 0 && producer_done) {
            if (now - quiet_since > QUIET_MS * 1000000L) {
                break;
            }
            continue;
        }
        for (int k = 0; k < n; k++) {
            if (ready[k].data.u32 == 1) {
                ssize_t r = read(out[0], res->producer_out + out_len, sizeof res->producer_out - 1 - out_len);
                if (r < 0 && errno != EINTR) {
                    die("read(producer)");
                }
                if (r == 0 || out_len + r >= sizeof res->producer_out - 1) {
                    int status;
                    if (waitpid(pid, &status, 0) < 0) {
                        die("waitpid");
                    }
                    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                        fprintf(stderr, "inotify_rate: producer failed (status %d)\n", status);
                        exit(1);
                    }
                    epoll_ctl(ep, EPOLL_CTL_DEL, out[0], NULL);
                    close(out[0]);
                    res->producer_out[out_len] = '\0';
                    res->ops = key_value(res->producer_out, "producer.ops");
                    res->per_op = key_value(res->producer_out, "producer.events_per_op");
                    res->start_ns = key_value(res->producer_out, "producer.start_ns");
                    res->end_ns = key_value(res->producer_out, "producer.end_ns");
                    res->expected = res->ops * res->per_op;
                    producer_done = 1;
                    quiet_since = now;
                } else if (r > 0) {
                    out_len += r;
                }
                continue;
            }
            for (;;) {
                ssize_t r = read(ifd, buf, sizeof buf);
                if (r < 0) {
                    if (errno == EAGAIN) {
                        break;
                    }
                    if (errno == EINTR) {
                        continue;
                    }
                    die("read(inotify)");
                }
                res->reads++;
                int64_t t = now_ns();
                for (char *p = buf; p < buf + r;) {
                    const struct inotify_event *e = (const struct inotify_event *) p;
                    if (e->mask & IN_Q_OVERFLOW) {
                        res->overflows++;
                    } else if (e->mask & IN_CREATE) {
                        res->creates++;
                        res->received++;
                    } else if (e->mask & IN_CLOSE_WRITE) {
                        res->closes++;
                        res->received++;
                    } else if (e->mask & IN_DELETE) {
                        res->deletes++;
                        res->received++;
                    } else {
                        res->other++;
                    }
                    p += sizeof *e + e->len;
                }
                res->last_event_ns = t;
                quiet_since = t;
                break; /* one read per readiness, as a loop serving other fds would */
            }
        }
    }
    close(ep);
    close(ifd);
}

int main(int argc, char **argv) {
    if (argc != 9) {
        fprintf(stderr, "usage: %s DIR COUNT MAX_MS RECEIVER_CPU SENDER_CPU PRODUCER MODE WARMUP_RUNS\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    int receiver_cpu = atoi(argv[4]);
    int warmups = atoi(argv[8]);
    if (warmups < 0 || warmups > 10) {
        fprintf(stderr, "inotify_rate: WARMUP_RUNS must be 0-10\n");
        return 2;
    }
    pin(receiver_cpu);
    static struct result res;
    char tag[64];
    for (int w = 0; w <= warmups; w++) {
        snprintf(tag, sizeof tag, "c%d-%d", (int) getpid(), w);
        run(dir, argv[2], argv[3], argv[5], argv[6], argv[7], tag, &res);
    }
    double seconds = (res.last_event_ns - res.start_ns) / 1e9;
    double producer_seconds = (res.end_ns - res.start_ns) / 1e9;
    /* The producer's lines, renamed rate.c.producer.* */
    for (char *line = strtok(res.producer_out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        printf("rate.c.%s\n", line);
    }
    printf("rate.c.expected %ld\n", res.expected);
    printf("rate.c.received %ld\n", res.received);
    printf("rate.c.lost %ld\n", res.expected - res.received);
    printf("rate.c.overflows %ld\n", res.overflows);
    printf("rate.c.other_records %ld\n", res.other);
    printf("rate.c.by_kind create=%ld close_write=%ld delete=%ld\n", res.creates, res.closes, res.deletes);
    printf("rate.c.reads %ld\n", res.reads);
    printf("rate.c.events_per_read %.2f\n", res.reads ? (double) res.received / res.reads : 0.0);
    printf("rate.c.seconds %.6f\n", seconds);
    printf("rate.c.events_per_s %.0f\n", seconds > 0 ? res.received / seconds : 0.0);
    printf("rate.c.producer_events_per_s %.0f\n", producer_seconds > 0 ? res.expected / producer_seconds : 0.0);
    printf("rate.c.lag_after_producer_us %.1f\n", (res.last_event_ns - res.end_ns) / 1000.0);
    return (res.expected == res.received && res.overflows == 0) ? 0 : 3;
}
