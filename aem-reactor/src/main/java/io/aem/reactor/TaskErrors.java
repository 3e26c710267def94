package io.aem.reactor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.RejectedExecutionException;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Reports an exception thrown by a scheduled task the way Reactor's own schedulers do: through
 * {@code Schedulers.handleError}, which hands it to the thread's uncaught-exception handler (or
 * logs it) and then to the hook set with {@link Schedulers#onHandleError}. That method is
 * package-private in reactor-core; it is reached by reflection when reactor-core shares the
 * class path, and otherwise through an executor scheduler whose executor throws the error, which
 * Reactor passes to the same method.
 */
final class TaskErrors {
    private static final MethodHandle HANDLE_ERROR = findHandleError();

    private TaskErrors() {
    }

    /**
     * Reports the error on the current thread. Never throws, so that the task's state is kept
     * right even when the {@code onHandleError} hook fails.
     */
    static void report(Throwable error) {
        try {
            if (HANDLE_ERROR != null) {
                HANDLE_ERROR.invokeExact(error);
            } else {
                reportThroughExecutor(error);
            }
        } catch (Throwable hookFailed) {
            // the onHandleError hook threw: its failure goes to the thread's handler, the task's error with it
            if (hookFailed != error) {
                hookFailed.addSuppressed(error);
            }
            Thread current = Thread.currentThread();
            current.getUncaughtExceptionHandler().uncaughtException(current, hookFailed);
        }
    }

    private static void reportThroughExecutor(Throwable error) {
        Scheduler failing = Schedulers.fromExecutor(command -> {
            throw TaskErrors.<RuntimeException>sneaky(error);
        });
        try {
            failing.schedule(() -> { });
        } catch (RejectedExecutionException expected) {
            // the executor's refusal is how the error reached Schedulers.handleError
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable error) throws E {
        throw (E) error;
    }

    private static MethodHandle findHandleError() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Schedulers.class, MethodHandles.lookup());
            return lookup.findStatic(Schedulers.class, "handleError", MethodType.methodType(void.class, Throwable.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
