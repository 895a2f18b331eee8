package dev.readmit.gateway.config;

/**
 * One thing wrong with a configuration: where, and what is allowed instead.
 *
 * @param path the field's path in the YAML document, e.g. {@code admission.classes[2].match.path}
 * @param message what is wrong and what is allowed, e.g. {@code must be between 0 and 100, got 140}
 */
public record ConfigProblem(String path, String message) {

    @Override
    public String toString() {
        return path + ": " + message;
    }
}
