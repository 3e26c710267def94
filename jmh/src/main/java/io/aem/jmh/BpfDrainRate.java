package io.aem.jmh;

import io.aem.linux.bpf.AttributeChangeEvent;
import io.aem.linux.bpf.BpfFilter;
import io.aem.linux.bpf.BpfOptions;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.reactor.Aem;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

/**
 * Records per second the library's eBPF stream delivers ({@code Aem.attributeChanges}, the
 * committed {@code aem_attrs.bpf.o}, 328-byte records), on one event loop pinned to
 * {@link Cpus#RECEIVER}; {@code onNext} counts and reads {@code System.nanoTime()}. The C
 * reference is {@code src/main/c/bpf_consumer.c drain}.
 *
 * <p>The producer ({@link BpfProducer}, THREADS threads on the other CPU) calls {@code fchmod} as
 * fast as it can, COUNT calls at most, for SECONDS at most. Modes:
 * <ul>
 *   <li>{@code live}: unbounded demand while the producer runs; the rate is the records delivered
 *       over the time from the burst command to the last record. Bounded by the producer, which on
 *       two cores cannot make a million records a second.</li>
 *   <li>{@code backlog}: no demand while the producer runs, so the ring (RING_BYTES) fills and the
 *       kernel drops the rest; when the producer has finished, {@code request(Long.MAX_VALUE)}
 *       from the main thread, and the rate is the records delivered over the time from that
 *       request to the last record: the consumer's own drain rate of a full ring.</li>
 * </ul>
 * Both check that delivered plus lost (the {@code Lost} events' counts) equals produced. The first
 * WARMUP cycles (each its own subscription, same mode and counts) warm the JIT; their figures are
 * reported with the prefix {@code warmup-N.} (a full ring of 800,000 records drains several times
 * slower with the JIT still compiling than after two cycles). GC collections during each cycle
 * are reported too.
 *
 * <p>Usage: {@code BpfDrainRate live|backlog PRODUCER PRODUCER_CPU DIR RING_BYTES BATCH_BYTES COUNT SECONDS THREADS WARMUP}.
 * Prints {@code drain.flux.MODE.*} lines (and writes them to {@code $AEM_JMH_OUT/latency-drain-MODE.txt}).
 */
