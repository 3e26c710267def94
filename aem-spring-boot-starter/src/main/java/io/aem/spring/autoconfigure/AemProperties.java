package io.aem.spring.autoconfigure;

import io.aem.spring.listener.AemHandlerScheduler;
import io.aem.spring.sources.BpfSourceProperties;
import io.aem.spring.sources.CommandSourceProperties;
import io.aem.spring.sources.FanotifySourceProperties;
import io.aem.spring.sources.PermissionsSourceProperties;
import io.aem.spring.sources.ProcessEventsSourceProperties;
import io.aem.spring.sources.TimerSourceProperties;
import io.aem.spring.sources.WatchSourceProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of AEM: whether the event loops start, how many, and how their
 * threads are named, pinned and scheduled; the sources declared by name; how annotated handlers
 * run; whether events are published as application events; how long a graceful stop may take.
 *
 * <p>Values are checked when the {@code Aem} bean is created, before any loop thread or fd
 * exists; a bad value fails the start-up with a message naming the property.
 */
@ConfigurationProperties("aem")
public class AemProperties {

    /**
     * Whether to start AEM event loops. When false no loop thread or fd is created.
     */
    private boolean enabled = true;

    /**
     * Event loops.
     */
    private final Loops loops = new Loops();

    /**
     * Event sources declared by name, per family.
     */
    private final Sources sources = new Sources();

    /**
     * Annotated handler methods.
     */
    private final Handlers handlers = new Handlers();

    /**
     * Publication of source events as Spring application events.
     */
    private final Events events = new Events();

    /**
     * Graceful stop.
     */
    private final Shutdown shutdown = new Shutdown();

    public Sources getSources() {
        return this.sources;
    }

    public Handlers getHandlers() {
        return this.handlers;
    }

    public Events getEvents() {
        return this.events;
    }

    public Shutdown getShutdown() {
        return this.shutdown;
    }

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Loops getLoops() {
        return this.loops;
    }

    /**
     * The event loops: one thread each around {@code epoll_wait}, serving every stream bound to it.
     */
    public static class Loops {

        /**
         * Number of event loops. Streams are spread over them round-robin.
         */
        private int count = 1;

        /**
         * Prefix of the loop names; loops are named prefix-1 to prefix-count, and their threads
         * after them.
         */
        private String namePrefix = "aem";

        /**
         * CPUs every loop thread is pinned to with sched_setaffinity, for example 2,3. Empty
         * means no pinning: the threads may run on any CPU of the process.
         */
        private List<Integer> cpuAffinity = new ArrayList<>();

        /**
         * Most ready fds one epoll_wait reports; more are served on the next turn of the loop.
         */
        private int maxEventsPerWait = 512;

        /**
         * Real-time scheduling of the loop threads.
         */
        private final Realtime realtime = new Realtime();

        public int getCount() {
            return this.count;
        }

        public void setCount(int count) {
            this.count = count;
        }

        public String getNamePrefix() {
            return this.namePrefix;
        }

        public void setNamePrefix(String namePrefix) {
            this.namePrefix = namePrefix;
        }

        public List<Integer> getCpuAffinity() {
            return this.cpuAffinity;
        }

        public void setCpuAffinity(List<Integer> cpuAffinity) {
            this.cpuAffinity = cpuAffinity;
        }

        public int getMaxEventsPerWait() {
            return this.maxEventsPerWait;
        }

        public void setMaxEventsPerWait(int maxEventsPerWait) {
            this.maxEventsPerWait = maxEventsPerWait;
        }

        public Realtime getRealtime() {
            return this.realtime;
        }
    }

    /**
     * Real-time scheduling of the loop threads (sched_setscheduler). Needs CAP_SYS_NICE or an
     * RLIMIT_RTPRIO at least as high as the priority.
     */
    public static class Realtime {

        /**
         * Scheduling policy of the loop threads: none (the default time-sharing policy), fifo
         * (SCHED_FIFO) or round-robin (SCHED_RR).
         */
        private Policy policy = Policy.NONE;

        /**
         * Static priority of the loop threads under a real-time policy, 1 (lowest) to 99.
         * Required with a real-time policy; must be left unset without one.
         */
        private @Nullable Integer priority;

        public Policy getPolicy() {
            return this.policy;
        }

        public void setPolicy(Policy policy) {
            this.policy = policy;
        }

        public @Nullable Integer getPriority() {
            return this.priority;
        }

        public void setPriority(@Nullable Integer priority) {
            this.priority = priority;
        }

