package io.aem.jmh;

import io.aem.linux.fs.FileEventKind;
import io.aem.linux.fs.FileWatch;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.reactor.Aem;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import reactor.core.Disposable;

/**
 * The library's receiver for {@link FileEventRate}: {@code Aem.watch(FileWatch.directory(dir)
 * .withKinds(CREATE, CLOSE_WRITE, DELETE))} (mode {@code ccu}; {@code CREATE, DELETE} for
 * {@code cu}) on one loop pinned to {@link Cpus#RECEIVER}, default overflow policy
 * ({@code SIGNAL}: an {@code OVERFLOW} event and the stream goes on) and batch size, subscribed
 * with unbounded demand. {@code onNext} (on the loop thread) counts the event, or the overflow,
 * and reads {@code System.nanoTime()}; the counters are written with opaque stores (no fence per
 * event) and read by the main thread.
 */
final class FileEventRateFlux implements FileEventRate.Receiver {
    private static final VarHandle RECEIVED;
    private static final VarHandle OVERFLOWS;
    private static final VarHandle LAST;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RECEIVED = l.findVarHandle(FileEventRateFlux.class, "received", long.class);
            OVERFLOWS = l.findVarHandle(FileEventRateFlux.class, "overflows", long.class);
            LAST = l.findVarHandle(FileEventRateFlux.class, "last", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Aem aem;
    private final EventLoop loop;
    private final Disposable subscription;
    private final long turns0;
    private long received;
    private long overflows;
    private long last;
    private volatile Throwable failure;

    private FileEventRateFlux(Path dir, String mode) {
        Set<FileEventKind> kinds = mode.equals("cu") ? EnumSet.of(FileEventKind.CREATE, FileEventKind.DELETE)
                : EnumSet.of(FileEventKind.CREATE, FileEventKind.CLOSE_WRITE, FileEventKind.DELETE);
        aem = Aem.create(1, EventLoopOptions.defaults().withName("aem-bench").withCpuAffinity(Cpus.RECEIVER));
        loop = aem.loops().get(0);
        turns0 = loop.turns();
        subscription = aem.watch(FileWatch.directory(dir).withKinds(kinds)).subscribe(event -> {
            if (event.kind() == FileEventKind.OVERFLOW) {
                OVERFLOWS.setOpaque(this, overflows + 1);
            } else {
                RECEIVED.setOpaque(this, received + 1);
            }
            LAST.setOpaque(this, System.nanoTime());
        }, error -> failure = error);
    }

    static FileEventRate.ReceiverFactory factory() {
        return FileEventRateFlux::new;
    }

    @Override
    public long received() {
        check();
        return (long) RECEIVED.getOpaque(this);
    }

    @Override
    public long overflows() {
        return (long) OVERFLOWS.getOpaque(this);
    }

    @Override
    public long lastEventNanos() {
        return (long) LAST.getOpaque(this);
    }

    @Override
    public int eventsPerOp(String mode) {
        return mode.equals("cu") ? 2 : 3;
    }

    @Override
    public Map<String, String> notes() {
        Map<String, String> m = new LinkedHashMap<>();
        long r = received();
        m.put("loop_turns", Long.toString(loop.turns() - turns0));
        m.put("events_per_loop_turn", String.format(Locale.ROOT, "%.2f", (double) r / Math.max(1, loop.turns() - turns0)));
        return m;
    }

    private void check() {
        Throwable t = failure;
        if (t != null) {
            throw new IllegalStateException("the watch failed", t);
        }
    }

    @Override
    public void close() {
        subscription.dispose();
        aem.close();
    }
}
