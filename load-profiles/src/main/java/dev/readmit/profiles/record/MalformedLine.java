package dev.readmit.profiles.record;

/**
 * A log line the recorder skipped.
 *
 * @param line 1-based line number in the log
 * @param reason what was wrong with it
 */
public record MalformedLine(long line, String reason) {
    @Override
    public String toString() {
        return "line " + line + ": " + reason;
    }
}
