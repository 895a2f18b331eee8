package dev.readmit.gateway.config;

/** What the proxy sends upstream as the {@code Host} header. */
public enum HostHeaderPolicy {
    /** The client's {@code Host} is passed on unchanged (the upstream sees the public name). */
    PRESERVE,
    /** {@code Host} is replaced by the upstream URL's authority, for upstreams that check it. */
    REWRITE
}
