package dev.readmit.gateway.admit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.ConfigProblem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code admission} section of the gateway configuration: how a client is identified, how
 * requests are sorted into classes, how waiting clients are treated and how tickets travel.
 *
 * <p>Immutable and thread safe. Built by {@link #parse(JsonNode)}, which collects every problem with
 * its field path (for example {@code admission.classes[1].match.path}) and what is allowed, or by
 * {@link #ofDefaults()}.
 *
 * @param enabled false switches admission off: every request is admitted, no ticket is issued
 * @param clientKey the client-key rules, tried in order; the first that yields a key wins
 * @param trustedProxies the proxies whose {@code X-Forwarded-For} entries the {@code source} rule
 *     believes; empty means the socket's remote address is the client
 * @param classes the class rules in order (first match wins), without the default class
 * @param defaultClass the name of the class for requests no rule matches; its index is {@code
 *     classes.size()}
 * @param waiting how a client that must wait is treated
 * @param ticket where tickets travel and how long they live
 */
public record AdmissionSettings(
        boolean enabled,
        List<KeyRule> clientKey,
        List<Cidr> trustedProxies,
        List<ClassRule> classes,
        String defaultClass,
        Waiting waiting,
        Ticket ticket) {

    /** The section's name in the configuration document, the root of every field path. */
    public static final String SECTION = "admission";

    public AdmissionSettings {
        clientKey = List.copyOf(clientKey);
        trustedProxies = List.copyOf(trustedProxies);
        classes = List.copyOf(classes);
        Objects.requireNonNull(defaultClass, "defaultClass");
        Objects.requireNonNull(waiting, "waiting");
        Objects.requireNonNull(ticket, "ticket");
        if (clientKey.isEmpty()) {
            throw new IllegalArgumentException("clientKey needs at least one rule");
        }
    }

    /**
     * The defaults: key from {@code X-Client-Id}, else a valid ticket, else the source address; one
     * class {@code default}; respond mode; ticket cookie {@code readmit}.
     */
    public static AdmissionSettings ofDefaults() {
        return new AdmissionSettings(
                true,
                KeyRule.DEFAULT_CHAIN,
                List.of(),
                List.of(),
                DEFAULT_CLASS,
                Waiting.ofDefaults(),
                Ticket.ofDefaults());
    }

    /** The default class's name when the configuration names none. */
    public static final String DEFAULT_CLASS = "default";

    /**
     * Parses and validates the {@code admission} section.
     *
     * @param section the section's node; null or missing means {@link #ofDefaults()}
     * @throws ConfigException with every problem found, each with its field path
     */
    public static AdmissionSettings parse(JsonNode section) throws ConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        AdmissionSettings settings = parse(section, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException("(section " + SECTION + ")", problems);
        }
        return settings;
    }

    /**
     * Parses the section, adding every problem to {@code problems} instead of throwing, so that a
     * caller validating a whole document reports all sections together.
     *
     * @return the settings, or null if a problem was found
     */
    public static AdmissionSettings parse(JsonNode section, List<ConfigProblem> problems) {
        return new AdmissionSettingsParser(problems).parse(section);
    }

    /** The number of classes including the default one; class indexes run from 0 to this minus 1. */
    public int classCount() {
        return classes.size() + 1;
    }

    /** The name of the class with index {@code classIndex} (the default class is the last). */
    public String className(int classIndex) {
        return classIndex == classes.size()
                ? defaultClass
                : classes.get(classIndex).name();
    }

    /** A source of client keys. */
    public enum KeyKind {
        /** A request header's value, as sent. */
        HEADER,
        /** A cookie's value. */
        COOKIE,
        /** A query parameter's (decoded) value. */
        QUERY,
        /** The lower-case hex SHA-256 of the whole {@code Authorization} header value. */
        AUTHORIZATION,
        /** The client hash inside a valid ticket, as 16 lower-case hex digits. */
        TICKET,
        /** The client's address, walking {@code X-Forwarded-For} past trusted proxies. */
        SOURCE;

        private final String label = name().toLowerCase(Locale.ROOT);

        /** The name used in the configuration and in metric labels, e.g. {@code header}. */
        public String label() {
            return label;
        }

        /** True if the kind needs a name (header, cookie or query parameter name). */
        public boolean named() {
            return this == HEADER || this == COOKIE || this == QUERY;
        }
    }

    /**
     * One client-key rule.
     *
     * @param kind where the key comes from
     * @param name the header, cookie or query parameter name; null for the unnamed kinds
     */
    public record KeyRule(KeyKind kind, String name) {

        /** {@code X-Client-Id} header, then ticket, then source address. */
        public static final List<KeyRule> DEFAULT_CHAIN = List.of(
                new KeyRule(KeyKind.HEADER, "X-Client-Id"),
                new KeyRule(KeyKind.TICKET, null),
                new KeyRule(KeyKind.SOURCE, null));

        public KeyRule {
            Objects.requireNonNull(kind, "kind");
            if (kind.named() != (name != null)) {
                throw new IllegalArgumentException(kind.label() + (kind.named() ? " needs" : " takes no") + " name");
            }
        }

        /** {@code header:X-Client-Id}, {@code ticket}, ...: for logs and metric labels. */
        @Override
        public String toString() {
            return name == null ? kind.label() : kind.label() + ":" + name;
        }
    }

    /**
     * One class rule. Every condition given must hold; a rule with no condition matches everything.
     *
     * @param name the class name, unique, as used by admission-core and in metrics
     * @param pathGlob a path glob ({@code *} one segment's characters, {@code **} any characters
     *     including {@code /}, {@code ?} one character other than {@code /}), or null for any path
     * @param methods upper-case method names, empty for any method
     * @param headerName a header that must be present with {@link #headerValue()}, or null
     * @param headerValue the header's value, compared case-sensitively; null when headerName is
     */
    public record ClassRule(String name, String pathGlob, List<String> methods, String headerName, String headerValue) {
        public ClassRule {
            Objects.requireNonNull(name, "name");
            methods = List.copyOf(methods);
            if ((headerName == null) != (headerValue == null)) {
                throw new IllegalArgumentException("headerName and headerValue go together");
            }
        }
    }

    /** What a waiting client gets. */
    public enum WaitingMode {
        /** The request is parked in the waiting room until admitted or {@code maxWait} passes. */
        HOLD,
        /** The request is answered at once with {@code 503} and {@code Retry-After}. */
        RESPOND
    }

    /**
     * The waiting room.
     *
     * @param mode hold or respond
     * @param maxQueue the most requests held at once across the gateway (hold mode); one more is
     *     rejected
     * @param maxWait the longest a request is held before it is answered as in respond mode
     * @param rejectStatus the status of a rejection, 503 or 429 (a waiting answer is always 503)
     * @param message the operator's message to waiting clients; empty for none. Changeable live
     *     through {@link WaitingRoomResponder#setMessage(String)}
     * @param retryAfterJitter the fraction in [0, 1) by which {@code Retry-After} is spread further
     *     (0 keeps the decision's value)
     * @param closeFromRetryAfter a waiting or rejecting answer whose decided {@code Retry-After} is at
     *     least this long says {@code Connection: close}, so that the gateway (and the client) hold no
     *     connection for a client that will not be back for a while; {@link Duration#ZERO} (the
     *     default) keeps every connection the client wants kept. Why: at 100,000 returning clients an
     *     idle connection per waiting client is 100,000 file descriptors on each side, where one
     *     process may hold 20,000 (measured by {@code readmit bench storm}, issue 6)
     */
    public record Waiting(
            WaitingMode mode,
            int maxQueue,
            Duration maxWait,
            int rejectStatus,
            String message,
            double retryAfterJitter,
            Duration closeFromRetryAfter) {

        public Waiting {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(maxWait, "maxWait");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(closeFromRetryAfter, "closeFromRetryAfter");
        }

        /** Respond mode, 10,000 places, 30 s, reject with 503, no message, jitter 0.1, connections kept. */
        public static Waiting ofDefaults() {
            return new Waiting(WaitingMode.RESPOND, 10_000, Duration.ofSeconds(30), 503, "", 0.1, Duration.ZERO);
        }

        /** True if an answer telling the client to come back after {@code retryAfterSeconds} closes the connection. */
        public boolean closesFor(int retryAfterSeconds) {
            return !closeFromRetryAfter.isZero() && retryAfterSeconds * 1_000L >= closeFromRetryAfter.toMillis();
        }
    }

    /**
     * Where tickets travel.
     *
     * @param cookieName the ticket cookie's name, {@code readmit} by default
     * @param headerName the ticket header's name (request and response), {@code Readmit-Ticket}
     * @param lifetime the ticket cookie's {@code Max-Age}
     * @param secure true when TLS terminates in front of the gateway: the cookie gets {@code Secure}
     */
    public record Ticket(String cookieName, String headerName, Duration lifetime, boolean secure) {
        public Ticket {
            Objects.requireNonNull(cookieName, "cookieName");
            Objects.requireNonNull(headerName, "headerName");
            Objects.requireNonNull(lifetime, "lifetime");
        }

        /** Cookie {@code readmit}, header {@code Readmit-Ticket}, 24 hours, not secure. */
        public static Ticket ofDefaults() {
            return new Ticket("readmit", "Readmit-Ticket", Duration.ofHours(24), false);
        }
    }
}
