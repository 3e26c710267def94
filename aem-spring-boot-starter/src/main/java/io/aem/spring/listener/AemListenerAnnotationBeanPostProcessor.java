package io.aem.spring.listener;

import io.aem.linux.fs.FileEventKind;
import io.aem.linux.fs.MarkScope;
import io.aem.linux.fs.PermissionKind;
import io.aem.linux.fs.PermissionRequest;
import io.aem.linux.proc.ProcEventKind;
import io.aem.spring.sources.AemSource;
import io.aem.spring.sources.AemSourceFamily;
import io.aem.spring.sources.AemSourceProperties;
import io.aem.spring.sources.AemSources;
import io.aem.spring.sources.BpfSourceProperties;
import io.aem.spring.sources.CommandSourceProperties;
import io.aem.spring.sources.FanotifySourceProperties;
import io.aem.spring.sources.PermissionsSourceProperties;
import io.aem.spring.sources.ProcessEventsSourceProperties;
import io.aem.spring.sources.TimerSourceProperties;
import io.aem.spring.sources.WatchSourceProperties;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationAttributes;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ReflectionUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Finds the methods annotated with the AEM listener annotations ({@link AemWatchListener},
 * {@link AemTimerListener}, {@link AemCommandListener}, {@link AemProcessEventListener},
 * {@link AemFanotifyListener}, {@link AemPermissionListener}, {@link AemBpfListener}) on every bean and registers them with the
 * {@link AemHandlerRegistry}, which subscribes them when the context starts.
 *
 * <p>Methods are collected as beans are initialised and checked once every singleton exists
 * (so that looking the registry up creates no bean too early); a bad declaration (no parameter
 * or two, a parameter type the source never emits, an unknown source or one of another family,
 * a bad inline attribute) fails the start-up with a {@link BeanInitializationException} naming
 * the method. Placeholders in string attributes resolve from the environment.
 */
