package io.aem.linux.proc;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/** Collects every byte of a chunk stream, requesting without bound; for small outputs in tests. */
final class ByteCollector implements Flow.Subscriber<ByteBuffer> {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    /** Completes with the bytes at {@code onComplete}, exceptionally at {@code onError}. */
    final CompletableFuture<byte[]> done = new CompletableFuture<>();

    static ByteCollector of(Flow.Publisher<ByteBuffer> publisher) {
        ByteCollector c = new ByteCollector();
        publisher.subscribe(c);
        return c;
    }

    String text() throws Exception {
        return new String(done.get(10, java.util.concurrent.TimeUnit.SECONDS), StandardCharsets.UTF_8);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        s.request(Long.MAX_VALUE);
    }

    @Override
    public synchronized void onNext(ByteBuffer item) {
        byte[] b = new byte[item.remaining()];
        item.get(b);
        bytes.write(b, 0, b.length);
    }

    @Override
    public void onError(Throwable t) {
        done.completeExceptionally(t);
    }

    @Override
    public synchronized void onComplete() {
        done.complete(bytes.toByteArray());
    }
}
