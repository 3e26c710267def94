/*
 * The producer of the file event rate benchmarks (io.aem.jmh.FileEventRate and its C reference
 * inotify_rate.c): as fast as it can, in DIR, for distinct names p<run>-<i>,
 *
 *   fd = open(name, O_WRONLY | O_CREAT | O_EXCL); close(fd); unlink(name)
 *
 * which makes three inotify events per operation (IN_CREATE, IN_CLOSE_WRITE, IN_DELETE); in
 * mode "cu" the open + close is a mknodat(S_IFREG) instead: create + unlink, two events per
 * operation (IN_CREATE, IN_DELETE) and no close.
 * It stops after COUNT operations or MAX_MS milliseconds, whichever comes first (the clock is
 * read every 64 operations), pinned to CPU.
 *
 * Usage: file_producer DIR COUNT MAX_MS CPU TAG [ccu|cu]
 * Prints "key value" lines on stdout, then exits:
 *   producer.ops N            operations completed (each one whole: all its system calls done)
 *   producer.events_per_op K  inotify events each operation makes on a watch of DIR for the
 *                             kinds it touches (3 for ccu, 2 for cu)
 *   producer.start_ns T       CLOCK_MONOTONIC before the first operation
 *   producer.end_ns T         CLOCK_MONOTONIC after the last one
 *   producer.seconds S, producer.ops_per_s R, producer.events_per_s E
 * The names carry TAG so that two runs in one directory never reuse a name.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_common.h"

int main(int argc, char **argv) {
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: %s DIR COUNT MAX_MS CPU TAG [ccu|cu]\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    long count = atol(argv[2]);
    long max_ms = atol(argv[3]);
    int cpu = atoi(argv[4]);
    const char *tag = argv[5];
    const char *mode = argc == 7 ? argv[6] : "ccu";
    int with_close = strcmp(mode, "ccu") == 0;
    if (!with_close && strcmp(mode, "cu") != 0) {
        fprintf(stderr, "file_producer: mode must be ccu or cu\n");
        return 2;
    }
    if (count < 1 || count > 100000000L || max_ms < 1 || max_ms > 600000L) {
        fprintf(stderr, "file_producer: bad count or time\n");
        return 2;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        die(dir);
    }
    pin(cpu);
    char name[NAME_MAX];
    int64_t start = now_ns();
    int64_t deadline = start + max_ms * 1000000L;
    long ops = 0;
    while (ops < count) {
        snprintf(name, sizeof name, "p%s-%ld", tag, ops);
        if (with_close) {
            int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            if (fd < 0) {
                die("openat");
            }
            close(fd);
        } else if (mknodat(dfd, name, S_IFREG | 0644, 0) < 0) {
            die("mknodat");
        }
        if (unlinkat(dfd, name, 0) < 0) {
            die("unlinkat");
        }
        ops++;
        if ((ops & 63) == 0 && now_ns() >= deadline) {
            break;
        }
    }
    int64_t end = now_ns();
    double seconds = (end - start) / 1e9;
    int per_op = with_close ? 3 : 2;
    printf("producer.ops %ld\n", ops);
    printf("producer.events_per_op %d\n", per_op);
    printf("producer.start_ns %lld\n", (long long) start);
    printf("producer.end_ns %lld\n", (long long) end);
    printf("producer.seconds %.6f\n", seconds);
    printf("producer.ops_per_s %.0f\n", ops / seconds);
    printf("producer.events_per_s %.0f\n", ops * per_op / seconds);
    return 0;
}
