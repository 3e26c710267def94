package io.aem.demo.httpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticFilesTest {
    @TempDir
    Path temp;
    Path root;
    StaticFiles files;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(temp.resolve("www"));
        Files.writeString(root.resolve("index.html"), "<p>hi</p>");
        Files.createDirectories(root.resolve("sub"));
        Files.write(root.resolve("sub/big.bin"), new byte[StaticFiles.CACHED_FILE_MAX + 1]);
        Files.writeString(temp.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(root.resolve("out"), temp.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("outdir"), temp);
        Files.createSymbolicLink(root.resolve("in"), root.resolve("index.html"));
        files = new StaticFiles(root);
    }

    @Test
    void findsFilesWithTypeSizeAndCachedContent() {
        StaticFile index = files.resolve("/index.html?x=1");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(index.size()).isEqualTo(9);
        assertThat(new String(index.content(), StandardCharsets.UTF_8)).isEqualTo("<p>hi</p>");
        assertThat(files.resolve("/index.html").content()).isSameAs(index.content());

        StaticFile big = files.resolve("/sub/big.bin");
        assertThat(big.status()).isEqualTo(200);
        assertThat(big.content()).as("too large to cache").isNull();
        assertThat(big.contentType()).isEqualTo("application/octet-stream");
        assertThat(files.resolve("/in").status()).as("a symlink inside the root").isEqualTo(200);
        assertThat(files.resolve("/sub/../index.html").status()).as("dot-dot even when it stays inside").isEqualTo(403);
    }

    @Test
    void aChangedFileIsReread() throws IOException {
        files.resolve("/index.html");
        Files.writeString(root.resolve("index.html"), "<p>changed</p>");
        assertThat(new String(files.resolve("/index.html").content(), StandardCharsets.UTF_8)).isEqualTo("<p>changed</p>");
    }

    @Test
    void missingIs404AndDirectoriesAre403() {
        assertThat(files.resolve("/nope.txt").status()).isEqualTo(404);
        assertThat(files.resolve("/sub").status()).isEqualTo(403);
        assertThat(files.resolve("/").status()).isEqualTo(403);
    }

    @Test
    void noTargetEscapesTheRoot() {
        assertThat(files.resolve("/../secret.txt").status()).isEqualTo(403);
        assertThat(files.resolve("/%2e%2e/secret.txt").status()).isEqualTo(403);
        assertThat(files.resolve("/%2E%2E%2Fsecret.txt").status()).isEqualTo(403);
        assertThat(files.resolve("/sub/..%2f..%2fsecret.txt").status()).isEqualTo(403);
        assertThat(files.resolve("//etc/passwd").status()).isEqualTo(403);
        assertThat(files.resolve("/%2fetc/passwd").status()).isEqualTo(403);
        assertThat(files.resolve("/out").status()).as("symlink to a file outside").isEqualTo(403);
        assertThat(files.resolve("/outdir/secret.txt").status()).as("symlink to a directory outside").isEqualTo(403);
        assertThat(files.resolve("/index.html%00.txt").status()).isEqualTo(400);
        assertThat(files.resolve("/%zz").status()).isEqualTo(400);
        assertThat(files.resolve("/%c0%ae%c0%ae/secret.txt").status()).as("overlong UTF-8 dots").isEqualTo(400);
        assertThat(files.resolve("http://host/index.html").status()).isEqualTo(400);
        assertThat(files.resolve("*").status()).isEqualTo(400);
    }

    @Test
    void theRootMustBeAnExistingDirectory() {
        assertThatThrownBy(() -> new StaticFiles(temp.resolve("missing"))).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> new StaticFiles(temp.resolve("secret.txt"))).isInstanceOf(NotDirectoryException.class)
                .hasMessageContaining("--root");
    }
}