public final class BpfDrainRate {
    private static final VarHandle DELIVERED;
    private static final VarHandle LOST;
    private static final VarHandle LAST;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            DELIVERED = l.findVarHandle(Counter.class, "delivered", long.class);
            LOST = l.findVarHandle(Counter.class, "lost", long.class);
            LAST = l.findVarHandle(Counter.class, "last", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private BpfDrainRate() {
    }

    /** Counts on the loop thread with release stores (no fence per event); the main thread reads with acquire. */
    private static final class Counter extends BaseSubscriber<AttributeChangeEvent> {
        private final long pid;
        private long delivered;
        private long lost;
        private long last;
        private volatile int probes;
        private volatile Throwable failure;

        Counter(long pid) {
            this.pid = pid;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            request(1);
        }

        @Override
        protected void hookOnNext(AttributeChangeEvent event) {
            long t = System.nanoTime();
            if (event instanceof AttributeChangeEvent.Change c) {
                if (c.pid() != pid) {
                    failure = new IllegalStateException("a record of process " + c.pid() + ", not the producer's");
                    cancel();
                } else if (c.mode() == BpfProducer.PROBE_MODE) {
                    probes = probes + 1;
                } else {
                    LAST.setRelease(this, t);
                    DELIVERED.setRelease(this, delivered + 1);
                }
            } else if (event instanceof AttributeChangeEvent.Lost l) {
                LAST.setRelease(this, t);
                LOST.setRelease(this, lost + l.count());
            }
        }

        @Override
        protected void hookOnError(Throwable t) {
            failure = t;
        }

        long delivered() {
            return (long) DELIVERED.getAcquire(this);
        }

        long lost() {
            return (long) LOST.getAcquire(this);
        }

        long last() {
            return (long) LAST.getAcquire(this);
        }

        void check() {
            Throwable t = failure;
            if (t != null) {
                throw new IllegalStateException("the stream failed", t);
            }
        }
    }

    /**
     * Entry point.
     *
     * @param args mode, producer, producer CPU, directory, ring bytes, batch bytes, count, seconds, threads, warm-up cycles
     * @throws Exception when a run fails: no probe within 10 s, counts that do not add up within SECONDS + 10 s
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 10 || !(args[0].equals("live") || args[0].equals("backlog"))) {
            System.err.println("usage: BpfDrainRate live|backlog PRODUCER PRODUCER_CPU DIR RING_BYTES BATCH_BYTES COUNT SECONDS"
                    + " THREADS WARMUP");
            System.exit(2);
        }
        String mode = args[0];
        int ringBytes = Integer.parseInt(args[4]);
        int batchBytes = Integer.parseInt(args[5]);
        long count = Long.parseLong(args[6]);
        double seconds = Double.parseDouble(args[7]);
        int threads = Integer.parseInt(args[8]);
        int warmup = Integer.parseInt(args[9]);
        if (warmup < 0 || warmup > 10) {
            throw new IllegalArgumentException("warm-up cycles must be 0..10");
        }
        EventLoopOptions loopOptions = EventLoopOptions.defaults().withName("aem-bpf");
        StringBuilder out = new StringBuilder();
        try (BpfProducer producer = new BpfProducer(args[1], Integer.parseInt(args[2]), args[3], threads, count, seconds, 0);
                Aem aem = Aem.create(1, Cpus.RECEIVER >= 0 ? loopOptions.withCpuAffinity(Cpus.RECEIVER) : loopOptions)) {
            BpfOptions options = new BpfOptions(BpfFilter.process(producer.pid()), ringBytes, batchBytes);
            for (int cycle = 0; cycle <= warmup; cycle++) {
                Counter counter = new Counter(producer.pid());
                aem.attributeChanges(options).subscribe(counter);
                try {
                    String prefix = cycle < warmup ? "warmup-" + (cycle + 1) + ".drain.flux." + mode + "."
                            : "drain.flux." + mode + ".";
                    cycle(mode, producer, counter, seconds, prefix, out);
                } finally {
                    counter.dispose();
                }
            }
        }
        out.insert(0, String.format(Locale.ROOT, "drain.flux.%s.ring_bytes %d%ndrain.flux.%s.batch_bytes %d%n", mode, ringBytes,
                mode, batchBytes));
        LatencyReport.publish("drain-" + mode, out);
    }

    private static void cycle(String mode, BpfProducer producer, Counter counter, double seconds, String prefix,
            StringBuilder out) throws Exception {
        for (int k = 0; k < 50 && counter.probes == 0; k++) {
            producer.send('p');
            Thread.sleep(200);
            counter.check();
        }
        if (counter.probes == 0) {
            throw new IllegalStateException("no probe record within 10 s");
        }
        long gcCount0;
        long gcMillis0;
        long start;
        long produced;
        if (mode.equals("live")) {
            counter.requestUnbounded();
            gcCount0 = gcCount();
            gcMillis0 = gcMillis();
            start = System.nanoTime();
            producer.send('b');
            produced = producer.awaitProduced();
        } else {
            producer.send('b');
            produced = producer.awaitProduced();
            gcCount0 = gcCount();
            gcMillis0 = gcMillis();
            start = System.nanoTime();
            counter.requestUnbounded();
        }
        long giveUp = start + (long) ((seconds + 10) * 1e9);
        while (counter.delivered() + counter.lost() < produced && System.nanoTime() < giveUp) {
            Thread.sleep(5);
            counter.check();
        }
        long delivered = counter.delivered();
        long lost = counter.lost();
        double s = (counter.last() - start) / 1e9;
        long gcs = gcCount() - gcCount0;
        long gcMs = gcMillis() - gcMillis0;
        Thread.sleep(50);
        counter.check();
        out.append(prefix).append("produced ").append(produced).append('\n');
        out.append(prefix).append("delivered ").append(delivered).append('\n');
        out.append(prefix).append("lost ").append(lost).append('\n');
        out.append(prefix).append("balance ").append(produced - delivered - lost).append('\n');
        out.append(prefix).append(String.format(Locale.ROOT, "seconds %.6f%n", s));
        out.append(prefix).append(String.format(Locale.ROOT, "per_second %.0f%n", s > 0 ? delivered / s : 0.0));
        out.append(prefix).append(String.format(Locale.ROOT, "producer_per_second %.0f%n", producer.lastRate()));
        out.append(prefix).append("gc_count ").append(gcs).append('\n');
        out.append(prefix).append("gc_ms ").append(gcMs).append('\n');
        if (counter.delivered() + counter.lost() != produced) {
            throw new IllegalStateException(prefix + ": delivered " + counter.delivered() + " + lost " + counter.lost()
                    + " != produced " + produced);
        }
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionCount());
        }
        return n;
    }

    private static long gcMillis() {
        long n = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionTime());
        }
        return n;
    }
}
