package dev.readmit.profiles.replay;

/**
 * One request of a replay plan. Immutable.
 *
 * @param atNanos intended send time, nanoseconds after the run start (speed already applied)
 * @param method HTTP method
 * @param path path and query, templates resolved
 * @param bodyBytes request body size, bytes
 */
public record PlannedRequest(long atNanos, String method, String path, long bodyBytes) {}