        /**
         * Scheduling policy of a loop thread.
         */
        public enum Policy {
            /** The default time-sharing policy ({@code SCHED_OTHER}). */
            NONE,
            /** {@code SCHED_FIFO}: runs until it blocks or a higher priority thread is runnable. */
            FIFO,
            /** {@code SCHED_RR}: like FIFO, with a time slice among threads of equal priority. */
            ROUND_ROBIN
        }
    }

    /**
     * Event sources declared by name: aem.sources.<family>.<name>.*. Each is a cold flux that
     * AemSources gives by name and annotated handlers refer to with source = "<name>". Names are
     * unique across families.
     */
    public static class Sources {

        /**
         * inotify watches by name: path, kinds, recursive, overflow, list-existing, quiet-period.
         */
        private Map<String, WatchSourceProperties> watch = new LinkedHashMap<>();

        /**
         * Wheel timers by name: period, initial-delay.
         */
        private Map<String, TimerSourceProperties> timer = new LinkedHashMap<>();

        /**
         * Supervised commands by name, whose exits are the events: argv, directory, environment,
         * timeout, restart, restart-delay.
         */
        private Map<String, CommandSourceProperties> command = new LinkedHashMap<>();

        /**
         * Process-connector subscriptions by name: kinds, receive-buffer.
         */
        private Map<String, ProcessEventsSourceProperties> processEvents = new LinkedHashMap<>();

        /**
         * fanotify watches by name: path, scope, marks, kinds, directories, overflow.
         */
        private Map<String, FanotifySourceProperties> fanotify = new LinkedHashMap<>();

        /**
         * fanotify permission sources by name, whose requests handlers allow or deny: path, scope,
         * marks, kinds (open, access, open-exec), deadline, directories.
         */
        private Map<String, PermissionsSourceProperties> permissions = new LinkedHashMap<>();

        /**
         * eBPF sources by name: family (process-exits, file-locks, attribute-changes), filter,
         * ring-size.
         */
        private Map<String, BpfSourceProperties> bpf = new LinkedHashMap<>();

        public Map<String, WatchSourceProperties> getWatch() {
            return this.watch;
        }

        public void setWatch(Map<String, WatchSourceProperties> watch) {
            this.watch = watch;
        }

        public Map<String, TimerSourceProperties> getTimer() {
            return this.timer;
        }

        public void setTimer(Map<String, TimerSourceProperties> timer) {
            this.timer = timer;
        }

        public Map<String, CommandSourceProperties> getCommand() {
            return this.command;
        }

        public void setCommand(Map<String, CommandSourceProperties> command) {
            this.command = command;
        }

        public Map<String, ProcessEventsSourceProperties> getProcessEvents() {
            return this.processEvents;
        }

        public void setProcessEvents(Map<String, ProcessEventsSourceProperties> processEvents) {
            this.processEvents = processEvents;
        }

        public Map<String, FanotifySourceProperties> getFanotify() {
            return this.fanotify;
        }

        public void setFanotify(Map<String, FanotifySourceProperties> fanotify) {
            this.fanotify = fanotify;
        }

        public Map<String, PermissionsSourceProperties> getPermissions() {
            return this.permissions;
        }

        public void setPermissions(Map<String, PermissionsSourceProperties> permissions) {
            this.permissions = permissions;
        }

        public Map<String, BpfSourceProperties> getBpf() {
            return this.bpf;
        }

        public void setBpf(Map<String, BpfSourceProperties> bpf) {
            this.bpf = bpf;
        }
    }

    /**
     * How annotated handler methods run.
     */
    public static class Handlers {

        /**
         * Scheduler handler methods run on unless their annotation names one: loop (the event
         * loop threads; only for handlers that never block), bounded-elastic or parallel.
         */
        private AemHandlerScheduler scheduler = AemHandlerScheduler.BOUNDED_ELASTIC;

        public AemHandlerScheduler getScheduler() {
            return this.scheduler;
        }

        public void setScheduler(AemHandlerScheduler scheduler) {
            this.scheduler = scheduler;
        }
    }

    /**
     * Publication of the events of declared sources as Spring application events.
     */
    public static class Events {

        /**
         * Whether the events of every declared source are published as AemApplicationEvents, so
         * that a plain @EventListener receives them. A source's publish-application-events
         * overrides it.
         */
        private boolean publish;

        public boolean isPublish() {
            return this.publish;
        }

        public void setPublish(boolean publish) {
            this.publish = publish;
        }
    }

    /**
     * Graceful stop of the handlers when the application context closes.
     */
    public static class Shutdown {

        /**
         * Longest the stop waits for handler invocations in flight to finish before it cancels
         * them; the event loops close afterwards.
         */
        private Duration timeout = Duration.ofSeconds(10);

        public Duration getTimeout() {
            return this.timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }
}
