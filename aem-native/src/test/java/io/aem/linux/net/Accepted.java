package io.aem.linux.net;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;

/** A test subscriber to a listener's connections that requests only when told and queues what it gets. */
final class Accepted implements Flow.Subscriber<TcpConnection> {
    final LinkedBlockingQueue<TcpConnection> connections = new LinkedBlockingQueue<>();
    final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription.complete(s);
    }

    @Override
    public void onNext(TcpConnection c) {
        connections.add(c);
    }

    @Override
    public void onError(Throwable t) {
        done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        done.complete(null);
    }

    void request(long n) {
        subscription.join().request(n);
    }
}
