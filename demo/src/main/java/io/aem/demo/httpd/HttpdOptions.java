package io.aem.demo.httpd;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * How AEMhttpd runs: where it listens, what it serves, for how long.
 *
 * @param address the address to listen on (port 0 for an ephemeral port)
 * @param root    the static-file root directory
 * @param runFor  how long to run before stopping by itself; {@code null} to run until stopped
 */
public record HttpdOptions(InetSocketAddress address, Path root, @Nullable Duration runFor) {

    /** The host listened on when {@code --host} is not given: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /**
     * Reads the command line {@code --port=N --root=DIR [--host=H] [--run-for=DURATION]}.
     * Durations are {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT10S}).
     *
     * @param args the arguments after {@code httpd}
     * @return the options
     * @throws IllegalArgumentException naming the argument at fault and the expected form
     */
    public static HttpdOptions parse(String... args) {
        String host = DEFAULT_HOST;
        Integer port = null;
        Path root = null;
        Duration runFor = null;
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            String value = eq < 0 ? "" : arg.substring(eq + 1);
            switch (name) {
                case "--host":
                    host = value;
                    break;
                case "--port":
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port=" + value + " is not a number; use --port=0..65535");
                    }
                    if (port < 0 || port > 65535) {
                        throw new IllegalArgumentException("--port=" + value + " is out of range; use --port=0..65535");
                    }
                    break;
                case "--root":
                    root = Path.of(value);
                    break;
                case "--run-for":
                    runFor = duration(value);
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument '" + arg + "'; " + usage());
            }
        }
        if (port == null || root == null) {
            throw new IllegalArgumentException("--port and --root are required; " + usage());
        }
        return new HttpdOptions(new InetSocketAddress(host, port), root, runFor);
    }

    /** The command line's form. */
    public static String usage() {
        return "usage: httpd --port=N --root=DIR [--host=" + DEFAULT_HOST + "] [--run-for=10s]";
    }

    private static Duration duration(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("pt")) {
                return Duration.parse(v);
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            switch (v.charAt(v.length() - 1)) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                default: break;
            }
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            // reported below
        }
        throw new IllegalArgumentException("--run-for=" + value + " is not a duration; use e.g. 500ms, 10s, 5m, 1h or PT10S");
    }
}
