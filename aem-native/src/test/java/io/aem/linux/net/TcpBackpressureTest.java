package io.aem.linux.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.sys.Sockets;
import io.aem.linux.testing.FdLeakCheck;
import io.aem.linux.testing.QueueingSubscriber;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 10 MB to a receiver that requests slowly: the sender must be suspended by TCP flow control
 * (write queue above its limit, {@code write} answering false, {@code send} not requesting), and
 * the bytes in flight stay within the kernel buffers + the write queue limit + one read buffer.
 */
@ExtendWith(FdLeakCheck.class)
class TcpBackpressureTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long TEN_MB = 10L * 1024 * 1024;
    private static final int CHUNK = 16 * 1024;
    private static final int QUEUE_LIMIT = 64 * 1024;
    private static final int KERNEL_BUFFER = 64 * 1024;
    private static EventLoop senderLoop;
    private static EventLoop receiverLoop;

    @BeforeAll
    static void startLoops() throws Exception {
        senderLoop = EventLoop.open("tcp-sender");
        receiverLoop = EventLoop.open("tcp-receiver");
    }

    @AfterAll
    static void stopLoops() {
        senderLoop.close();
        receiverLoop.close();
    }

    /** The byte at stream offset {@code i}: not periodic at any chunk size used here. */
    static byte patternAt(long i) {
        return (byte) (i * 31 + (i >>> 11) * 7 + (i >>> 19));
    }

    /** A receiver that checks every byte against the pattern and requests only when told. */
    static final class CheckingReceiver implements Flow.Subscriber<ByteBuffer> {
        final AtomicLong received = new AtomicLong();
        final CompletableFuture<Long> done = new CompletableFuture<>();
        final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
        volatile boolean unbounded;
        volatile long firstMismatch = -1;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.complete(s);
        }

        @Override
        public void onNext(ByteBuffer b) {
            long at = received.get();
            int n = b.remaining();
            for (int i = 0; i < n; i++) {
                if (b.get(b.position() + i) != patternAt(at + i) && firstMismatch < 0) {
                    firstMismatch = at + i;
                }
            }
            received.addAndGet(n);
            if (unbounded) {
                subscription.join().request(1);
            }
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(received.get());
        }

        void request(long n) {
            subscription.join().request(n);
        }
    }

    private static TcpListener listener() throws Exception {
        return TcpListener.open(receiverLoop, TcpListenOptions.on(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withConnectionOptions(TcpOptions.defaults().withReceiveBufferSize(KERNEL_BUFFER)));
    }

    private static TcpConnection acceptOne(TcpListener listener) throws InterruptedException {
        QueueingSubscriber<TcpConnection> accepted = new QueueingSubscriber<>();
        listener.connections().subscribe(accepted);
        accepted.request(1);
        TcpConnection c = accepted.items.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("no connection accepted within " + WAIT, accepted.done.isCompletedExceptionally()
                    ? accepted.done.handle((v, e) -> e).join() : null);
        }
        return c;
    }

    private static TcpOptions senderOptions() {
        return TcpOptions.defaults().withSendBufferSize(KERNEL_BUFFER).withWriteQueueLimit(QUEUE_LIMIT);
    }

    private static long queued(TcpConnection c) {
        return CompletableFuture.supplyAsync(c::queuedBytes, c.loop()).join();
    }

    /** Lets both loops finish what they were handed and turn a few times. */
    private static void settle() {
        for (int i = 0; i < 3; i++) {
            CompletableFuture.runAsync(() -> { }, senderLoop).join();
            CompletableFuture.runAsync(() -> { }, receiverLoop).join();
        }
    }

    private static int option(TcpConnection c, int level, int name) {
        return CompletableFuture.supplyAsync(() -> c.socketOption(level, name), c.loop()).join();
    }

    /** Produces the pattern with write() on the sender loop until false, resuming on onWritable. */
    static final class LoopProducer {
        final TcpConnection connection;
        final AtomicLong produced = new AtomicLong();
        final AtomicLong maxInFlight = new AtomicLong();
        final AtomicLong refusals = new AtomicLong();
        final AtomicBoolean suspended = new AtomicBoolean();
        final CompletableFuture<Long> finished = new CompletableFuture<>();
        final AtomicLong received;

        LoopProducer(TcpConnection connection, AtomicLong received) {
            this.connection = connection;
            this.received = received;
        }

        void run() {
            suspended.set(false);
            while (produced.get() < TEN_MB) {
                int n = (int) Math.min(CHUNK, TEN_MB - produced.get());
                ByteBuffer b = ByteBuffer.allocate(n);
                long base = produced.get();
                for (int i = 0; i < n; i++) {
                    b.put(patternAt(base + i));
                }
                b.flip();
                boolean more = connection.write(b);
                produced.addAndGet(n);
                maxInFlight.accumulateAndGet(produced.get() - received.get(), Math::max);
                if (!more) {
                    refusals.incrementAndGet();
                    suspended.set(true);
                    connection.onWritable(this::run);
                    return;
                }
            }
            connection.onWritable(() -> finished.complete(produced.get()));
        }
    }

    @Test
    void writeIsSuspendedByFlowControlAndBytesInFlightStayBounded() throws Exception {
        try (TcpListener listener = listener()) {
            TcpConnection sender = TcpConnection.connect(senderLoop, listener.localAddress(), senderOptions())
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            TcpConnection receiver = acceptOne(listener);
            CheckingReceiver in = new CheckingReceiver();
            receiver.receive().subscribe(in);
            LoopProducer producer = new LoopProducer(sender, in.received);
            senderLoop.execute(producer::run);

            // No demand: the sender fills the kernel buffers and its queue, then stops. Wait until
            // nothing moves any more (the kernel may still take part of the queue after the first refusal).
            await().atMost(WAIT).until(() -> {
                long p = producer.produced.get();
                long q = queued(sender);
                settle();
                return producer.suspended.get() && producer.produced.get() == p && queued(sender) == q;
            });
            long stalledAt = producer.produced.get();
            int sndbuf = option(sender, Sockets.SOL_SOCKET, Sockets.SO_SNDBUF);
            int rcvbuf = option(receiver, Sockets.SOL_SOCKET, Sockets.SO_RCVBUF);
            long bound = sndbuf + rcvbuf + QUEUE_LIMIT + CHUNK + LoopScratch.READ_SIZE;
            assertThat(stalledAt).as("produced while the receiver had no demand").isLessThanOrEqualTo(bound).isLessThan(TEN_MB);
            assertThat(in.received.get()).isZero();
            // The loop keeps turning and nothing more is produced: the sender is suspended by TCP.
            settle();
            settle();
            assertThat(producer.produced.get()).isEqualTo(stalledAt);
            assertThat(queued(sender)).as("bytes the full socket holds back in the queue").isPositive();

            // Slow demand: one chunk at a time, each awaited.
            for (int i = 0; i < 20; i++) {
                long before = in.received.get();
                in.request(1);
                await().atMost(WAIT).until(() -> in.received.get() > before);
            }
            in.unbounded = true;
            in.request(1);
            assertThat(producer.finished.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(TEN_MB);
            sender.shutdownOutput();
            assertThat(in.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(TEN_MB);
            assertThat(in.firstMismatch).as("first byte out of order").isEqualTo(-1);
            assertThat(producer.refusals.get()).as("write() refusals").isPositive();
            assertThat(producer.maxInFlight.get()).as("max bytes in flight, bound %d", bound).isLessThanOrEqualTo(bound);
            System.out.printf("write path: sndbuf %d, rcvbuf %d, stalled after %d bytes, max in flight %d (bound %d), %d refusals%n",
                    sndbuf, rcvbuf, stalledAt, producer.maxInFlight.get(), bound, producer.refusals.get());
            sender.close();
            receiver.close();
        }
    }

    /** A publisher of the pattern that emits synchronously on request and counts what was requested. */
    static final class PatternPublisher implements Flow.Publisher<ByteBuffer> {
        final AtomicLong emitted = new AtomicLong();
        final AtomicLong requested = new AtomicLong();

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
            s.onSubscribe(new Flow.Subscription() {
                private long demand;
                private boolean emitting;
                private boolean done;

                @Override
                public synchronized void request(long n) {
                    requested.addAndGet(n);
                    demand += n;
                    if (emitting) {
                        return;
                    }
                    emitting = true;
                    while (demand > 0 && !done) {
                        long at = emitted.get();
                        if (at == TEN_MB) {
                            done = true;
                            s.onComplete();
                            break;
                        }
                        int len = (int) Math.min(CHUNK, TEN_MB - at);
                        ByteBuffer b = ByteBuffer.allocate(len);
                        for (int i = 0; i < len; i++) {
                            b.put(patternAt(at + i));
                        }
                        b.flip();
                        demand--;
                        emitted.addAndGet(len);
                        s.onNext(b);
                    }
                    if (!done && emitted.get() == TEN_MB) {
                        done = true;
                        s.onComplete();
                    }
                    emitting = false;
                }

                @Override
                public void cancel() {
                    done = true;
                }
            });
        }
    }

    @Test
    void sendStopsRequestingWhileTheReceiverHasNoDemand() throws Exception {
        try (TcpListener listener = listener()) {
            TcpConnection sender = TcpConnection.connect(senderLoop, listener.localAddress(), senderOptions())
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            TcpConnection receiver = acceptOne(listener);
            CheckingReceiver in = new CheckingReceiver();
            receiver.receiveBorrowed().subscribe(in);
            PatternPublisher data = new PatternPublisher();
            CompletableFuture<Long> sent = sender.send(data).toCompletableFuture();

            int sndbuf = option(sender, Sockets.SOL_SOCKET, Sockets.SO_SNDBUF);
            int rcvbuf = option(receiver, Sockets.SOL_SOCKET, Sockets.SO_RCVBUF);
            long bound = sndbuf + rcvbuf + QUEUE_LIMIT + (long) SendSubscriber.PREFETCH * CHUNK + LoopScratch.READ_SIZE;
            // Requests stop once the queue is above its limit; then the count stays put.
            await().atMost(WAIT).until(() -> {
                long r = data.requested.get();
                CompletableFuture.runAsync(() -> { }, senderLoop).join();
                CompletableFuture.runAsync(() -> { }, senderLoop).join();
                return r > 0 && data.requested.get() == r && data.emitted.get() > QUEUE_LIMIT;
            });
            long stalledAt = data.emitted.get();
            assertThat(stalledAt).as("emitted while the receiver had no demand").isLessThanOrEqualTo(bound);
            assertThat(sent).isNotDone();

            for (int i = 0; i < 20; i++) {
                long before = in.received.get();
                in.request(1);
                await().atMost(WAIT).until(() -> in.received.get() > before);
                assertThat(data.emitted.get() - in.received.get()).isLessThanOrEqualTo(bound);
            }
            in.unbounded = true;
            in.request(1);
            assertThat(sent.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(TEN_MB);
            sender.shutdownOutput();
            assertThat(in.done.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(TEN_MB);
            assertThat(in.firstMismatch).isEqualTo(-1);
            assertThat(data.requested.get()).isLessThanOrEqualTo(TEN_MB / CHUNK + SendSubscriber.PREFETCH + 1);
            System.out.printf("send path: sndbuf %d, rcvbuf %d, stalled after %d bytes emitted (bound %d)%n",
                    sndbuf, rcvbuf, stalledAt, bound);
            sender.close();
            receiver.close();
        }
    }
}
