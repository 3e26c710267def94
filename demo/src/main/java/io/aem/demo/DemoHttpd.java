package io.aem.demo;

import io.aem.demo.httpd.AemHttpd;
import io.aem.demo.httpd.HttpdOptions;
import io.aem.linux.loop.EventLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs {@link AemHttpd} on {@code demo.httpd.port} (default 8081), serving the inbox, for as
 * long as the application runs; off when {@code demo.httpd.enabled=false}. The server has its
 * own event loop, which the dashboard shows next to the Aem's loops.
 */
@Component
public class DemoHttpd implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(DemoHttpd.class);

    private final DemoProperties properties;
    private final InboxFolder inbox;
    private volatile @Nullable AemHttpd server;

    /**
     * Creates the component; nothing listens before {@link #start()}.
     *
     * @param properties the port and host
     * @param inbox      the folder served
     */
    public DemoHttpd(DemoProperties properties, InboxFolder inbox) {
        this.properties = properties;
        this.inbox = inbox;
    }

    /**
     * Binds and starts serving, on the caller's thread.
     *
     * @throws UncheckedIOException if the port cannot be bound or the loop cannot start
     */
    @Override
    public void start() {
        DemoProperties.Httpd httpd = this.properties.getHttpd();
        if (!httpd.isEnabled()) {
            return;
        }
        InetSocketAddress address = new InetSocketAddress(httpd.getHost(), httpd.getPort());
        try {
            AemHttpd started = AemHttpd.start(new HttpdOptions(address, this.inbox.path(), null));
            this.server = started;
            logger.info("AEMhttpd serving {} on http://{}:{}/", this.inbox.path(), httpd.getHost(),
                    started.localAddress().getPort());
        } catch (IOException ex) {
            throw new UncheckedIOException("AEMhttpd cannot listen on " + address + " (demo.httpd.port)", ex);
        }
    }

    /** Closes the server and its loop, and waits for the loop thread to end. */
    @Override
    public void stop() {
        AemHttpd started = this.server;
        this.server = null;
        if (started != null) {
            started.close();
        }
    }

    /** Whether the server is listening. */
    @Override
    public boolean isRunning() {
        return this.server != null;
    }

    /**
     * The port listened on, when running.
     *
     * @return the real port (also when 0 was configured)
     */
    public Optional<Integer> port() {
        AemHttpd started = this.server;
        return started == null ? Optional.empty() : Optional.of(started.localAddress().getPort());
    }

    /**
     * The server's event loop, when running.
     *
     * @return the loop
     */
    public Optional<EventLoop> loop() {
        AemHttpd started = this.server;
        return started == null ? Optional.empty() : Optional.of(started.loop());
    }
}
