package io.aem.spring.sources;

import io.aem.linux.proc.ProcEventKind;
import io.aem.linux.proc.ProcessEvents;
import io.aem.reactor.Aem;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Flux;

/**
 * A declared subscription to the kernel's process connector
 * ({@code aem.sources.process-events.<name>.*}): fork, exec, exit and the other process events
 * of the whole system; see {@link Aem#processEvents(ProcessEvents)}. Needs the initial network
 * namespace, and {@code CAP_NET_ADMIN} before Linux 6.6; a refusal ends the source's streams
 * with an error naming the remedy.
 */
public class ProcessEventsSourceProperties extends AemSourceProperties {

    /**
     * Kinds of process event to receive, for example fork, exec, exit, nonzero-exit. Empty means
     * every kind.
     */
    private Set<ProcEventKind> kinds = new LinkedHashSet<>();

    /**
     * Receive buffer of the connector socket: how many events the kernel queues while there is
     * no demand. Unset means the kernel's default (net.core.rmem_default).
     */
    private @Nullable DataSize receiveBuffer;

    @Override
    public AemSourceFamily family() {
        return AemSourceFamily.PROCESS_EVENTS;
    }

    public Set<ProcEventKind> getKinds() {
        return this.kinds;
    }

    public void setKinds(Set<ProcEventKind> kinds) {
        this.kinds = kinds;
    }

    public @Nullable DataSize getReceiveBuffer() {
        return this.receiveBuffer;
    }

    public void setReceiveBuffer(@Nullable DataSize receiveBuffer) {
        this.receiveBuffer = receiveBuffer;
    }

    @Override
    Function<Aem, Flux<?>> compile(String prefix) {
        ProcessEvents options;
        if (this.kinds.isEmpty()) {
            options = ProcessEvents.all();
        } else {
            ProcEventKind[] all = this.kinds.toArray(ProcEventKind[]::new);
            ProcEventKind[] more = java.util.Arrays.copyOfRange(all, 1, all.length);
            options = ProcessEvents.of(all[0], more);
        }
        DataSize buffer = this.receiveBuffer;
        if (buffer != null) {
            if (buffer.toBytes() <= 0 || buffer.toBytes() > Integer.MAX_VALUE) {
                throw invalid(prefix, "receive-buffer", buffer, "The receive buffer must be between 1 byte and 2GB,"
                        + " for example 4MB; leave it unset for the kernel's default.");
            }
            options = options.receiveBuffer((int) buffer.toBytes());
        }
        ProcessEvents spec = options;
        return aem -> aem.processEvents(spec);
    }
}
