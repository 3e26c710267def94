package io.aem.demo.httpd;

import io.aem.linux.net.TcpConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP connection of the server: subscribes to the connection's borrowed receive stream one
 * chunk at a time, parses request heads in place, and writes the responses in request order.
 *
 * <p><b>Backpressure.</b> The next chunk is requested only when the previous one is fully handled
 * and the write queue takes more. When {@link TcpConnection#write} answers false (the queue is
 * above its limit: the client does not read its responses), or a large file body is being sent,
 * the rest of the chunk (pipelined requests) is copied aside, no more is requested, and work
 * resumes in {@link TcpConnection#onWritable}. Without demand the kernel stops reading the socket
 * and TCP's window stops the client, so a client cannot grow the server's memory beyond the write
 * queue limit, one file chunk and one received chunk.
 *
 * <p><b>State.</b> An idle connection holds its parser (a few hundred bytes) and nothing else.
 *
 * <p><b>Closing.</b> After a response with {@code connection: close} (HTTP/1.0 without
 * keep-alive, {@code Connection: close}, or an error from the parser), after the client's EOF
 * once every response is queued, or on a receive error; {@link TcpConnection#close()} is
 * graceful, sending the queued bytes first.
 *
 * <p><b>Threading.</b> Every method runs on the server's loop thread.
 */
final class HttpConnection implements Flow.Subscriber<ByteBuffer> {
    private final AemHttpd server;
    private final TcpConnection connection;
    private final HttpRequestParser parser = new HttpRequestParser();
    private final Runnable resume = this::resume;
    private Flow.@Nullable Subscription subscription;
    /** Received bytes not yet parsed, kept only while responses wait for the write queue. */
    private @Nullable ByteBuffer pending;
    private @Nullable FileBody body;
    private boolean waitingForWritable;
    private boolean inputEnded;
    private boolean closeAfterResponses;
    private boolean closed;

    HttpConnection(AemHttpd server, TcpConnection connection) {
        this.server = server;
        this.connection = connection;
    }

    /** The TCP connection served. */
    TcpConnection tcp() {
        return connection;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (closed) {
            subscription.cancel();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onNext(ByteBuffer chunk) {
        if (closed) {
            return;
        }
        handle(chunk);
        if (!closed && chunk.hasRemaining()) {
            pending = ByteBuffer.allocate(chunk.remaining()).put(chunk).flip();
        }
        requestMoreOrClose();
    }

    @Override
    public void onError(Throwable error) {
        inputEnded = true;
        close();
    }

    @Override
    public void onComplete() {
        inputEnded = true;
        requestMoreOrClose();
    }

    /** Parses and answers the requests in {@code chunk} until it is consumed or the answers must wait. */
    private void handle(ByteBuffer chunk) {
        while (!closed && !closeAfterResponses && !busy() && chunk.hasRemaining()) {
            ParseResult result = parser.parse(chunk);
            if (result == ParseResult.REQUEST) {
                respond();
            } else if (result == ParseResult.ERROR) {
                closeAfterResponses = true;
                write(HttpResponses.error(parser.errorStatus(), false, ConnectionHeader.CLOSE));
            } else {
                return;
            }
        }
        if (closeAfterResponses) {
            chunk.position(chunk.limit()); // nothing after a closing response is read
        }
    }

    private boolean busy() {
        return waitingForWritable || body != null;
    }

    private void respond() {
        boolean keepAlive = parser.keepAlive();
        closeAfterResponses = !keepAlive;
        ConnectionHeader header = ConnectionHeader.of(keepAlive, parser.http11());
        HttpMethod method = parser.method();
        boolean head = method == HttpMethod.HEAD;
        if (method == HttpMethod.OTHER) {
            write(HttpResponses.error(405, false, header));
        } else if (parser.targetEquals(HttpResponses.HELLO_TARGET)) {
            write(server.hello(head, header));
        } else {
            serveFile(server.files().resolve(parser.target()), head, header);
        }
    }

    private void serveFile(StaticFile file, boolean head, ConnectionHeader header) {
        if (file.status() != 200 || file.path() == null) {
            write(HttpResponses.error(file.status(), head, header));
            return;
        }
        byte[] content = file.content();
        if (content != null || head || file.size() == 0) {
            write(ByteBuffer.wrap(HttpResponses.okHead(file.contentType(), file.size(), header)));
            if (content != null && !head) {
                write(ByteBuffer.wrap(content));
            }
            return;
        }
        FileBody opened;
        try {
            opened = FileBody.open(file.path(), file.size());
        } catch (IOException e) {
            write(HttpResponses.error(404, false, header));
            return;
        }
        body = opened;
        write(ByteBuffer.wrap(HttpResponses.okHead(file.contentType(), file.size(), header)));
        pumpBody();
    }

    /** Sends file chunks until the body is done or the queue is full; on a read failure resets the connection. */
    private void pumpBody() {
        FileBody sending = body;
        if (sending == null) {
            return;
        }
        boolean takesMore;
        try {
            takesMore = sending.pump(connection, server.chunkBuffer());
        } catch (IOException e) {
            // The content-length is announced: a short body must not look complete.
            body = null;
            sending.close();
            closed(true);
            return;
        }
        if (!sending.hasRemaining()) {
            body = null;
            sending.close();
        }
        if (!takesMore) {
            awaitWritable();
        }
    }

    private void write(ByteBuffer response) {
        if (!connection.write(response)) {
            awaitWritable();
        }
    }

    private void awaitWritable() {
        if (!waitingForWritable) {
            waitingForWritable = true;
            connection.onWritable(resume);
        }
    }

    /** The write queue drained: go on with the file body, the pending requests, then reading. */
    private void resume() {
        waitingForWritable = false;
        if (closed) {
            return;
        }
        pumpBody();
        ByteBuffer unparsed = pending;
        if (unparsed != null && !busy()) {
            handle(unparsed);
            if (!unparsed.hasRemaining()) {
                pending = null;
            }
        }
        requestMoreOrClose();
    }

    /** Requests the next chunk when everything received is answered and the queue takes more; closes when done. */
    private void requestMoreOrClose() {
        if (closed || busy() || pending != null) {
            return;
        }
        if (closeAfterResponses || inputEnded) {
            close();
            return;
        }
        Flow.Subscription s = subscription;
        if (s != null) {
            s.request(1);
        }
    }

    /** Closes gracefully (queued bytes first); idempotent. */
    void close() {
        closed(false);
    }

    private void closed(boolean reset) {
        if (closed) {
            return;
        }
        closed = true;
        pending = null;
        FileBody sending = body;
        body = null;
        if (sending != null) {
            sending.close();
        }
        if (reset) {
            connection.reset();
        } else {
            connection.close();
        }
        server.connectionClosed(this);
    }
}
