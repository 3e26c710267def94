/*
 * C reference for io.aem.jmh.BpfLatency and io.aem.jmh.BpfDrainRate: a libbpf consumer of the
 * same ring buffer as the library's eBPF streams. It loads the committed aem_attrs.bpf.o (chmod
 * and chown calls), writes the same filter into .rodata (the tgid of bpf_producer, which it
 * starts with pipes on stdin and stdout), sizes the ring, attaches, and reads the ring with
 * ring_buffer__poll (epoll on the ring's map fd, then libbpf's own walk of the mapped ring).
 *
 *   latency WARMUP ITERATIONS: one 's' to the producer at a time; the callback reads
 *     CLOCK_MONOTONIC first and the sample is that minus the record's ktime_ns (bpf_ktime_get_ns()
 *     at the call's entry: the same clock). Prints bpf.c.n, bpf.c.p50_us, ...
 *   drain live|backlog COUNT: one 'b'. live: reads while the producer runs; the rate is the
 *     records delivered over the time from 'b' to the last record. backlog: reads nothing until
 *     the producer has finished, then drains what the ring holds with ring_buffer__consume; the
 *     rate is the records over the drain's time. Both check delivered + lost == produced (lost:
 *     the programs' per-CPU drop counter). Prints drain.c.<mode>.produced, delivered, lost,
 *     per_second, ...
 *
 * Before either, 'p' probes (one every 200 ms, at most 50) until one record arrives: then the
 * programs are attached. Records are told apart by their mode: 0600 probe, 0644 sample.
 *
 * Usage: bpf_consumer OBJECT PRODUCER PRODUCER_CPU DIR RECEIVER_CPU RING_BYTES latency WARMUP ITERATIONS GAP_US
 *        bpf_consumer OBJECT PRODUCER PRODUCER_CPU DIR RECEIVER_CPU RING_BYTES drain live|backlog COUNT SECONDS THREADS
 * Exits non-zero on any failure, including a record not seen within 2 s or a count that does
 * not add up.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <fcntl.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_stats.h"

extern char **environ;

/* struct aem_attr_record offsets (kernel/src/main/bpf/aem_attrs.bpf.c). */
#define REC_TYPE 0
#define REC_TGID 8
#define REC_KTIME 16
#define REC_MODE 40
#define REC_SIZE 328
#define FILTER_SIZE 152

static pid_t producer_pid;
static int64_t seen_at, seen_ktime;
static long probes, samples_seen, bad;
static int64_t last_at;

static int on_record(void *ctx, void *data, size_t size) {
    (void) ctx;
    int64_t t = now_ns();
    const unsigned char *r = data;
    uint32_t type, tgid, mode;
    uint64_t ktime;
    if (size < REC_SIZE) {
        bad++;
        return 0;
    }
    memcpy(&type, r + REC_TYPE, 4);
    memcpy(&tgid, r + REC_TGID, 4);
    memcpy(&ktime, r + REC_KTIME, 8);
    memcpy(&mode, r + REC_MODE, 4);
    if (type != 3 || tgid != (uint32_t) producer_pid) {
        bad++;
    } else if (mode == 0600) {
        probes++;
    } else {
        samples_seen++;
        seen_at = t;
        seen_ktime = (int64_t) ktime;
        last_at = t;
    }
    return 0;
}

static void send_byte(int fd, char c) {
    if (write(fd, &c, 1) != 1) {
        die("write to producer");
    }
}

static long drops(int map_fd) {
    int cpus = libbpf_num_possible_cpus();
    uint64_t values[1024];
    uint32_t zero = 0;
    if (cpus <= 0 || cpus > 1024 || bpf_map_lookup_elem(map_fd, &zero, values) != 0) {
        die("reading the drop counter");
    }
    long sum = 0;
    for (int i = 0; i < cpus; i++) {
        sum += (long) values[i];
    }
    return sum;
}

/* The producer's calls per second in its last burst, from its "per_second" line. */
static double producer_rate = -1;

