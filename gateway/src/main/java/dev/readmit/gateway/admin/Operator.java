package dev.readmit.gateway.admin;

/**
 * Who made an admin request, for the log and {@code /events}.
 *
 * @param who {@value AdminToken#IDENTITY}, or the name the request gave in {@code X-Readmit-Operator}
 * @param from the request's remote address, e.g. {@code 127.0.0.1:53122}
 */
public record Operator(String who, String from) {}
