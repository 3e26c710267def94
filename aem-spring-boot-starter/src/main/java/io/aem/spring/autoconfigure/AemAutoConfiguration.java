package io.aem.spring.autoconfigure;

import io.aem.linux.loop.EventLoopOptions;
import io.aem.linux.loop.RealtimePolicy;
import io.aem.reactor.Aem;
import io.aem.spring.listener.AemHandlerRegistry;
import io.aem.spring.listener.AemHandlerStats;
import io.aem.spring.listener.AemListenerAnnotationBeanPostProcessor;
import io.aem.spring.sources.AemSourceProperties;
import io.aem.spring.sources.AemSources;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of AEM: an {@link Aem} bean whose event
 * loops are built from the {@code aem.loops.*} properties, started with the context and shut
 * down with it (every live stream then ends with
 * {@link io.aem.linux.loop.EventLoopClosedException} and every fd is closed); the
 * {@link AemSources} declared under {@code aem.sources.*}; the annotated handler methods
 * ({@link AemListenerAnnotationBeanPostProcessor}), subscribed and gracefully stopped by the
 * {@link AemHandlerRegistry} lifecycle before the loops close, with their counts in
 * {@link AemHandlerStats}.
 *
 * <p>Backs off on other systems than Linux, when {@code aem.enabled} is {@code false}, and when
 * the application defines its own {@link Aem} bean.
 */
@AutoConfiguration
@ConditionalOnClass(Aem.class)
@Conditional(OnLinuxCondition.class)
@ConditionalOnBooleanProperty(name = "aem.enabled", matchIfMissing = true)
@EnableConfigurationProperties(AemProperties.class)
public final class AemAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Aem aem(AemProperties properties) {
        AemProperties.Loops loops = properties.getLoops();
        return Aem.create(loops.getCount(), loopTemplate(loops));
    }

    @Bean
    @ConditionalOnMissingBean
    AemSources aemSources(Aem aem, AemProperties properties) {
        AemProperties.Sources sources = properties.getSources();
        Map<String, AemSourceProperties> all = new LinkedHashMap<>();
        for (Map<String, ? extends AemSourceProperties> family : List.of(sources.getWatch(), sources.getTimer(),
                sources.getCommand(), sources.getProcessEvents(), sources.getFanotify(), sources.getPermissions(),
                sources.getBpf())) {
            family.forEach((name, definition) -> {
                AemSourceProperties previous = all.putIfAbsent(name, definition);
                if (previous != null) {
                    throw new InvalidConfigurationPropertyValueException("aem.sources." + definition.family().propertyName()
                            + "." + name, name, "The name '" + name + "' is already used by a "
                            + previous.family().propertyName() + " source; source names must be unique across families.");
                }
            });
        }
        return new AemSources(aem, all, properties.getEvents().isPublish());
    }

    @Bean
    @ConditionalOnMissingBean
    AemHandlerStats aemHandlerStats() {
        return new AemHandlerStats();
    }

    @Bean
    @ConditionalOnMissingBean
    AemHandlerRegistry aemHandlerRegistry(Aem aem, AemSources sources, AemHandlerStats stats, AemProperties properties,
                                          ApplicationEventPublisher publisher) {
        Duration timeout = properties.getShutdown().getTimeout();
        if (timeout == null || timeout.isNegative()) {
            throw new InvalidConfigurationPropertyValueException("aem.shutdown.timeout", timeout,
                    "The shutdown timeout must not be negative; 0 cancels handlers in flight at once.");
        }
        return new AemHandlerRegistry(aem, sources, stats, properties.getHandlers().getScheduler(), timeout, publisher);
    }

    @Bean
    static AemListenerAnnotationBeanPostProcessor aemListenerAnnotationBeanPostProcessor() {
        return new AemListenerAnnotationBeanPostProcessor();
    }

    /**
     * The options every loop shares, named by the prefix ({@link Aem#create(int, EventLoopOptions)}
     * names loop {@code i} prefix-i), checked property by property so that a bad value is
     * reported under its own name before any thread or fd exists.
     *
     * @throws InvalidConfigurationPropertyValueException naming the first bad property
     */
    static EventLoopOptions loopTemplate(AemProperties.Loops loops) {
        if (loops.getCount() < 1) {
            throw new InvalidConfigurationPropertyValueException("aem.loops.count", loops.getCount(),
                    "At least one event loop is needed; to start none, set aem.enabled=false.");
        }
        String prefix = loops.getNamePrefix();
        if (prefix == null || prefix.isBlank()) {
            throw new InvalidConfigurationPropertyValueException("aem.loops.name-prefix", prefix,
                    "The loop name prefix must not be blank.");
        }
        if (loops.getMaxEventsPerWait() < 1) {
            throw new InvalidConfigurationPropertyValueException("aem.loops.max-events-per-wait",
                    loops.getMaxEventsPerWait(), "One epoll_wait must be able to report at least one event.");
        }
        EventLoopOptions common = EventLoopOptions.defaults()
                .withName(prefix)
                .withMaxEventsPerWait(loops.getMaxEventsPerWait())
                .withCpuAffinity(cpus(loops.getCpuAffinity()));
        RealtimePolicy policy = realtimePolicy(loops.getRealtime());
        if (policy != null) {
            common = common.withRealtime(policy, loops.getRealtime().getPriority());
        }
        return common;
    }

    private static int[] cpus(List<Integer> affinity) {
        int[] cpus = new int[affinity.size()];
        for (int i = 0; i < cpus.length; i++) {
            Integer cpu = affinity.get(i);
            if (cpu == null || cpu < 0 || cpu >= 1024) {
                throw new InvalidConfigurationPropertyValueException("aem.loops.cpu-affinity", affinity,
                        "CPU numbers must be between 0 and 1023; " + cpu + " is not.");
            }
            cpus[i] = cpu;
        }
        return cpus;
    }

    private static @Nullable RealtimePolicy realtimePolicy(AemProperties.Realtime realtime) {
        Integer priority = realtime.getPriority();
        AemProperties.Realtime.Policy policy = realtime.getPolicy();
        if (policy == null || policy == AemProperties.Realtime.Policy.NONE) {
            if (priority != null) {
                throw new InvalidConfigurationPropertyValueException("aem.loops.realtime.priority", priority,
                        "A priority only applies under a real-time policy; set aem.loops.realtime.policy to"
                                + " fifo or round-robin, or remove the priority.");
            }
            return null;
        }
        if (priority == null || priority < 1 || priority > 99) {
            throw new InvalidConfigurationPropertyValueException("aem.loops.realtime.priority", priority,
                    "The " + policy.name().toLowerCase(Locale.ROOT).replace('_', '-')
                            + " policy needs a priority between 1 (lowest) and 99.");
        }
        return policy == AemProperties.Realtime.Policy.FIFO ? RealtimePolicy.FIFO : RealtimePolicy.ROUND_ROBIN;
    }
}
