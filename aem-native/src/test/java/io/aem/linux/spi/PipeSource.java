package io.aem.linux.spi;

import io.aem.linux.OwnedFd;
import io.aem.linux.source.EventSource;
import io.aem.linux.source.SourceContext;
import java.nio.ByteBuffer;

/**
 * An event source written the way a user outside the project would write one: the read end of a
 * pipe, one event per chunk read. Only the SPI is used; demand, the loop, fd closing and the
 * publisher faces come from the framework.
 */
final class PipeSource implements EventSource<byte[]> {
    private final OwnedFd readEnd;
    private final int chunk;

    PipeSource(OwnedFd readEnd, int chunk) {
        this.readEnd = readEnd;
        this.chunk = chunk;
    }

    @Override
    public String name() {
        return "pipe " + readEnd;
    }

    @Override
    public OwnedFd open(SourceContext context) {
        return readEnd;
    }

    @Override
    public int batchSize() {
        return chunk;
    }

    @Override
    public byte[] decode(ByteBuffer batch, SourceContext context) {
        byte[] bytes = new byte[batch.remaining()];
        batch.get(bytes);
        return bytes;
    }
}
