package io.aem.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code key value} lines of one harness run, the format the C references print and
 * {@link RoundTable#keyValues} reads: printed on standard output and, when {@code AEM_JMH_OUT}
 * names a directory, written there under a file name of the harness's choice.
 */
final class ResultLines {
    private final StringBuilder out = new StringBuilder();

    /** Appends {@code key value}; doubles with three decimals. */
    ResultLines line(String key, Object value) {
        out.append(key).append(' ')
                .append(value instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : value).append('\n');
        return this;
    }

    /** The builder, for {@link LatencyReport#percentiles}. */
    StringBuilder builder() {
        return out;
    }

    /** Prints the lines and writes them to {@code $AEM_JMH_OUT/fileName} when set. */
    void publish(String fileName) {
        System.out.print(out);
        System.out.flush();
        String dir = System.getenv("AEM_JMH_OUT");
        if (dir != null && !dir.isEmpty()) {
            try {
                Files.writeString(Path.of(dir, fileName), out, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
