package io.aem.linux.net;

import java.nio.ByteBuffer;
import java.util.concurrent.Flow;

/** A publisher of zero-filled buffers without end, emitting synchronously on request, until cancelled. */
final class Endless {
    private Endless() {
    }

    static Flow.Publisher<ByteBuffer> zeros(int size) {
        return s -> s.onSubscribe(new Flow.Subscription() {
            private long demand;
            private boolean emitting;
            private volatile boolean cancelled;

            @Override
            public synchronized void request(long n) {
                demand += n;
                if (emitting) {
                    return;
                }
                emitting = true;
                while (demand > 0 && !cancelled) {
                    demand--;
                    s.onNext(ByteBuffer.allocate(size));
                }
                emitting = false;
            }

            @Override
            public void cancel() {
                cancelled = true;
            }
        });
    }
}
