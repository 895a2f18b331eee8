package dev.readmit.gateway.admin;

import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.ConfigProblem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bearer token that every changing admin request must carry ({@code Authorization: Bearer
 * TOKEN}). It comes from the environment variable {@value #ENV} or from the file named by {@code
 * admin.tokenFile}, never from the command line (where {@code ps} would show it).
 *
 * <p>Checking compares SHA-256 digests with {@link MessageDigest#isEqual}, so the time taken does
 * not depend on how much of a guess matches, nor on its length. Immutable and thread safe.
 */
public final class AdminToken {

    /** The environment variable holding the token; wins over {@code admin.tokenFile}. */
    public static final String ENV = "READMIT_ADMIN_TOKEN";

    /** The operator identity of a request that carries the token but no {@code X-Readmit-Operator}. */
    public static final String IDENTITY = "admin";

    private static final String BEARER = "bearer ";
    private static final AdminToken NONE = new AdminToken(null, "none");

    private final byte[] digest;
    private final String source;

    private AdminToken(byte[] digest, String source) {
        this.digest = digest;
        this.source = source;
    }

    /** No token: every changing request is refused. */
    public static AdminToken none() {
        return NONE;
    }

    /**
     * A token given directly (tests, embedding).
     *
     * @param token the secret, not blank
     * @param source where it came from, for the start-up log (never the token itself)
     */
    public static AdminToken of(String token, String source) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the admin token must not be blank");
        }
        return new AdminToken(sha256(token.strip()), source);
    }

    /**
     * The token from {@code env}'s {@value #ENV}, else from {@code file}'s first non-blank line, else
     * {@link #none()}.
     *
     * @throws ConfigException if the file cannot be read or holds no token
     */
    public static AdminToken resolve(Map<String, String> env, Optional<Path> file) throws ConfigException {
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return of(fromEnv, "the environment variable " + ENV);
        }
        if (file.isEmpty()) {
            return NONE;
        }
        Path path = file.get();
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(
                    path.toString(), List.of(new ConfigProblem("admin.tokenFile", "cannot be read: " + e)));
        }
        for (String line : lines) {
            if (!line.isBlank()) {
                return of(line, "the file " + path);
            }
        }
        throw new ConfigException(
                path.toString(),
                List.of(new ConfigProblem(
                        "admin.tokenFile",
                        "the file holds no token; write one line, e.g. head -c 24 /dev/urandom | base64")));
    }

    /** True when a token is configured; without one every changing request is refused. */
    public boolean configured() {
        return digest != null;
    }

    /** Where the token came from, e.g. {@code the file /etc/readmit/admin.token}; never the token. */
    public String source() {
        return source;
    }

    /**
     * True if {@code authorization} (an {@code Authorization} header value, or null) is {@code Bearer}
     * and this token, in time independent of how close a wrong token is.
     */
    public boolean accepts(String authorization) {
        if (digest == null || authorization == null || authorization.length() <= BEARER.length()) {
            return false;
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] presented = sha256(authorization.substring(BEARER.length()).strip());
        return MessageDigest.isEqual(digest, presented);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return configured() ? "AdminToken[from " + source + "]" : "AdminToken[none]";
    }
}