public final class AemListenerAnnotationBeanPostProcessor
        implements BeanPostProcessor, BeanFactoryAware, SmartInitializingSingleton {

    private static final Map<Class<? extends Annotation>, AemSourceFamily> ANNOTATIONS = new LinkedHashMap<>();

    static {
        ANNOTATIONS.put(AemWatchListener.class, AemSourceFamily.WATCH);
        ANNOTATIONS.put(AemTimerListener.class, AemSourceFamily.TIMER);
        ANNOTATIONS.put(AemCommandListener.class, AemSourceFamily.COMMAND);
        ANNOTATIONS.put(AemProcessEventListener.class, AemSourceFamily.PROCESS_EVENTS);
        ANNOTATIONS.put(AemFanotifyListener.class, AemSourceFamily.FANOTIFY);
        ANNOTATIONS.put(AemPermissionListener.class, AemSourceFamily.PERMISSIONS);
        ANNOTATIONS.put(AemBpfListener.class, AemSourceFamily.BPF);
    }

    private final List<Found> pending = new ArrayList<>();
    private @Nullable ConfigurableBeanFactory beanFactory;
    private volatile boolean singletonsInstantiated;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        if (beanFactory instanceof ConfigurableBeanFactory configurable) {
            this.beanFactory = configurable;
        }
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        Class<?> targetClass = AopUtils.getTargetClass(bean);
        if (!AnnotationUtils.isCandidateClass(targetClass, ANNOTATIONS.keySet())) {
            return bean;
        }
        Map<Method, List<AnnotationAttributes>> methods = MethodIntrospector.selectMethods(targetClass,
                (MethodIntrospector.MetadataLookup<List<AnnotationAttributes>>) method -> {
                    List<AnnotationAttributes> found = new ArrayList<>();
                    for (Class<? extends Annotation> type : ANNOTATIONS.keySet()) {
                        AnnotationAttributes attributes = AnnotatedElementUtils.getMergedAnnotationAttributes(method, type);
                        if (attributes != null) {
                            found.add(attributes);
                        }
                    }
                    return found.isEmpty() ? null : found;
                });
        List<Found> found = new ArrayList<>();
        methods.forEach((method, attributesList) -> {
            for (AnnotationAttributes attributes : attributesList) {
                found.add(new Found(beanName, bean, method, attributes));
            }
        });
        if (found.isEmpty()) {
            return bean;
        }
        if (this.singletonsInstantiated) {
            found.forEach(this::register);
        } else {
            synchronized (this.pending) {
                this.pending.addAll(found);
            }
        }
        return bean;
    }

    @Override
    public void afterSingletonsInstantiated() {
        List<Found> all;
        synchronized (this.pending) {
            all = List.copyOf(this.pending);
            this.pending.clear();
        }
        this.singletonsInstantiated = true;
        all.forEach(this::register);
    }

    private void register(Found found) {
        ConfigurableBeanFactory factory = this.beanFactory;
        if (factory == null) {
            throw new IllegalStateException("AEM listener methods need a ConfigurableBeanFactory");
        }
        AemHandlerRegistry registry = factory.getBean(AemHandlerRegistry.class);
        Method method = found.method;
        String where = "@" + found.attributes.annotationType().getSimpleName() + " method "
                + method.getDeclaringClass().getName() + "." + method.getName();
        try {
            registry.register(definition(found, registry, factory));
        } catch (RuntimeException e) {
            throw new BeanInitializationException("Invalid " + where + ": " + e.getMessage(), e);
        }
    }

    private AemHandlerDefinition definition(Found found, AemHandlerRegistry registry, ConfigurableBeanFactory factory) {
        AnnotationAttributes a = found.attributes;
        AemSourceFamily family = ANNOTATIONS.get(a.annotationType());
        Function<String, String> resolve = value -> {
            String resolved = factory.resolveEmbeddedValue(value);
            return resolved == null ? "" : resolved;
        };
        Method method = found.method;
        String id = resolve.apply(a.getString("id"));
        if (id.isEmpty()) {
            id = found.beanName + "." + method.getName();
        }
        String sourceName = resolve.apply(a.getString("source"));
        AemSource source;
        if (!sourceName.isEmpty()) {
            try {
                source = registry.sources().source(sourceName);
            } catch (NoSuchElementException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            if (source.family() != family) {
                throw new IllegalArgumentException("source '" + sourceName + "' is a " + source.family().propertyName()
                        + " source, not a " + family.propertyName() + " source");
            }
        } else {
            source = registry.sources().define(id, inline(family, a, resolve));
        }
        int concurrency = a.getNumber("concurrency").intValue();
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
        }
        String schedulerName = resolve.apply(a.getString("scheduler"));
        AemHandlerScheduler scheduler = schedulerName.isEmpty() ? registry.defaultScheduler()
                : AemHandlerScheduler.parse(schedulerName);
        boolean stopOnError = a.getBoolean("stopOnError");

        if (method.getParameterCount() != 1) {
            throw new IllegalArgumentException("a handler method takes one parameter: an event of type "
                    + source.eventType().getName() + " or a Flux of them; it has " + method.getParameterCount());
        }
        Object bean = found.bean;
        Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
        ReflectionUtils.makeAccessible(invocable);
        Class<?> parameter = method.getParameterTypes()[0];
        Class<?> eventType = source.eventType();
        if (Publisher.class.isAssignableFrom(parameter)) {
            if (!parameter.isAssignableFrom(Flux.class)) {
                throw new IllegalArgumentException("a whole-stream handler takes a Flux (or Publisher), not "
                        + parameter.getName());
            }
            Class<?> element = ResolvableType.forMethodParameter(method, 0).as(Publisher.class).getGeneric(0)
                    .resolve(Object.class);
            Class<?> filter = filterFor(element, eventType);
            return new AemHandlerDefinition(id, source, filter, null, events -> asPublisher(call(bean, invocable, events)),
                    concurrency, scheduler, stopOnError);
        }
        Class<?> filter = filterFor(parameter, eventType);
        boolean answers = family == AemSourceFamily.PERMISSIONS;
        Function<Object, @Nullable Publisher<?>> perEvent = event -> {
            Object result;
            try {
                result = invocable.invoke(bean, event);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                if (answers) {
                    ((PermissionRequest) event).allow();
                }
                return Mono.error(cause);
            } catch (IllegalAccessException e) {
                return Mono.error(e);
            }
            if (answers) {
                return answer((PermissionRequest) event, result);
            }
            return asPublisher(result);
        };
        return new AemHandlerDefinition(id, source, filter, perEvent, null, concurrency, scheduler, stopOnError);
    }

    private static @Nullable Class<?> filterFor(Class<?> wanted, Class<?> eventType) {
        Class<?> boxed = wanted;
        if (boxed.isAssignableFrom(eventType)) {
            return null;
        }
        if (eventType.isAssignableFrom(boxed)) {
            return boxed;
        }
        throw new IllegalArgumentException("the source emits " + eventType.getName() + ", which a parameter of type "
                + wanted.getName() + " cannot take");
    }

    private static @Nullable Object call(Object bean, Method method, Object argument) {
        try {
            return method.invoke(bean, argument);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause.getMessage(), cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Answers a permission request from a handler's result; an error allows it. */
    private static @Nullable Publisher<?> answer(PermissionRequest request, @Nullable Object result) {
        if (result instanceof Boolean allowed) {
            decide(request, allowed);
            return null;
        }
        Publisher<?> publisher = asPublisher(result);
        if (publisher == null) {
            return null;
        }
        return Mono.from(publisher)
                .doOnNext(value -> {
                    if (value instanceof Boolean allowed) {
                        decide(request, allowed);
                    }
                })
                .doOnError(error -> request.allow());
    }

    private static void decide(PermissionRequest request, boolean allowed) {
        if (allowed) {
            request.allow();
        } else {
            request.deny();
        }
    }

    private static @Nullable Publisher<?> asPublisher(@Nullable Object result) {
        if (result instanceof Publisher<?> publisher) {
            return publisher;
        }
        if (result instanceof CompletionStage<?> stage) {
            return Mono.fromCompletionStage(stage);
        }
        return null;
    }

    private static AemSourceProperties inline(AemSourceFamily family, AnnotationAttributes a,
                                              Function<String, String> resolve) {
        String missing = "give source = \"<name>\" of a source declared under aem.sources." + family.propertyName()
                + ", or the inline attributes";
        switch (family) {
            case WATCH -> {
                String path = resolve.apply(a.getString("path"));
                if (path.isEmpty()) {
                    throw new IllegalArgumentException(missing + " (path)");
                }
                WatchSourceProperties p = new WatchSourceProperties();
                p.setPath(Path.of(path));
                p.setKinds(new LinkedHashSet<>(Arrays.asList((FileEventKind[]) a.get("kinds"))));
                p.setRecursive(a.getBoolean("recursive"));
                String quiet = resolve.apply(a.getString("quietPeriod"));
                if (!quiet.isEmpty()) {
                    p.setQuietPeriod(duration("quietPeriod", quiet));
                }
                return p;
            }
            case TIMER -> {
                String period = resolve.apply(a.getString("period"));
                if (period.isEmpty()) {
                    throw new IllegalArgumentException(missing + " (period)");
                }
                TimerSourceProperties p = new TimerSourceProperties();
                p.setPeriod(duration("period", period));
                String initial = resolve.apply(a.getString("initialDelay"));
                if (!initial.isEmpty()) {
                    p.setInitialDelay(duration("initialDelay", initial));
                }
                return p;
            }
            case COMMAND -> {
                String[] argv = a.getStringArray("argv");
                if (argv.length == 0) {
                    throw new IllegalArgumentException(missing + " (argv)");
                }
                CommandSourceProperties p = new CommandSourceProperties();
                p.setArgv(Arrays.stream(argv).map(resolve).toList());
                p.setRestart((CommandSourceProperties.Restart) a.get("restart"));
                p.setRestartDelay(duration("restartDelay", resolve.apply(a.getString("restartDelay"))));
                return p;
            }
            case PROCESS_EVENTS -> {
                ProcessEventsSourceProperties p = new ProcessEventsSourceProperties();
                p.setKinds(new LinkedHashSet<>(Arrays.asList((ProcEventKind[]) a.get("kinds"))));
                return p;
            }
            case FANOTIFY -> {
                String path = resolve.apply(a.getString("path"));
                if (path.isEmpty()) {
                    throw new IllegalArgumentException(missing + " (path and kinds)");
                }
                FanotifySourceProperties p = new FanotifySourceProperties();
                p.setPath(Path.of(path));
                p.setScope((MarkScope) a.get("scope"));
                p.setKinds(new LinkedHashSet<>(Arrays.asList((FileEventKind[]) a.get("kinds"))));
                return p;
            }
            case PERMISSIONS -> {
                String path = resolve.apply(a.getString("path"));
                if (path.isEmpty()) {
                    throw new IllegalArgumentException(missing + " (path)");
                }
                PermissionsSourceProperties p = new PermissionsSourceProperties();
                p.setPath(Path.of(path));
                p.setScope((MarkScope) a.get("scope"));
                p.setKinds(new LinkedHashSet<>(Arrays.asList((PermissionKind[]) a.get("kinds"))));
                String deadline = resolve.apply(a.getString("deadline"));
                if (!deadline.isEmpty()) {
                    p.setDeadline(duration("deadline", deadline));
                }
                return p;
            }
            case BPF -> {
                BpfSourceProperties.Program[] program = (BpfSourceProperties.Program[]) a.get("program");
                if (program.length != 1) {
                    throw new IllegalArgumentException(missing + " (exactly one program)");
                }
                BpfSourceProperties p = new BpfSourceProperties();
                p.setFamily(program[0]);
                p.getFilter().setPid(a.getNumber("pid").intValue());
                return p;
            }
            default -> throw new IllegalStateException("unknown family " + family);
        }
    }

    private static Duration duration(String attribute, String value) {
        try {
            return DurationStyle.detectAndParse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(attribute + " '" + value + "' is not a duration; use for example 5s,"
                    + " 250ms or PT1M", e);
        }
    }

    private record Found(String beanName, Object bean, Method method, AnnotationAttributes attributes) {
    }

    /** The annotation types this post-processor handles, for tests and tools. */
    static Set<Class<? extends Annotation>> annotationTypes() {
        return ANNOTATIONS.keySet();
    }
}
