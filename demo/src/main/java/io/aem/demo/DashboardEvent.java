package io.aem.demo;

/**
 * One kernel event as the dashboard shows it, sent as JSON on {@code GET /events}.
 *
 * @param family  the source family: {@code file}, {@code timer}, {@code wheel}, {@code user} or
 *                {@code job}
 * @param time    when the event reached the application, ISO-8601 in UTC
 * @param summary one human-readable line, for example {@code CLOSE_WRITE note-1.txt}
 */
public record DashboardEvent(String family, String time, String summary) {
}
