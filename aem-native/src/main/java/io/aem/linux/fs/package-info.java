/**
 * File and directory events (AEM's aem-fd): the inotify record decoder so far; the watch sources
 * build on it.
 */
package io.aem.linux.fs;
