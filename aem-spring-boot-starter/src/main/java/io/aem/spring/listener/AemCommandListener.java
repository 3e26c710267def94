package io.aem.spring.listener;

import io.aem.spring.sources.CommandSourceProperties.Restart;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method as a handler of the exits ({@link io.aem.linux.proc.ProcessExit}) of a supervised command, declared under {@code aem.sources.command.<name>} or inline.
 *
 * <pre>{@code
 * @AemCommandListener(argv = {"/usr/local/bin/sync-once"}, restart = Restart.ALWAYS, restartDelay = "1m")
 * void synced(ProcessExit exit) {
 *     if (!exit.isSuccess()) alerts.raise("sync ended " + exit.status());
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
public @interface AemCommandListener {

    /**
     * The handler id, the key of its statistics in {@link AemHandlerStats}. Default: the bean
     * name and the method name, {@code beanName.methodName}.
     *
     * @return the id, or empty for the default
     */
    String id() default "";

    /**
     * The name of a source declared under {@code aem.sources.command.<name>}; placeholders are
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
     * Inline: the program and its arguments; placeholders are resolved in each.
     *
     * @return the command line, or empty when {@link #source()} is given
     */
    String[] argv() default {};

    /**
     * Inline: when the command is started again.
     *
     * @return the restart policy
     */
    Restart restart() default Restart.NEVER;

    /**
     * Inline: the delay before a restart, for example {@code 1s}.
     *
     * @return the delay
     */
    String restartDelay() default "1s";
}
