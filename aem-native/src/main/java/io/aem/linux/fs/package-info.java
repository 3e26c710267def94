/**
 * File and directory events (AEM's aem-fd): the inotify record decoder, and file access events
 * from fanotify ({@link io.aem.linux.fs.FanotifySource} watching a {@link io.aem.linux.fs.FanotifyWatch},
 * delivering {@link io.aem.linux.fs.FileAccessEvent}s with the path, the acting pid and its
 * executable; the record decoder {@link io.aem.linux.fs.FanotifyRecords}). The inotify watch
 * sources build on the inotify decoder.
 */
package io.aem.linux.fs;
