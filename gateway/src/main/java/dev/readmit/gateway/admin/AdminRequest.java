package dev.readmit.gateway.admin;

/**
 * One admin request, copied out of Netty's buffers so it can be handled off the event loop. Immutable.
 *
 * @param method the HTTP method, upper case
 * @param path the path without the query string, e.g. {@code /ramp/pause}
 * @param query the raw query string, empty when none
 * @param authorization the {@code Authorization} header, or null
 * @param operator the {@code X-Readmit-Operator} header, or null
 * @param body the body as UTF-8 text, empty when none
 * @param remote the client's address, e.g. {@code 127.0.0.1:53122}
 */
public record AdminRequest(
        String method, String path, String query, String authorization, String operator, String body, String remote) {}
