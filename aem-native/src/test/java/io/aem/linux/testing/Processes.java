package io.aem.linux.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.stream.Stream;

/**
 * What {@code /proc} says of processes, for tests that start them: a process's state, this JVM's
 * unreaped children, and its children running a given command line.
 */
public final class Processes {
    private Processes() {
    }

    /**
     * The state letter of {@code /proc/<pid>/stat} ({@code 'Z'} for a zombie, {@code 'S'} asleep,
     * ...), or {@code '-'} when no such process exists any more (it was reaped).
     */
    public static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (NoSuchFileException e) {
            return '-';
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pids of this JVM's children that have exited and wait to be reaped. */
    public static Set<Long> zombieChildren() {
        return new TreeSet<>(children((state, pid) -> state == 'Z'));
    }

    /**
     * The pids of this JVM's live children whose command line ({@code /proc/<pid>/cmdline}, its
     * arguments joined by NUL bytes) contains {@code marker}.
     */
    public static List<Long> childrenWith(String marker) {
        return children((state, pid) -> {
            try {
                return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
                        .contains(marker);
            } catch (IOException e) {
                return false; // gone meanwhile
            }
        });
    }

    /** This JVM's children (by the parent pid in their stat) whose state and pid pass the filter. */
    private static List<Long> children(BiPredicate<Character, Long> filter) {
        long self = ProcessHandle.current().pid();
        List<Long> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException e) {
                    continue; // a process that went away while read
                }
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
                long pid = Long.parseLong(name);
                if (Long.parseLong(fields[1]) == self && filter.test(fields[0].charAt(0), pid)) {
                    found.add(pid);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }
}
