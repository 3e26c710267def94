package io.aem.spring.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of AEM: whether the event loops start, how many, and how their
 * threads are named, pinned and scheduled.
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
}
