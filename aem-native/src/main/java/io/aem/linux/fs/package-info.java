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
 * one inotify instance per subscriber. {@link io.aem.linux.fs.QuietPeriod} turns a burst of events
 * on one path (an editor's save) into one. The record decoder is
 * {@link io.aem.linux.fs.InotifyRecords}: {@code struct inotify_event} batches decoded in Java,
 * without a JNA call per record.
 *
 * <p><b>fanotify.</b> File access events ({@link io.aem.linux.fs.FanotifySource} watching a
 * {@link io.aem.linux.fs.FanotifyWatch}, delivering {@link io.aem.linux.fs.FileAccessEvent}s with
 * the path, the acting pid and its executable; the record decoder
 * {@link io.aem.linux.fs.FanotifyRecords}), and permission decisions on file access
 * ({@link io.aem.linux.fs.PermissionSource}, {@link io.aem.linux.fs.PermissionRequest}).
 */
package io.aem.linux.fs;
