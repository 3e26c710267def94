package io.aem.linux.bpf;

import io.aem.linux.MissingPrivilegeException;
import io.aem.linux.UnsupportedKernelFeatureException;
import io.aem.linux.loop.EventLoop;
import io.aem.linux.testing.QueueingSubscriber;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM by {@link BpfPrivilegeTest} and {@link BpfEnvironmentErrorsTest}: subscribes
 * to the process-exit stream and prints how it went: {@code LOADED}, or
 * {@code ERROR <class> | <privilege or feature> | <message>}.
 */
public final class BpfPrivilegeProbe {
    private BpfPrivilegeProbe() {
    }

    /**
     * Runs the probe.
     *
     * @param args unused
     * @throws Exception unexpected failures
     */
    public static void main(String[] args) throws Exception {
        try (EventLoop loop = EventLoop.open("bpf-privilege-probe")) {
            QueueingSubscriber<ProcessExitEvent> sub = new QueueingSubscriber<>();
            BpfStreams.processExits(loop, BpfOptions.of(BpfFilter.process(ProcessHandle.current().pid()))).subscribe(sub);
            sub.request(1);
            BpfTesting.barrier(loop);
            if (!sub.done.isDone()) {
                System.out.println("LOADED");
                sub.subscription.join().cancel();
                return;
            }
            try {
                sub.done.get(10, TimeUnit.SECONDS);
                System.out.println("COMPLETED");
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable c = e.getCause();
                String privilege = c instanceof MissingPrivilegeException m ? m.privilege()
                        : c instanceof UnsupportedKernelFeatureException u ? u.feature() : "-";
                System.out.println("ERROR " + c.getClass().getName() + " | " + privilege + " | " + c.getMessage());
            }
        }
    }
}
