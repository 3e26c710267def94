/**
 * File and directory events (AEM's aem-fd).
 *
 * <p><b>inotify watches.</b> {@link io.aem.linux.fs.FileWatch} says what to watch — one file, one
 * directory, or a whole tree ({@link io.aem.linux.fs.WatchScope}) — which kinds to report, what an
 * overflow of the kernel queue does ({@link io.aem.linux.fs.OverflowPolicy}) and whether to start
 * with a listing of what exists. {@link io.aem.linux.fs.InotifyWatchSource} turns it into a stream
 * of {@link io.aem.linux.fs.FileEvent}s ({@link io.aem.linux.fs.FileEventKind}) with absolute paths:
 * new directories of a tree are watched before they are read, so nothing created in them is
 * missed and nothing is reported twice; renames are paired by cookie into one event with both
 * paths; demand is read demand, so a slow subscriber leaves the events in the kernel's queue.
 * {@link io.aem.linux.fs.InotifyWatchSource#publisher InotifyWatchSource.publisher} gives it as a
 * {@code java.util.concurrent.Flow.Publisher} (aem-reactor's {@code Aem.watch} as a {@code Flux}),
 * one inotify instance per subscriber.
 *
 * <p><b>Records.</b> {@link io.aem.linux.fs.InotifyRecords} decodes the kernel's
 * {@code struct inotify_event} batches in Java ({@link io.aem.linux.fs.InotifyRecord}), without a
 * JNA call per record.
 *
 * <p><b>fanotify</b> marks ({@link io.aem.linux.fs.FanotifyMark}, {@link io.aem.linux.fs.MarkScope})
 * describe what a fanotify listener covers; they report the same event types.
 */
package io.aem.linux.fs;
