package io.aem.spring.listener;

import io.aem.spring.sources.BpfSourceProperties.Program;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method as a handler of the events of one of AEM's eBPF programs (process exits, file locks, attribute changes), declared under {@code aem.sources.bpf.<name>} or inline.
 *
 * <pre>{@code
 * @AemBpfListener(program = Program.PROCESS_EXITS)
 * void exited(ProcessExitEvent.Exited exit) {
 *     log.info("pid {} exited", exit.pid());
 * }
 * }</pre>
 *
 * <p><b>Method.</b> One parameter: either one event (a subtype of the event type receives only
 * the events of that type), returning {@code void}, a {@code Mono}, a {@code Flux} or a
 * {@code CompletionStage} whose completion is the demand for the next event; or the whole
 * {@code Flux} of events, returning {@code void} (the method subscribes) or a {@code Publisher}
 * the starter subscribes to. Subscriptions start when the application context starts and end,
 * gracefully, when it stops (see {@link AemHandlerRegistry}). A misdeclared method or source
 * fails the start-up naming the method.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface AemBpfListener {

    /**
     * The handler id, the key of its statistics in {@link AemHandlerStats}. Default: the bean
     * name and the method name, {@code beanName.methodName}.
     *
     * @return the id, or empty for the default
     */
    String id() default "";

    /**
     * The name of a source declared under {@code aem.sources.bpf.<name>}; placeholders are
     * resolved. Leave empty to declare the source inline with the other attributes.
     *
     * @return the source name, or empty
     */
    String source() default "";

    /**
     * For a method taking one event: how many invocations may be in flight at once (a returned
     * {@code Mono} or {@code Flux} is in flight until it completes). The default, 1, handles
     * the events one after the other in order, like {@code concatMap}; the source is asked for
     * no more events than this, so a slow handler is the source's backpressure.
     *
     * @return at least 1
     */
    int concurrency() default 1;

    /**
     * Where the method runs: {@code loop}, {@code bounded-elastic} or {@code parallel} (see
     * {@link AemHandlerScheduler}); placeholders are resolved. Default: {@code aem.handlers.scheduler}.
     *
     * @return the scheduler, or empty for the default
     */
    String scheduler() default "";

    /**
     * Whether an exception from the method (or an error of the publisher it returns) ends the
     * handler's subscription. By default it is logged, counted in {@link AemHandlerStats} and the
     * next event is handled.
     *
     * @return whether to stop on error
     */
    boolean stopOnError() default false;

    /**
     * Inline: the program, one of {@link Program}; empty when {@link #source()} is given.
     *
     * @return at most one program
     */
    Program[] program() default {};

    /**
     * Inline: only events of this process; 0 means any.
     *
     * @return the pid
     */
    int pid() default 0;
}
