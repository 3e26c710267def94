package io.aem.linux.net;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * Writes one publisher's buffers into a connection: requests {@link #PREFETCH} buffers, then one
 * more per buffer the write queue took while under its limit; above the limit it requests nothing
 * until the queue drains ({@code EPOLLOUT}). Signals from other threads are handed to the loop in
 * order; signals on the loop thread are trampolined, so a synchronous publisher cannot recurse.
 */
final class SendSubscriber implements Flow.Subscriber<ByteBuffer> {
    /** Buffers requested ahead. */
    static final int PREFETCH = 4;

    private final TcpConnection connection;
    final CompletableFuture<Long> done = new CompletableFuture<>();
    // Loop thread only below.
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private Flow.Subscription upstream;
    private boolean draining;
    private boolean waitingWritable;
    private int deficit;
    private long written;

    SendSubscriber(TcpConnection connection) {
        this.connection = connection;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        onLoop(() -> {
            if (upstream != null || done.isDone()) {
                subscription.cancel();
                return;
            }
            upstream = subscription;
            if (!connection.attachSend(this)) {
                return;
            }
            subscription.request(PREFETCH);
        });
    }

    @Override
    public void onNext(ByteBuffer item) {
        if (connection.loop().inEventLoop()) {
            accept(item);
        } else {
            onLoop(() -> accept(item));
        }
    }

    @Override
    public void onError(Throwable throwable) {
        onLoop(() -> {
            connection.detachSend(this);
            done.completeExceptionally(throwable);
        });
    }

    @Override
    public void onComplete() {
        onLoop(() -> {
            if (done.isDone()) {
                return;
            }
            connection.onWritable(() -> {
                connection.detachSend(this);
                done.complete(written);
            });
        });
    }

    /** Loop thread: the connection closed or failed; stop the publisher. */
    void abort(Throwable cause) {
        pending.clear();
        if (upstream != null) {
            upstream.cancel();
        }
        done.completeExceptionally(cause);
    }

    private void accept(ByteBuffer item) {
        pending.add(item);
        if (draining) {
            return;
        }
        draining = true;
        try {
            ByteBuffer b;
            while ((b = pending.poll()) != null) {
                if (done.isDone()) {
                    pending.clear();
                    return;
                }
                if (!connection.acceptsWrites()) {
                    connection.detachSend(this);
                    abort(connection.refusal());
                    return;
                }
                long size = b.remaining();
                boolean open = connection.write(b);
                written += size;
                if (done.isDone()) {
                    return;
                }
                if (open) {
                    upstream.request(1);
                } else {
                    deficit++;
                    if (!waitingWritable) {
                        waitingWritable = true;
                        connection.onWritable(this::resume);
                    }
                }
            }
        } finally {
            draining = false;
        }
    }

    private void resume() {
        waitingWritable = false;
        int n = deficit;
        deficit = 0;
        if (n > 0 && !done.isDone()) {
            upstream.request(n);
        }
    }

    private void onLoop(Runnable task) {
        try {
            connection.loop().execute(task);
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }
}
