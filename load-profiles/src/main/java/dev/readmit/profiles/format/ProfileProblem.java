package dev.readmit.profiles.format;

/**
 * One thing wrong with a profile: where ({@code file:line}, and the field path inside that line's JSON)
 * and why. Immutable.
 *
 * @param source file or resource name
 * @param line 1-based line where the JSON value at fault starts
 * @param field field path such as {@code model.populations[0].arrival.process}, empty for the line
 * @param reason what is wrong and what is allowed
 */
public record ProfileProblem(String source, int line, String field, String reason) {
    @Override
    public String toString() {
        return source + ":" + line + ": " + (field.isEmpty() ? "" : field + ": ") + reason;
    }
}
