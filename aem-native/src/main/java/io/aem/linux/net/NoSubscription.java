package io.aem.linux.net;

import java.util.concurrent.Flow;

/** The subscription given to a refused subscriber before its {@code onError}: does nothing. */
final class NoSubscription implements Flow.Subscription {
    static final NoSubscription INSTANCE = new NoSubscription();

    private NoSubscription() {
    }

    @Override
    public void request(long n) {
    }

    @Override
    public void cancel() {
    }
}
