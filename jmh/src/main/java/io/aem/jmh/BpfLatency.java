package io.aem.jmh;

import io.aem.linux.bpf.AttributeChangeEvent;
import io.aem.linux.bpf.BpfFilter;
import io.aem.linux.bpf.BpfOptions;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.reactor.Aem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

/**
 * Kernel timestamp → {@code onNext}: the library's chmod/chown stream
 * ({@code Aem.attributeChanges}, the committed {@code aem_attrs.bpf.o}) read by one event loop
 * pinned to {@link Cpus#RECEIVER}, subscribed with unbounded demand. The C reference
 * ({@code src/main/c/bpf_consumer.c latency}: the same object, filter and ring size, libbpf's
 * {@code ring_buffer__poll}) runs beside it in {@code run-bpf-benchmarks.sh}.
 *
 * <p>The producer ({@link BpfProducer}) pins itself to the other CPU; the stream's filter is its
 * tgid. One event at a time, as in the C reference: a step command makes it sleep GAP_US and
 * call {@code fchmod}; {@code onNext} (on the loop thread) reads {@code System.nanoTime()} first,
 * keeps {@code that − timestampNanos()} (the record's {@code bpf_ktime_get_ns()} at the call's
 * entry: the same clock), then sends the next step itself, as the C consumer does after its poll.
 * Probes (mode 0600) come first until one arrives, so that the programs are known to be attached.
 * Every record is checked: the producer's pid, no loss, exactly one record per step.
 *
 * <p>Usage: {@code BpfLatency PRODUCER PRODUCER_CPU DIR RING_BYTES WARMUP ITERATIONS GAP_US}.
 * Prints {@code bpf.flux.*} lines (and writes them to {@code $AEM_JMH_OUT/latency-flux.txt},
 * every sample in nanoseconds to {@code samples-flux.txt}).
 */
public final class BpfLatency {
    private static final long STALL_NANOS = 2_000_000_000L;

    private BpfLatency() {
    }

    /** The subscriber: everything it touches after the probes runs on the loop thread. */
    private static final class Receiver extends BaseSubscriber<AttributeChangeEvent> {
        private final BpfProducer producer;
        private final int total;
        private final int warmup;
        private final long[] samples;
        private volatile int probes;
        private volatile int seen;
        private volatile Throwable failure;
        private volatile boolean stepping;

        Receiver(BpfProducer producer, int warmup, int iterations) {
            this.producer = producer;
            this.warmup = warmup;
            this.total = warmup + iterations;
            this.samples = new long[iterations];
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            requestUnbounded();
        }

        @Override
        protected void hookOnNext(AttributeChangeEvent event) {
            long t = System.nanoTime();
            if (!(event instanceof AttributeChangeEvent.Change c)) {
                fail(new IllegalStateException("records lost: " + event));
                return;
            }
            if (c.pid() != producer.pid()) {
                fail(new IllegalStateException("a record of process " + c.pid() + ", not the producer's"));
                return;
            }
            if (c.mode() == BpfProducer.PROBE_MODE) {
                probes = probes + 1;
                return;
            }
            if (!stepping) {
                fail(new IllegalStateException("a step record before the first step"));
                return;
            }
            int i = seen;
            if (i >= warmup && i < total) {
                samples[i - warmup] = t - c.timestampNanos();
            }
            seen = i + 1;
            if (i + 1 < total) {
                try {
                    producer.send('s');
                } catch (IOException e) {
                    fail(e);
                }
            }
        }

        @Override
        protected void hookOnError(Throwable t) {
            failure = t;
        }

        private void fail(Throwable t) {
            failure = t;
            cancel();
        }
    }

    /**
     * Entry point.
     *
     * @param args producer, producer CPU, directory, ring bytes, warm-up, iterations, gap in µs
     * @throws Exception when a run fails: no probe within 10 s, a step without its record within 2 s, a bad record
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: BpfLatency PRODUCER PRODUCER_CPU DIR RING_BYTES WARMUP ITERATIONS GAP_US");
            System.exit(2);
        }
        int ringBytes = Integer.parseInt(args[3]);
        int warmup = Integer.parseInt(args[4]);
        int iterations = Integer.parseInt(args[5]);
        if (warmup < 0 || iterations < 1 || iterations > 1_000_000) {
            throw new IllegalArgumentException("warm-up must be >= 0 and iterations 1..1000000");
        }
        EventLoopOptions loopOptions = EventLoopOptions.defaults().withName("aem-bpf");
        try (BpfProducer producer = new BpfProducer(args[0], Integer.parseInt(args[1]), args[2], 1, 1, 1,
                Long.parseLong(args[6]));
                Aem aem = Aem.create(1, Cpus.RECEIVER >= 0 ? loopOptions.withCpuAffinity(Cpus.RECEIVER) : loopOptions)) {
            Receiver receiver = new Receiver(producer, warmup, iterations);
            aem.attributeChanges(BpfOptions.of(BpfFilter.process(producer.pid())).withRingBytes(ringBytes))
                    .subscribe(receiver);
            try {
                for (int k = 0; k < 50 && receiver.probes == 0 && receiver.failure == null; k++) {
                    producer.send('p');
                    Thread.sleep(200);
                }
                check(receiver);
                if (receiver.probes == 0) {
                    throw new IllegalStateException("no probe record within 10 s");
                }
                receiver.stepping = true;
                producer.send('s');
                int last = -1;
                long lastChange = System.nanoTime();
                while (receiver.seen < receiver.total) {
                    Thread.sleep(20);
                    check(receiver);
                    int now = receiver.seen;
                    if (now != last) {
                        last = now;
                        lastChange = System.nanoTime();
                    } else if (System.nanoTime() - lastChange > STALL_NANOS) {
                        throw new IllegalStateException("step " + now + ": no record within 2 s");
                    }
                }
                Thread.sleep(50);
                check(receiver);
                if (receiver.seen != receiver.total) {
                    throw new IllegalStateException(receiver.seen + " step records for " + receiver.total + " steps");
                }
            } finally {
                receiver.dispose();
            }
            StringBuilder out = new StringBuilder();
            LatencyReport.percentiles(out, "bpf.flux.", receiver.samples, iterations);
            LatencyReport.publish("flux", out);
            writeSamples(receiver.samples);
        }
    }

    private static void check(Receiver receiver) {
        Throwable t = receiver.failure;
        if (t != null) {
            throw new IllegalStateException("the stream failed", t);
        }
    }

    private static void writeSamples(long[] samples) {
        String dir = System.getenv("AEM_JMH_OUT");
        if (dir == null || dir.isEmpty()) {
            return;
        }
        StringBuilder raw = new StringBuilder();
        for (long sample : samples) {
            raw.append(sample).append('\n');
        }
        try {
            Files.writeString(Path.of(dir, "samples-flux.txt"), raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
