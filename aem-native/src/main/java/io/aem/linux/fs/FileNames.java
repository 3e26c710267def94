package io.aem.linux.fs;

import com.sun.jna.Memory;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The charset of file names the kernel hands over, as {@code java.nio.file} uses it. */
final class FileNames {
    /** The JVM's file-name charset ({@code sun.jnu.encoding}), UTF-8 when unknown. */
    static final Charset CHARSET = charset();

    private FileNames() {
    }

    /**
     * A path as a NUL-terminated native string, for setup calls (allocates).
     *
     * @param path the path
     * @return native memory the caller closes
     */
    static Memory nativeString(Path path) {
        byte[] bytes = path.toString().getBytes(CHARSET);
        Memory m = new Memory(bytes.length + 1L);
        m.write(0, bytes, 0, bytes.length);
        m.setByte(bytes.length, (byte) 0);
        return m;
    }

    private static Charset charset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
