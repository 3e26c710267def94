package io.aem.reactor;

import io.aem.linux.bpf.AttributeChangeEvent;
import io.aem.linux.bpf.BpfOptions;
import io.aem.linux.bpf.BpfStreams;
import io.aem.linux.bpf.FileLockEvent;
import io.aem.linux.bpf.ProcessExitEvent;
import io.aem.linux.event.KernelTimer;
import io.aem.linux.event.TimerSpec;
import io.aem.linux.event.TimerTick;
import io.aem.linux.event.UserEvents;
import io.aem.linux.fs.FanotifySource;
import io.aem.linux.fs.FanotifyWatch;
import io.aem.linux.fs.FileAccessEvent;
import io.aem.linux.fs.FileEvent;
import io.aem.linux.fs.FileWatch;
import io.aem.linux.fs.InotifyWatchSource;
import io.aem.linux.fs.PermissionRequest;
import io.aem.linux.fs.PermissionSource;
import io.aem.linux.fs.PermissionWatch;
import io.aem.linux.fs.QuietPeriod;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.net.TcpConnection;
import io.aem.linux.net.TcpListenOptions;
import io.aem.linux.net.TcpListener;
import io.aem.linux.net.TcpOptions;
import io.aem.linux.proc.ChildProcess;
import io.aem.linux.proc.JobExit;
import io.aem.linux.proc.Jobs;
import io.aem.linux.proc.ProcConnectorSource;
import io.aem.linux.proc.ProcEvent;
import io.aem.linux.proc.ProcessEvents;
import io.aem.linux.proc.ProcessExit;
import io.aem.linux.proc.ProcessExitSource;
import io.aem.linux.proc.ProcessSpec;
import io.aem.linux.proc.Redirect;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.SourcePublisher;
import io.aem.linux.timer.LoopTimers;
import io.aem.linux.timer.WheelTimer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The entry point: owns one or more event loops and gives every kernel event source as a
 * backpressured {@link Flux} (and {@link Mono} where one event is the answer).
 *
 * <pre>{@code
 * try (Aem aem = Aem.create()) {
 *     aem.timer(TimerSpec.every(Duration.ofMillis(10)))
 *        .take(100)
 *        .blockLast();                      // from a non-loop thread
 * }
 * }</pre>
 *
 * <p><b>Loops.</b> Each loop is one thread ({@link NonBlockingLoopThread}) around
 * {@code epoll_wait}. A stream is bound to a loop when it is assembled, round-robin over the
 * loops, or explicitly with {@link #flux(EventSource, EventLoop)}; all its signals arrive on that
 * loop's thread. {@link #close()} shuts every loop down: live streams end with
 * {@link io.aem.linux.loop.EventLoopClosedException} and every fd is closed.
 *
 * <p><b>Processes.</b> {@link #exec} runs a command to its exit, {@link #spawn} starts one with
 * its streams as fluxes, {@link #exitOf} watches any pid: each supervised through a pidfd on a
 * loop, with no thread per process. Closing the Aem kills and reaps the children still running.
 *
 * <p><b>Timers.</b> Two kinds, for different needs. {@link #timer(TimerSpec)} and
 * {@link #delay(Duration)} give each subscriber its own kernel timer ({@code timerfd}): its own
 * clock ({@code BOOTTIME} that counts suspend, {@code REALTIME} with cancel-on-set, the
 * {@code ALARM} clocks that wake the machine), nanosecond precision, and about 500 bytes of
 * kernel memory plus one fd each. {@link #wheelDelay(Duration)}, {@link #wheelInterval(Duration)}
 * and the {@link #scheduler() schedulers} use the loop's timer wheel ({@link #timers(EventLoop)}):
 * millions of timers at about 24 bytes each, one fd per loop, on {@code CLOCK_MONOTONIC}, with a
 * resolution of one wheel tick (0.13 ms by default). Pick the wheel for many timers (timeouts, retries,
 * per-connection deadlines), a kernel timer for a clock of its own or for sub-tick precision.
 *
 * <p><b>Scheduler.</b> {@link #scheduler()} is a Reactor {@link reactor.core.scheduler.Scheduler}
 * over the loops and their wheels, so {@code Flux.interval}, {@code delayElements},
 * {@code timeout} and {@code publishOn} run on the loop threads with no other thread.
 *
 * <p>Thread-safe. Creating an {@code Aem} costs one thread, one epoll fd and one eventfd per loop;
 * each loop's timer wheel, opened on first use, one timerfd more.
 */
public final class Aem implements Disposable, AutoCloseable {
    private final List<EventLoop> loops;
    private final List<LoopTimersHolder> timers;
    private final AtomicInteger next = new AtomicInteger();

    private Aem(List<EventLoop> loops) {
        this.loops = List.copyOf(loops);
        this.timers = this.loops.stream().map(LoopTimersHolder::new).toList();
    }

    /** One loop named {@code aem-1}, default options. */
    public static Aem create() {
        return create(1);
    }

    /**
     * {@code count} loops named {@code aem-1} … {@code aem-count}, default options.
     *
     * @param count at least 1
     * @return the running entry point
     * @throws UncheckedIOException wrapping the typed kernel error when a loop cannot start
     */
    public static Aem create(int count) {
        return create(count, EventLoopOptions.defaults().withName("aem"));
    }

    /**
     * {@code count} loops built from one template: loop {@code i} (from 1) is named
     * {@code template.name() + "-" + i} and otherwise has the template's options (affinity,
     * real-time policy, batch size, thread factory).
     *
     * @param count    at least 1
     * @param template the options shared by every loop; its name is the prefix
     * @return the running entry point
     * @throws UncheckedIOException wrapping the typed kernel error when a loop cannot start
     */
    public static Aem create(int count, EventLoopOptions template) {
        if (count < 1) {
            throw new IllegalArgumentException("loop count must be at least 1, was " + count);
        }
        Objects.requireNonNull(template, "template");
        List<EventLoopOptions> options = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            options.add(template.withName(template.name() + "-" + i));
        }
        return create(options);
    }

    /**
     * One loop per options entry. Entries without a thread factory get one whose threads are
     * {@link NonBlockingLoopThread}s named after the loop.
     *
     * @param loopOptions at least one
     * @return the running entry point
     * @throws UncheckedIOException wrapping the typed kernel error (for example
     *                              {@link io.aem.linux.MissingPrivilegeException} for a refused real-time policy)
     *                              when a loop cannot start; loops already started are closed
     */
    public static Aem create(List<EventLoopOptions> loopOptions) {
        if (loopOptions.isEmpty()) {
            throw new IllegalArgumentException("at least one event loop is needed");
        }
        List<EventLoop> started = new ArrayList<>();
        try {
            for (EventLoopOptions o : loopOptions) {
                EventLoopOptions withFactory = o.threadFactory() != null ? o
                        : o.withThreadFactory(new NonBlockingThreadFactory(o.name()));
                started.add(EventLoop.open(withFactory));
            }
        } catch (IOException e) {
            started.forEach(EventLoop::close);
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (RuntimeException e) {
            started.forEach(EventLoop::close);
            throw e;
        }
        return new Aem(started);
    }

    /** The loops, in creation order. */
    public List<EventLoop> loops() {
        return loops;
    }

    /** The loop the next assembled stream will use (round-robin). */
    public EventLoop nextLoop() {
        return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
    }

    /**
     * Any event source as a {@link Flux}, on the next loop.
     *
     * @param source the source
     * @param <E>    the event type
     * @return a cold flux: each subscriber opens the source
     */
    public <E> Flux<E> flux(EventSource<E> source) {
        return flux(source, nextLoop());
    }

    /**
     * Any event source as a {@link Flux}, on a chosen loop.
     *
     * @param source the source
     * @param loop   one of {@link #loops()}
     * @param <E>    the event type
     * @return a cold flux: each subscriber opens the source
     */
    public <E> Flux<E> flux(EventSource<E> source, EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        if (!loops.contains(loop)) {
            throw new IllegalArgumentException("loop '" + loop.name() + "' does not belong to this Aem");
        }
        return new FluxEventSource<>(loop, source);
    }

    /**
     * Any event source as a {@link Flow.Publisher}, on the next loop, for code without Reactor.
     *
     * @param source the source
     * @param <E>    the event type
     * @return a cold publisher
     */
    public <E> Flow.Publisher<E> publisher(EventSource<E> source) {
        return new SourcePublisher<>(nextLoop(), source);
    }

    /**
     * A kernel timer ({@code timerfd}). Each subscriber gets its own timer, armed at subscription;
     * one-shot timers complete after their tick; expirations coalesce while there is no demand.
     * Choose it for a clock of its own ({@code BOOTTIME}, {@code REALTIME} with cancel-on-set,
     * {@code ALARM}) or nanosecond precision; it costs about 500 bytes of kernel memory and one fd
     * per subscriber. For many timers use the loop's wheel: {@link #wheelInterval(Duration)}.
     *
     * @param spec what the timer does
     * @return the ticks
     */
    public Flux<TimerTick> timer(TimerSpec spec) {
        return flux(new KernelTimer(spec));
    }

    /**
     * A one-shot kernel timer on {@code CLOCK_MONOTONIC} as a {@link Mono}: its tick after the delay.
     * One timerfd per subscriber; for many delays use {@link #wheelDelay(Duration)}.
     *
     * @param delay positive
     * @return the tick
     */
    public Mono<TimerTick> delay(Duration delay) {
        return timer(TimerSpec.after(delay)).next();
    }

    /**
     * The timer wheel of a loop, opened on first use (one timerfd) and closed when the Aem closes.
     * Its loop-thread methods are the cheapest way to run millions of timers; from other threads
     * use {@link LoopTimers#newTimeout}. Off the loop thread the first call waits for the loop to
     * open the wheel.
     *
     * @param loop one of {@link #loops()}
     * @return the loop's wheel
     * @throws IllegalArgumentException                    if the loop is not this Aem's
     * @throws io.aem.linux.loop.EventLoopClosedException if the Aem is closed
     * @throws UncheckedIOException                        wrapping the kernel's refusal of the
     *                                                     timerfd (for example
     *                                                     {@link io.aem.linux.ResourceLimitException})
     */
    public LoopTimers timers(EventLoop loop) {
        return timersOf(loop).get();
    }

    private LoopTimersHolder timersOf(EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        int index = loops.indexOf(loop);
        if (index < 0) {
            throw new IllegalArgumentException("loop '" + loop.name() + "' does not belong to this Aem");
        }
        return timers.get(index);
    }

    /**
     * A one-shot timer from the next loop's wheel as a {@link Mono}: one {@link TimerTick} (with
     * one expiration) not before the delay and, when the loop is idle, within one wheel tick
     * (0.13 ms by default) after it, on the loop thread. Each subscriber gets its own wheel entry (about
     * 24 bytes, no fd), armed at subscription; cancelling frees it. Choose it over
     * {@link #delay(Duration)} for many timers on {@code CLOCK_MONOTONIC}; choose the kernel timer
     * for a clock of its own or sub-tick precision.
     *
     * @param delay not negative
     * @return the tick
     * @throws IllegalArgumentException if the delay is negative
     */
    public Mono<TimerTick> wheelDelay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        LoopTimersHolder wheel = timersOf(nextLoop());
        return Flux.defer(() -> JdkFlowAdapter.flowPublisherToFlux(WheelTimer.after(wheel.get(), delay))).next();
    }

    /**
     * A periodic timer from the next loop's wheel, first tick after one period; see
     * {@link #wheelInterval(Duration, Duration)}.
     *
     * @param period positive
     * @return the ticks
     * @throws IllegalArgumentException if the period is not positive
     */
    public Flux<TimerTick> wheelInterval(Duration period) {
        return wheelInterval(period, period);
    }

    /**
     * A periodic timer from the next loop's wheel as a {@link Flux} of {@link TimerTick}s, on the
     * loop thread: first after {@code initialDelay}, then at a fixed rate. Without demand the
     * ticks coalesce into the next tick's {@link TimerTick#expirations()} and no work is done.
     * Each subscriber gets its own wheel entry (about 24 bytes, no fd); cancelling frees it.
     * Resolution one wheel tick (0.13 ms by default), {@code CLOCK_MONOTONIC}. Choose it over
     * {@link #timer(TimerSpec)} for many timers; choose the kernel timer for a clock of its own
     * ({@code BOOTTIME}, {@code REALTIME} with cancel-on-set, {@code ALARM}) or sub-tick
     * precision.
     *
     * @param initialDelay not negative
     * @param period       positive
     * @return the ticks; never completes
     * @throws IllegalArgumentException if the initial delay is negative or the period not positive
     */
    public Flux<TimerTick> wheelInterval(Duration initialDelay, Duration period) {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(period, "period");
        if (initialDelay.isNegative() || period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("initial delay must not be negative and period must be positive, were "
                    + initialDelay + " and " + period);
        }
        LoopTimersHolder wheel = timersOf(nextLoop());
        return Flux.defer(() -> JdkFlowAdapter.flowPublisherToFlux(WheelTimer.every(wheel.get(), initialDelay, period)));
    }

    /**
     * A Reactor {@link reactor.core.scheduler.Scheduler} over every loop: direct tasks and workers
     * go to the loops in turn, delays use each loop's wheel (see {@link LoopScheduler} for the
     * contract). Each call makes a new scheduler, already {@linkplain LoopScheduler#init()
     * initialised} (the wheels are open); disposing it cancels only its own tasks and leaves the
     * loops running. Closing the Aem disposes it.
     *
     * @return the scheduler
     * @throws IllegalStateException if the Aem is closed
     */
    public RoundRobinLoopScheduler scheduler() {
        RoundRobinLoopScheduler scheduler = new RoundRobinLoopScheduler(
                timers.stream().map(LoopScheduler::new).toList());
        scheduler.init();
        return scheduler;
    }

    /**
     * A Reactor {@link reactor.core.scheduler.Scheduler} on one loop and its wheel, already
     * {@linkplain LoopScheduler#init() initialised}; see {@link LoopScheduler}. Each call makes a
     * new scheduler.
     *
     * @param loop one of {@link #loops()}
     * @return the scheduler
     * @throws IllegalArgumentException if the loop is not this Aem's
     * @throws IllegalStateException    if the Aem is closed
     */
    public LoopScheduler scheduler(EventLoop loop) {
        LoopScheduler scheduler = new LoopScheduler(timersOf(loop));
        scheduler.init();
        return scheduler;
    }

    /**
     * The exit of a process, watched through its pidfd on the next loop, with no thread per
     * process (see {@link ProcessExitSource}). For a child of this JVM that nothing else waits for,
     * the child is reaped and the exit carries its code, or its signal and whether a core was
     * dumped; for any other process the status is {@link ProcessExit.UnknownStatus}. Cold: each
     * subscriber opens its own pidfd at subscription; without demand a child's exit waits in the
     * kernel (the child stays a zombie) until requested. A pid that names no process gives
     * {@code onError} with {@link io.aem.linux.proc.NoSuchProcessException}.
     *
     * @param pid the process to watch
     * @return its exit, on the loop thread
     */
    public Mono<ProcessExit> exitOf(long pid) {
        return flux(new ProcessExitSource(pid)).single();
    }

    /**
     * Every process event of the system (fork, exec, exit with its status, id changes, ptrace,
     * name changes, core dumps) from the kernel's process connector; see
     * {@link #processEvents(ProcessEvents)}.
     *
     * @return a cold flux: each subscriber gets its own connector socket
     */
    public Flux<ProcEvent> processEvents() {
        return processEvents(ProcessEvents.all());
    }

    /**
     * The process events asked for, from the kernel's process connector (see
     * {@link ProcConnectorSource}). Cold: each subscriber gets its own {@code NETLINK_CONNECTOR}
     * socket on the next loop, opened on that loop's thread.
     *
     * <p>Demand is kernel-level backpressure: without it nothing is read and the kernel queues
     * events in the socket's receive buffer ({@link ProcessEvents#receiveBuffer}); when that
     * overflows the stream emits one {@link ProcEvent.Lost} (the number of events dropped is
     * not known) and goes on. The kinds are filtered in the kernel from Linux 6.6. Events arrive
     * on the loop thread; use {@code publishOn} for blocking work. Errors arrive as
     * {@code onError}: {@link io.aem.linux.UnsupportedKernelFeatureException} without the
     * connector or outside the initial network namespace,
     * {@link io.aem.linux.MissingPrivilegeException} naming {@code CAP_NET_ADMIN} (before Linux
     * 6.6, or for a buffer above {@code net.core.rmem_max}). Costs: two fds per subscriber (the
     * socket and the duplicate the loop reads) and one {@code recv} per event.
     *
     * @param options the kinds and the receive buffer
     * @return the events
     */
    public Flux<ProcEvent> processEvents(ProcessEvents options) {
        Objects.requireNonNull(options, "options");
        return Flux.defer(() -> flux(new ProcConnectorSource(options)));
    }

    /**
     * Every process exit of the system that passes the filter, from the eBPF program on
     * {@code tp_btf/sched_process_exit} (see {@link BpfStreams}): pid, parent, exit code or signal
     * and core flag, command, kernel timestamp. Unlike {@link #processEvents()} it needs no
     * {@code CAP_NET_ADMIN} but {@code CAP_BPF}+{@code CAP_PERFMON} (or {@code CAP_SYS_ADMIN}).
     *
     * <p>Cold: each subscriber loads its own copy of the program with its own ring buffer, on the
     * next loop's thread, and unloads it when its stream ends. Demand is kernel-level
     * backpressure: without it the ring buffer fills and the kernel drops and counts; the stream
     * then emits {@link ProcessExitEvent.Lost} with the count. Events arrive on the loop thread.
     * Errors as {@code onError}: {@link io.aem.linux.bpf.LibBpfMissingException} (Debian's
     * {@code libbpf1}), {@link io.aem.linux.UnsupportedKernelFeatureException} (no kernel BTF),
     * {@link io.aem.linux.MissingPrivilegeException} (the capabilities above).
     *
     * @param options the filter, ring and batch sizes
     * @return the exits
     */
    public Flux<ProcessExitEvent> processExits(BpfOptions options) {
        Objects.requireNonNull(options, "options");
        return Flux.defer(() -> flux(BpfStreams.processExitSource(options)));
    }

    /**
     * flock, POSIX and OFD lock requests and releases that pass the filter (which may name up to
     * {@link io.aem.linux.bpf.BpfFilter#MAX_FILES} files), with pid, device and inode, type,
     * range and whether the kernel granted them, from eBPF programs on the {@code filelock}
     * tracepoints. Same subscription, demand, loss and error contract as
     * {@link #processExits(BpfOptions)}; losses arrive as {@link FileLockEvent.Lost}.
     *
     * @param options the filter, ring and batch sizes
     * @return the lock operations
     */
    public Flux<FileLockEvent> fileLocks(BpfOptions options) {
        Objects.requireNonNull(options, "options");
        return Flux.defer(() -> flux(BpfStreams.fileLockSource(options)));
    }

    /**
     * chmod- and chown-family system calls that pass the filter, with pid, path or fd, the new
     * mode or uid/gid and the result, from eBPF programs on the raw system-call tracepoints
     * (x86-64). Same subscription, demand, loss and error contract as
     * {@link #processExits(BpfOptions)}; losses arrive as {@link AttributeChangeEvent.Lost}.
     *
     * @param options the filter, ring and batch sizes (the file filter does not apply)
     * @return the calls
     */
    public Flux<AttributeChangeEvent> attributeChanges(BpfOptions options) {
        Objects.requireNonNull(options, "options");
        return Flux.defer(() -> flux(BpfStreams.attributeChangeSource(options)));
    }

    /**
     * Runs a command to its end: spawns it when subscribed (each subscription starts a new child,
     * on the loop chosen when this method is called) and emits its exit, on the loop thread.
     * Supervised as {@link ChildProcess} describes: reaped at once on exit, no thread per child.
     *
     * <p><b>Streams.</b> Nobody reads the pipes of an {@code exec}, so a {@link Redirect#PIPE} in
     * the spec is replaced: stdin, stdout and stderr that are {@code PIPE} (stdout and stderr are
     * by default) become {@link Redirect#DISCARD}; a child writing more than a pipe holds would
     * otherwise block forever. Other redirects (files, {@code INHERIT}) are kept. Use
     * {@link #spawn} to read or feed the streams.
     *
     * <p><b>Cancel</b> before the exit (a {@code timeout}, {@code take}, dispose) applies the
     * spec's {@link io.aem.linux.proc.CancelPolicy} ({@code TERMINATE} by default: {@code SIGTERM},
     * then {@code SIGKILL} after the kill grace); the child is still reaped when it ends.
     *
     * <p><b>Errors</b> arrive as {@code onError}: the typed exceptions of
     * {@link ChildProcess#start} ({@link java.nio.file.NoSuchFileException} for a missing
     * executable or directory, {@link java.nio.file.AccessDeniedException} for a file that is not
     * executable, {@link io.aem.linux.ResourceLimitException} for the fd or process limits), and
     * {@link io.aem.linux.loop.EventLoopClosedException} when the Aem closes first.
     *
     * @param spec what to run
     * @return the exit; a non-zero exit code or a signal is a value, not an error
     */
    public Mono<ProcessExit> exec(ProcessSpec spec) {
        Objects.requireNonNull(spec, "spec");
        EventLoop loop = nextLoop();
        ProcessSpec unpiped = spec.withStdin(spec.stdin() == Redirect.PIPE ? Redirect.DISCARD : spec.stdin())
                .withStdout(spec.stdout() == Redirect.PIPE ? Redirect.DISCARD : spec.stdout())
                .withStderr(spec.stderr() == Redirect.PIPE ? Redirect.DISCARD : spec.stderr());
        return Mono.defer(() -> {
            ChildProcess child;
            try {
                child = ChildProcess.start(loop, unpiped);
            } catch (IOException e) {
                return Mono.error(e);
            }
            return JdkFlowAdapter.flowPublisherToFlux(child.exit()).single();
        });
    }

    /**
     * Starts a child when subscribed and gives it as an {@link AemProcess}, whose stdout and
     * stderr are {@link Flux}es read under demand, stdin fed from a publisher, and exit a
     * {@link Mono}; on the loop chosen when this method is called. The spec is used as given
     * (stdout and stderr are pipes by default: read them, or the child blocks once 64 KiB is
     * unread). Each subscription starts a new child. Errors as for {@link #exec}.
     *
     * <pre>{@code
     * aem.spawn(ProcessSpec.of("sort").withStdin(Redirect.PIPE))
     *    .flatMap(p -> Mono.zip(p.stdin(input),         // subscribe to the output before the exit
     *            p.stdout().map(b -> StandardCharsets.UTF_8.decode(b).toString()).collect(Collectors.joining()),
     *            p.exit()))
     * }</pre>
     *
     * @param spec what to start
     * @return the running process
     */
    public Mono<AemProcess> spawn(ProcessSpec spec) {
        Objects.requireNonNull(spec, "spec");
        EventLoop loop = nextLoop();
        return Mono.fromCallable(() -> new AemProcess(ChildProcess.start(loop, spec)));
    }

    /**
     * User events as a {@link Flux} of counts. The {@link UserEvents} serves one subscriber;
     * signal it from any thread.
     *
     * @param events the user events, see {@link UserEvents#create(String)}
     * @return the counts
     */
    public Flux<Long> userEvents(UserEvents events) {
        return flux(events);
    }

    /**
     * File and directory events from inotify: one file, one directory, or a whole tree followed
     * as directories come and go, as {@link FileEvent}s with absolute paths (see
     * {@link InotifyWatchSource} for the full contract: no-duplicate creations in new
     * directories, renames paired by cookie, the initial listing, overflow policies).
     *
     * <pre>{@code
     * aem.watch(FileWatch.tree(Path.of("/srv/data")).withKinds(FileEventKind.CLOSE_WRITE, FileEventKind.RENAME))
     *    .publishOn(Schedulers.boundedElastic())   // handlers that block leave the loop thread
     *    .subscribe(event -> index(event.path()));
     * }</pre>
     *
     * <p>Cold: each subscriber gets its own inotify instance (one fd) and its own watches (one per
     * directory, about 1 KB of kernel memory each), opened on the loop chosen when this method is
     * called. {@code request(n)} is read demand: without it the kernel queues the events, up to
     * {@code fs.inotify.max_queued_events}, and beyond that the watch's
     * {@linkplain FileWatch#withOverflow overflow policy} applies. Signals arrive on the loop
     * thread. A missing path, no permission or an inotify limit arrives as {@code onError} before
     * any event, as a typed exception naming the remedy. The stream completes when the watched
     * root is deleted, moved away or unmounted; otherwise it runs until cancelled.
     *
     * @param watch what to watch
     * @return the events
     */
    public Flux<FileEvent> watch(FileWatch watch) {
        Objects.requireNonNull(watch, "watch");
        EventLoop loop = nextLoop();
        return Flux.defer(() -> new FluxEventSource<>(loop, new InotifyWatchSource(watch)));
    }

    /**
     * The quiet-period operator for file events, for {@link Flux#transform}: each path's last
     * event once the path saw no event for {@code quiet} (an editor's save, a rename-write).
     * Runs on the next loop's thread and timers; at most 1024 paths wait before upstream demand
     * stops. See {@link QuietPeriod} for the rules (renames, markers, completion, demand).
     *
     * <pre>{@code
     * aem.watch(FileWatch.tree(dir)).transform(aem.quietPeriod(Duration.ofMillis(200)))
     * }</pre>
     *
     * @param quiet how long a path must stay quiet, positive
     * @return the operator
     * @throws IllegalArgumentException if {@code quiet} is not positive
     */
    public Function<Flux<FileEvent>, Flux<FileEvent>> quietPeriod(Duration quiet) {
        return quietPeriod(quiet, 1024);
    }

    /**
     * The quiet-period operator with a chosen bound on waiting paths; see {@link #quietPeriod(Duration)}.
     *
     * @param quiet    how long a path must stay quiet, positive
     * @param maxPaths how many paths may wait before upstream demand stops, at least 1
     * @return the operator
     * @throws IllegalArgumentException if {@code quiet} is not positive or {@code maxPaths} below 1
     */
    public Function<Flux<FileEvent>, Flux<FileEvent>> quietPeriod(Duration quiet, int maxPaths) {
        EventLoop loop = nextLoop();
        new QuietPeriod(subscriber -> { }, loop, quiet, maxPaths); // checks the arguments at assembly
        return upstream -> JdkFlowAdapter.flowPublisherToFlux(
                new QuietPeriod(JdkFlowAdapter.publisherToFlowPublisher(upstream), loop, quiet, maxPaths));
    }

    /**
     * Permission decisions on file access ({@code fanotify} permission events): each subscriber
     * receives a {@link PermissionRequest} for every open, read or exec the watch covers, by any
     * process, and answers it with {@link PermissionRequest#allow()} or
     * {@link PermissionRequest#deny()} from any thread (after {@code publishOn} too); the process
     * waits in its system call meanwhile.
     *
     * <p>A request nobody answers within {@link PermissionWatch#deadline()} is allowed by the
     * process-wide deadline keeper, also while the subscriber has no demand: for permission
     * events the requests are read as they come and wait for demand at most until their deadline
     * (see {@link PermissionSource}). Cancelling, an error, a subscriber that throws, and
     * {@link #close()} allow every request the subscription still holds, including requests
     * buffered or dropped by operators downstream. Needs {@code CAP_SYS_ADMIN} on the loop
     * thread; each subscriber costs one fanotify group fd and one eventfd, each waiting request
     * one fd.
     *
     * @param watch what to decide for
     * @return a cold flux: each subscriber places its own marks
     */
    public Flux<PermissionRequest> permissions(PermissionWatch watch) {
        return permissions(new PermissionSource(watch));
    }

    /**
     * Permission decisions from a source kept by the caller, whose
     * {@link PermissionSource#stats()} count what was allowed, denied and allowed at the deadline
     * across its subscribers. See {@link #permissions(PermissionWatch)}.
     *
     * @param source the source
     * @return a cold flux: each subscriber places its own marks
     */
    public Flux<PermissionRequest> permissions(PermissionSource source) {
        return flux(source);
    }

    /**
     * File accesses under fanotify marks: who opened, read, wrote, executed, created, deleted or
     * renamed what (see {@link FanotifySource}). Cold: each subscriber gets its own fanotify group
     * and marks, on the next loop at subscription, and the group is created on that loop's thread,
     * which must hold {@code CAP_SYS_ADMIN} and {@code CAP_DAC_READ_SEARCH}.
     *
     * <p>Demand is kernel-level backpressure: without it nothing is read and the kernel queues up
     * to {@code fs.fanotify.max_queued_events} events, then reports an overflow per the watch's
     * {@link io.aem.linux.fs.FanotifyOverflowPolicy}. Events arrive on the loop thread; use
     * {@code publishOn} for blocking work. Errors ({@link io.aem.linux.MissingPrivilegeException},
     * {@link java.nio.file.NoSuchFileException}, {@link io.aem.linux.fs.UnsupportedFilesystemException},
     * ...) arrive as {@code onError} and name the remedy. Costs: one fanotify fd and one fd per
     * marked filesystem per subscriber; about four system calls per event (three to find the
     * path, one to read the executable).
     *
     * @param watch the marks and kinds
     * @return the events
     */
    public Flux<FileAccessEvent> fanotify(FanotifyWatch watch) {
        Objects.requireNonNull(watch, "watch");
        return Flux.defer(() -> flux(new FanotifySource(watch)));
    }

    /**
     * Event-created processes as an operator: a process started for each upstream event (the
     * command built from the event), at most {@code concurrency} at a time, each job's exit
     * emitted as a {@link JobExit}. Use with {@link Flux#transform}:
     *
     * <pre>{@code
     * aem.watch(FileWatch.directory(inbox).withKinds(FileEventKind.CLOSE_WRITE))
     *    .transform(aem.jobs(e -> ProcessSpec.of("gzip", "-k", e.path().toString()), 4))
     *    .filter(job -> !job.exit().isSuccess())
     *    .subscribe(job -> log.warn("gzip of {} ended {}", job.event().path(), job.exit().status()));
     * }</pre>
     *
     * Demand: a job keeps its slot until its exit is delivered, so without downstream demand at
     * most {@code concurrency} jobs run or wait, and upstream is asked for no more; upstream is
     * asked for one event per freed slot. The jobs run on the next loop, with no thread per job;
     * the command function runs on the loop thread and must not block. A job's {@code PIPE}
     * streams are discarded (see {@link Jobs} for this and for errors and cancellation: the
     * first error ends the stream, and cancel or error ends running jobs by their spec's
     * {@link io.aem.linux.proc.CancelPolicy}).
     *
     * @param command     builds a job's process from its event
     * @param concurrency the most jobs running or waiting to be delivered at once, 1..4096
     * @param <T>         the event type
     * @return the operator, for {@link Flux#transform}
     */
    public <T> Function<Flux<T>, Flux<JobExit<T>>> jobs(Function<? super T, ProcessSpec> command, int concurrency) {
        Objects.requireNonNull(command, "command");
        return events -> {
            EventLoop loop = nextLoop();
            return JdkFlowAdapter.flowPublisherToFlux(
                    Jobs.run(loop, JdkFlowAdapter.publisherToFlowPublisher(events), command, concurrency));
        };
    }

    /**
     * Listens for TCP connections on the next loop, now: the socket is bound and listening when
     * this returns; its connections and their signals live on that loop.
     *
     * @param options the address (port 0: ephemeral; IPv4 or IPv6) and options
     * @return the listener; close it when done
     * @throws IOException {@link io.aem.linux.net.AddressInUseException} naming the address,
     *                     {@link io.aem.linux.ResourceLimitException} at the fd limit, or another
     *                     kernel refusal
     */
    public AemTcpListener listen(TcpListenOptions options) throws IOException {
        return new AemTcpListener(TcpListener.open(nextLoop(), options));
    }

    /**
     * Connects to a TCP address with default options; see {@link #connect(InetSocketAddress, TcpOptions)}.
     *
     * @param remote a resolved address
     * @return the connection
     */
    public Mono<AemTcpConnection> connect(InetSocketAddress remote) {
        return connect(remote, TcpOptions.defaults());
    }

    /**
     * Connects to a TCP address without blocking, on the next loop, when subscribed (each
     * subscription makes a connection; cancelling before it completes closes it).
     *
     * @param remote  a resolved IPv4 or IPv6 address
     * @param options the connection's options
     * @return the connection, or {@link io.aem.linux.net.ConnectionRefusedException},
     *         {@link io.aem.linux.net.UnreachableAddressException},
     *         {@link io.aem.linux.ResourceLimitException}
     */
    public Mono<AemTcpConnection> connect(InetSocketAddress remote, TcpOptions options) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(options, "options");
        EventLoop loop = nextLoop();
        return Mono.defer(() -> Mono.fromFuture(TcpConnection.connect(loop, remote, options)))
                .doOnDiscard(TcpConnection.class, TcpConnection::close)
                .map(AemTcpConnection::new);
    }

    /** Shuts every loop down and waits for it; see {@link #close()}. */
    @Override
    public void dispose() {
        close();
    }

    /**
     * Whether every loop is closed: by {@link #close()}, or because a loop failed on its own
     * (see {@link EventLoop#isClosed()} per loop to tell which are still running).
     */
    @Override
    public boolean isDisposed() {
        return loops.stream().allMatch(EventLoop::isClosed);
    }

    /**
     * Shuts every loop down: live streams end with
     * {@link io.aem.linux.loop.EventLoopClosedException}, the timer wheels close with their loops
     * (pending timers never run, schedulers are disposed), every fd is closed. Waits for the loops, unless called on one of them. Idempotent.
     */
    @Override
    public void close() {
        loops.forEach(EventLoop::close);
        timers.forEach(LoopTimersHolder::close);
    }
}
