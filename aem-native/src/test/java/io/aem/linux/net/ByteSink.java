package io.aem.linux.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/** Collects a receive stream's bytes (copying at once, so it suits borrowed buffers too), requesting one chunk at a time. */
final class ByteSink implements Flow.Subscriber<ByteBuffer> {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final CompletableFuture<byte[]> done = new CompletableFuture<>();
    final AtomicLong count = new AtomicLong();
    final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    private final boolean keep;
    private final boolean autoRequest;

    ByteSink(boolean keep, boolean autoRequest) {
        this.keep = keep;
        this.autoRequest = autoRequest;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription.complete(s);
        if (autoRequest) {
            s.request(1);
        }
    }

    @Override
    public void onNext(ByteBuffer b) {
        count.addAndGet(b.remaining());
        if (keep) {
            synchronized (bytes) {
                byte[] a = new byte[b.remaining()];
                b.get(a);
                bytes.write(a, 0, a.length);
            }
        }
        if (autoRequest) {
            subscription.join().request(1);
        }
    }

    @Override
    public void onError(Throwable t) {
        done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        synchronized (bytes) {
            done.complete(bytes.toByteArray());
        }
    }
}
