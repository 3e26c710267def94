package io.aem.jmh;

import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * The reference server of the HTTP scalability experiment ({@code run-http-scalability.sh}): a
 * reactor-netty {@link HttpServer} on Netty's native epoll transport, answering {@code GET /hello}
 * with the bytes AEMhttpd answers it with:
 * <pre>
 *   HTTP/1.1 200 OK
 *   content-type: text/plain
 *   content-length: 13
 *
 *   Hello, World!
 * </pre>
 * Any other path is answered 404 by reactor-netty's router. reactor-netty adds no {@code Date}
 * header, so the two servers send the same bytes.
 *
 * <p>It runs on reactor-netty's default loop resources, whose size is the system property
 * {@code reactor.netty.ioWorkerCount} (reactor-netty's default is max(CPUs, 4); the script sets 2,
 * one loop per CPU of the machine it was written for). It refuses to start when the native epoll
 * transport is not available, printing Netty's reason, because the comparison is with that
 * transport and not with NIO.
 *
 * <p>Once bound it prints one line, {@code NettyHelloServer listening on ADDRESS (...)}, and runs
 * until SIGTERM (a shutdown hook disposes the server) or until the given number of seconds has
 * passed, whichever is first.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.aem.jmh.NettyHelloServer PORT [MAX_SECONDS]} (port 0
 * binds an ephemeral port, which the ready line names; MAX_SECONDS defaults to 600).
 */
public final class NettyHelloServer {
    private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    private NettyHelloServer() {
    }

    /**
     * Entry point.
     *
     * @param args the port, and optionally the most seconds to run
     */
    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: NettyHelloServer PORT [MAX_SECONDS]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        long maxSeconds = args.length > 1 ? Long.parseLong(args[1]) : 600;
        if (!Epoll.isAvailable()) {
            System.err.println("NettyHelloServer: Netty's native epoll transport is not available: "
                    + Epoll.unavailabilityCause() + "; the comparison needs it (netty-transport-native-epoll,"
                    + " classifier linux-x86_64, on the class path, on Linux x86_64)");
            System.exit(1);
        }
        DisposableServer server = HttpServer.create()
                .host("127.0.0.1")
                .port(port)
                .route(routes -> routes.get("/hello", (request, response) -> response
                        .status(HttpResponseStatus.OK)
                        .header(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                        .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(HELLO.length))
                        .sendObject(Unpooled.wrappedBuffer(HELLO))))
                .bindNow(Duration.ofSeconds(30));
        Runtime.getRuntime().addShutdownHook(new Thread(server::disposeNow, "netty-hello-stop"));
        System.out.println("NettyHelloServer listening on " + server.address()
                + " (channel " + server.channel().getClass().getSimpleName()
                + ", event loops " + LoopResources.DEFAULT_IO_WORKER_COUNT
                + ", CPUs " + Runtime.getRuntime().availableProcessors() + ")");
        System.out.flush();
        try {
            server.onDispose().block(Duration.ofSeconds(maxSeconds));
        } catch (IllegalStateException timeout) {
            System.out.println("NettyHelloServer: " + maxSeconds + " s passed, stopping");
        }
        server.disposeNow();
    }
}
