/*
 * The idle connections of the HTTP scalability experiment (run-http-scalability.sh), held in a
 * process of their own so that they cost the server what idle clients cost it and nothing else.
 *
 *   idle_conns HOST PORT N REQUEST MAX_SECONDS
 *
 * Opens N TCP connections to HOST:PORT (IPv4), one after the other. With REQUEST=1 it sends
 * "GET /hello HTTP/1.1" on each and reads the whole response (headers and content-length bytes of
 * body) before opening the next, so every connection is a real keep-alive HTTP connection the
 * server has accepted and served; with REQUEST=0 it only connects. Then it holds them, doing
 * nothing, until SIGTERM/SIGINT or MAX_SECONDS, and closes them.
 *
 * Lines on stdout (flushed):
 *   connected K          K connections made (K < N when a connect or a response failed; the
 *                        reason is on stderr and the program keeps and holds the K it made)
 *   answered K           K of them got a complete 200 response (REQUEST=1 only)
 *   holding K
 *   open K closed M      on every SIGUSR1: K connections with no event (still open and idle), M that
 *                        the server closed or reset (poll shows EOF, hang-up or error) or that sent
 *                        unexpected bytes
 * Exit status 0 after a normal end, 1 on a setup error. It raises its RLIMIT_NOFILE soft limit to
 * the hard limit and refuses an N that does not fit under it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "idle_conns: %s: %s\n", what, strerror(errno));
    exit(1);
}

static volatile sig_atomic_t stop;
static volatile sig_atomic_t check;

static void on_stop(int sig) {
    (void) sig;
    stop = 1;
}

static void on_check(int sig) {
    (void) sig;
    check = 1;
}

/* Reads one HTTP response on a blocking socket; 1 when it is complete and its status is 200. */
static int read_response(int fd) {
    char buf[4096];
    size_t have = 0;
    char *end = NULL;
    while (end == NULL) {
        if (have == sizeof buf - 1) {
            return 0;
        }
        ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
        if (n <= 0) {
            return 0;
        }
        have += (size_t) n;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    size_t head = (size_t) (end + 4 - buf);
    long length = 0;
    for (char *p = buf; p < end; p++) {
        if (strncasecmp(p, "\r\ncontent-length:", 17) == 0) {
            length = strtol(p + 17, NULL, 10);
            break;
        }
    }
    long body = (long) (have - head);
    while (body < length) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            return 0;
        }
        body += n;
    }
    return body == length && strncmp(buf, "HTTP/1.1 200 ", 13) == 0 ? 1 : 0;
}

/* Connections that poll shows no event on are still open and idle. */
static void report(struct pollfd *fds, int count) {
    for (int i = 0; i < count; i++) {
        fds[i].events = POLLIN | POLLRDHUP;
        fds[i].revents = 0;
    }
    int ready = poll(fds, (nfds_t) count, 0);
    if (ready < 0) {
        die("poll");
    }
    printf("open %d closed %d\n", count - ready, ready);
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: idle_conns HOST PORT N REQUEST(0|1) MAX_SECONDS\n");
        return 2;
    }
    const char *host = argv[1];
    int port = atoi(argv[2]);
    int n = atoi(argv[3]);
    int request = atoi(argv[4]);
    long max_seconds = atol(argv[5]);
    if (port <= 0 || port > 65535 || n < 0 || max_seconds <= 0) {
        fprintf(stderr, "idle_conns: bad arguments\n");
        return 2;
    }

    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) {
        die("getrlimit");
    }
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) {
        die("setrlimit");
    }
    if ((rlim_t) n + 16 > lim.rlim_cur) {
        fprintf(stderr, "idle_conns: %d connections do not fit under RLIMIT_NOFILE %ld (with 16 spare)\n", n,
                (long) lim.rlim_cur);
        return 1;
    }

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "idle_conns: not an IPv4 address: %s\n", host);
        return 2;
    }

    struct sigaction sa = {0};
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_check;
    sigaction(SIGUSR1, &sa, NULL);

    struct pollfd *fds = calloc((size_t) (n > 0 ? n : 1), sizeof *fds);
    if (fds == NULL) {
        die("calloc");
    }
    static const char get[] = "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    struct timeval patience = {.tv_sec = 10};
    int count = 0, answered = 0;
    while (count < n && !stop) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            perror("idle_conns: socket");
            break;
        }
        /* bounds a connect stuck on a full accept queue and a response that does not come */
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &patience, sizeof patience);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
        if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
            fprintf(stderr, "idle_conns: connect %d of %d: %s\n", count + 1, n, strerror(errno));
            close(fd);
            break;
        }
        fds[count++].fd = fd;
        if (request) {
            if (write(fd, get, sizeof get - 1) != (ssize_t) (sizeof get - 1)) {
                fprintf(stderr, "idle_conns: request on connection %d: %s\n", count, strerror(errno));
                break;
            }
            if (!read_response(fd)) {
                fprintf(stderr, "idle_conns: no complete 200 response on connection %d (%s)\n", count,
                        errno ? strerror(errno) : "EOF or bad response");
                break;
            }
            answered++;
        }
    }
    printf("connected %d\n", count);
    if (request) {
        printf("answered %d\n", answered);
    }
    printf("holding %d\n", count);
    fflush(stdout);

    /* The signals stay blocked except inside sigsuspend, so none is missed between the test and
       the wait. SIGALRM ends the hold after MAX_SECONDS. */
    sigset_t held, open_mask;
    sigemptyset(&held);
    sigaddset(&held, SIGTERM);
    sigaddset(&held, SIGINT);
    sigaddset(&held, SIGUSR1);
    sigaddset(&held, SIGALRM);
    sigprocmask(SIG_BLOCK, &held, &open_mask);
    sa.sa_handler = on_stop;
    sigaction(SIGALRM, &sa, NULL);
    alarm((unsigned) max_seconds);
    while (!stop) {
        if (check) {
            check = 0;
            report(fds, count);
        }
        if (!stop) {
            sigsuspend(&open_mask);
        }
    }
    for (int i = 0; i < count; i++) {
        close(fds[i].fd);
    }
    free(fds);
    return 0;
}
