package io.aem.linux.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves a child of this JVM unreaped: the zombie children
 * ({@code /proc/<pid>/stat} with this JVM as parent and state {@code Z}) after the class (and its
 * {@code @AfterAll}) must be among those there were before it. Reaps happen on event-loop
 * threads, so the check waits up to ten seconds. Register with
 * {@code @ExtendWith(ZombieCheck.class)} on every class that starts processes.
 */
public final class ZombieCheck implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ZombieCheck.class);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("before", zombieChildren());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterAll(ExtensionContext context) {
        Set<Long> before = (Set<Long>) context.getStore(NS).get("before");
        Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).atMost(WAIT)
                .untilAsserted(() -> {
                    Set<Long> left = zombieChildren();
                    left.removeAll(before);
                    if (!left.isEmpty()) {
                        throw new AssertionError(context.getDisplayName() + " left " + left.size()
                                + " child process(es) unreaped (zombies, pids " + left + ")");
                    }
                });
    }

    /** The pids of this JVM's children that have exited and wait to be reaped. */
    public static Set<Long> zombieChildren() {
        long self = ProcessHandle.current().pid();
        Set<Long> zombies = new TreeSet<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (NoSuchFileException e) {
                    continue;
                } catch (IOException e) {
                    continue; // a process that went away while read
                }
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
                if (fields[0].equals("Z") && Long.parseLong(fields[1]) == self) {
                    zombies.add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return zombies;
    }
}