/* Reads "produced N" (and the rate) from the producer's output. */
static long read_produced(FILE *out) {
    char line[256];
    long produced = -1;
    while (fgets(line, sizeof line, out) != NULL) {
        fputs(line, stderr);
        sscanf(line, "produced %ld", &produced);
        if (strncmp(line, "per_second", 10) == 0) {
            producer_rate = atof(line + 10);
            break;
        }
    }
    return produced;
}

int main(int argc, char **argv) {
    if (argc < 10) {
        fprintf(stderr, "usage: see the comment at the top of bpf_consumer.c\n");
        return 2;
    }
    const char *object_path = argv[1], *producer = argv[2], *producer_cpu = argv[3], *dir = argv[4];
    int receiver_cpu = atoi(argv[5]);
    long ring_bytes = atol(argv[6]);
    const char *what = argv[7];
    int latency = strcmp(what, "latency") == 0;
    if (!latency && (strcmp(what, "drain") != 0 || argc != 12)) {
        fprintf(stderr, "bpf_consumer: 'latency' or 'drain' with their arguments\n");
        return 2;
    }
    if (latency && argc != 11) {
        fprintf(stderr, "bpf_consumer: latency WARMUP ITERATIONS GAP_US\n");
        return 2;
    }
    if (receiver_cpu >= 0) {
        pin(receiver_cpu);
    }
    alarm(600);

    /* The producer, with a pipe on its stdin (commands) and one on its stdout (burst counts). */
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        die("pipe2");
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    char *pargv[8] = {(char *) producer, (char *) producer_cpu, (char *) dir, latency ? "1" : argv[11],
                      latency ? "1" : argv[9], latency ? "1" : argv[10], latency ? argv[10] : "0", NULL};
    int r = posix_spawn(&producer_pid, producer, &fa, NULL, pargv, environ);
    if (r != 0) {
        errno = r;
        die("posix_spawn producer");
    }
    close(in[0]);
    close(out[1]);
    FILE *from_producer = fdopen(out[0], "r");

    /* Load the committed object with the filter, as io.aem.linux.bpf.BpfObject does. */
    libbpf_set_print(NULL);
    struct bpf_object *obj = bpf_object__open_file(object_path, NULL);
    if (obj == NULL) {
        die("bpf_object__open_file");
    }
    struct bpf_map *ro = bpf_object__find_map_by_name(obj, ".rodata");
    struct bpf_map *events = bpf_object__find_map_by_name(obj, "events");
    struct bpf_map *drop_map = bpf_object__find_map_by_name(obj, "drops");
    if (ro == NULL || events == NULL || drop_map == NULL || bpf_map__value_size(ro) != FILTER_SIZE) {
        fprintf(stderr, "bpf_consumer: %s is not an aem object\n", object_path);
        return 1;
    }
    unsigned char filter[FILTER_SIZE] = {0};
    uint32_t tgid = (uint32_t) producer_pid;
    memcpy(filter, &tgid, 4);
    if (bpf_map__set_initial_value(ro, filter, sizeof filter) != 0 ||
        bpf_map__set_max_entries(events, (uint32_t) ring_bytes) != 0) {
        die("setting the filter and the ring size");
    }
    if (bpf_object__load(obj) != 0) {
        die("bpf_object__load");
    }
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj) {
        if (bpf_program__attach(prog) == NULL) {
            die("bpf_program__attach");
        }
    }
    struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(events), on_record, NULL, NULL);
    if (rb == NULL) {
        die("ring_buffer__new");
    }

    for (int k = 0; k < 50 && probes == 0; k++) {
        send_byte(in[1], 'p');
        ring_buffer__poll(rb, 200);
    }
    if (probes == 0) {
        fprintf(stderr, "bpf_consumer: no probe record within 10 s\n");
        return 1;
    }

    if (latency) {
        long warmup = atol(argv[8]), iterations = atol(argv[9]);
        if (warmup < 0 || iterations < 1 || iterations > 10000000) {
            fprintf(stderr, "bpf_consumer: bad counts\n");
            return 2;
        }
        int64_t *samples = calloc(iterations, sizeof *samples);
        if (samples == NULL) {
            die("calloc");
        }
        for (long i = 0; i < warmup + iterations; i++) {
            long before = samples_seen;
            send_byte(in[1], 's');
            int64_t give_up = now_ns() + 2000000000L;
            while (samples_seen == before && now_ns() < give_up) {
                if (ring_buffer__poll(rb, 2000) < 0 && errno != EINTR) {
                    die("ring_buffer__poll");
                }
            }
            if (samples_seen != before + 1) {
                fprintf(stderr, "bpf_consumer: sample %ld: %ld records instead of 1 within 2 s\n", i,
                        samples_seen - before);
                return 1;
            }
            if (i >= warmup) {
                samples[i - warmup] = seen_at - seen_ktime;
            }
        }
        report_us("bpf.c", samples, iterations);
    } else {
        int backlog = strcmp(argv[8], "backlog") == 0;
        double seconds = atof(argv[10]);
        long lost_before = drops(bpf_map__fd(drop_map));
        long seen_before = samples_seen;
        int64_t start = now_ns(), drain_start = 0;
        send_byte(in[1], 'b');
        long produced;
        if (backlog) {
            produced = read_produced(from_producer);
            drain_start = now_ns();
            if (ring_buffer__consume(rb) < 0) {
                die("ring_buffer__consume");
            }
        } else {
            /* Read while the producer runs: its count arrives on a pipe this loop does not watch. */
            int64_t give_up = start + (int64_t) ((seconds + 10) * 1e9);
            int flags = fcntl(out[0], F_GETFL);
            fcntl(out[0], F_SETFL, flags | O_NONBLOCK);
            produced = -1;
            char buf[256];
            size_t got = 0;
            while (now_ns() < give_up) {
                if (ring_buffer__poll(rb, 10) < 0 && errno != EINTR) {
                    die("ring_buffer__poll");
                }
                ssize_t n = read(out[0], buf + got, sizeof buf - 1 - got);
                if (n > 0) {
                    got += n;
                    buf[got] = 0;
                    char *p = strstr(buf, "produced ");
                    if (p != NULL && strstr(buf, "per_second") != NULL && strchr(strstr(buf, "per_second"), '\n')) {
                        produced = atol(p + 9);
                        producer_rate = atof(strstr(buf, "per_second") + 10);
                        fputs(buf, stderr);
                    }
                }
                if (produced >= 0 && samples_seen - seen_before + drops(bpf_map__fd(drop_map)) - lost_before >= produced) {
                    break;
                }
            }
            ring_buffer__consume(rb);
            drain_start = start;
        }
        long delivered = samples_seen - seen_before;
        long lost = drops(bpf_map__fd(drop_map)) - lost_before;
        double s = (last_at - drain_start) / 1e9;
        const char *mode = backlog ? "backlog" : "live";
        printf("drain.c.%s.produced %ld\n", mode, produced);
        printf("drain.c.%s.delivered %ld\n", mode, delivered);
        printf("drain.c.%s.lost %ld\n", mode, lost);
        printf("drain.c.%s.balance %ld\n", mode, produced - delivered - lost);
        printf("drain.c.%s.seconds %.6f\n", mode, s);
        printf("drain.c.%s.per_second %.0f\n", mode, s > 0 ? delivered / s : 0.0);
        printf("drain.c.%s.producer_per_second %.0f\n", mode, producer_rate);
        if (produced < 0 || delivered + lost != produced) {
            fprintf(stderr, "bpf_consumer: delivered %ld + lost %ld != produced %ld\n", delivered, lost, produced);
            return 1;
        }
    }
    if (bad != 0) {
        fprintf(stderr, "bpf_consumer: %ld records of another type or process\n", bad);
        return 1;
    }
    close(in[1]);
    int status;
    waitpid(producer_pid, &status, 0);
    ring_buffer__free(rb);
    bpf_object__close(obj);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
