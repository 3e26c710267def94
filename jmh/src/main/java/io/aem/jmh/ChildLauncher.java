package io.aem.jmh;

import io.aem.linux.loop.EventLoop;
import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.proc.ChildProcess;
import io.aem.linux.proc.ProcessExit;
import io.aem.linux.proc.ProcessSpec;
import io.aem.linux.proc.Redirect;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * Starts children with stdio discarded and calls back once per exit, the same way for the
 * library and for the JDK, for {@link ChildrenFootprint} and {@link SpawnRate}.
 */
abstract class ChildLauncher implements AutoCloseable {
    /** Starts one child; {@code onExit} runs once when it has exited (on a thread of the launcher's choosing). */
    abstract Object start(List<String> argv, Runnable onExit) throws IOException;

    /** Kills a child returned by {@link #start} with {@code SIGKILL}. */
    abstract void kill(Object child);

    @Override
    public abstract void close();

    /** {@code aem} or {@code jdk}. */
    static ChildLauncher of(String variant) throws IOException {
        switch (variant) {
            case "aem":
                return new Aem();
            case "jdk":
                return new Jdk();
            default:
                throw new IllegalArgumentException("unknown variant '" + variant + "': aem or jdk");
        }
    }

    /** The library: {@code ChildProcess.start} on one event loop, the exit from its pidfd. */
    private static final class Aem extends ChildLauncher {
        private final EventLoop loop;

        Aem() throws IOException {
            loop = EventLoop.open(EventLoopOptions.defaults().withName("aem-children"));
        }

        @Override
        Object start(List<String> argv, Runnable onExit) throws IOException {
            ChildProcess child = ChildProcess.start(loop,
                    ProcessSpec.of(argv).withStdout(Redirect.DISCARD).withStderr(Redirect.DISCARD));
            child.exit().subscribe(new Flow.Subscriber<ProcessExit>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    s.request(1);
                }

                @Override
                public void onNext(ProcessExit exit) {
                    onExit.run();
                }

                @Override
                public void onError(Throwable t) {
                    t.printStackTrace();
                    onExit.run();
                }

                @Override
                public void onComplete() {
                }
            });
            return child;
        }

        @Override
        void kill(Object child) {
            ((ChildProcess) child).kill();
        }

        @Override
        public void close() {
            loop.close();
        }
    }

    /** The JDK: {@code ProcessBuilder.start()}, the exit from {@code ProcessHandle.onExit()}. */
    private static final class Jdk extends ChildLauncher {
        private static final File DEV_NULL = new File("/dev/null");

        @Override
        Object start(List<String> argv, Runnable onExit) throws IOException {
            Process process = new ProcessBuilder(argv).redirectInput(DEV_NULL)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            process.toHandle().onExit().thenRun(onExit);
            return process;
        }

        @Override
        void kill(Object child) {
            ((Process) child).destroyForcibly();
        }

        @Override
        public void close() {
        }
    }
}
