package io.aem.spring.listener;

import io.aem.linux.fs.MarkScope;
import io.aem.linux.fs.PermissionKind;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method as a handler of fanotify permission requests ({@link io.aem.linux.fs.PermissionRequest}), declared under {@code aem.sources.permissions.<name>} or inline. The method answers each request: by returning {@code boolean} (or a {@code Mono<Boolean>} or {@code CompletionStage<Boolean>}): {@code true} allows, {@code false} denies; or by calling {@code allow()} or {@code deny()} itself and returning {@code void}. A request left unanswered is allowed at its deadline; one whose handler throws is allowed at once; the requests still held when the application stops are allowed.
 *
 * <pre>{@code
 * @AemPermissionListener(path = "${app.vault}", kinds = PermissionKind.OPEN, deadline = "500ms")
 * boolean mayOpen(PermissionRequest request) {
 *     return trustedExecutables.contains(request.executable().orElse(null));
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
public @interface AemPermissionListener {

    /**
     * The handler id, the key of its statistics in {@link AemHandlerStats}. Default: the bean
     * name and the method name, {@code beanName.methodName}.
     *
     * @return the id, or empty for the default
     */
    String id() default "";

    /**
     * The name of a source declared under {@code aem.sources.permissions.<name>}; placeholders are
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
     * Inline: the path of the mark (a directory covers its entries); placeholders are resolved.
     *
     * @return the path, or empty when {@link #source()} is given
     */
    String path() default "";

    /**
     * Inline: what the mark covers.
     *
     * @return the scope
     */
    MarkScope scope() default MarkScope.PATH;

    /**
     * Inline: the kinds of request.
     *
     * @return at least one kind
     */
    PermissionKind[] kinds() default PermissionKind.OPEN;

    /**
     * Inline: how long a request may wait before it is allowed, for example {@code 500ms}; empty
     * means one second.
     *
     * @return the deadline, or empty
     */
    String deadline() default "";
}
