package dev.readmit.profiles.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The profiles shipped in the jar ({@code /profiles/<name>.profile.json}) and the rule that resolves a
 * profile argument: an existing file path wins, else a bundled name. Stateless and thread safe.
 */
public final class BundledProfiles {
    /** The bundled profile names. */
    public static final List<String> NAMES =
            List.of("backup-agents-return", "chat-mass-reconnect", "web-after-maintenance", "steady-state");

    private BundledProfiles() {}

    /**
     * Loads a bundled profile by name.
     *
     * @throws IllegalArgumentException if no profile has that name (the message lists the names)
     */
    public static Profile load(String name) throws IOException, ProfileException {
        String resource = "/profiles/" + name + ".profile.json";
        InputStream in = NAMES.contains(name) ? BundledProfiles.class.getResourceAsStream(resource) : null;
        if (in == null) {
            throw new IllegalArgumentException(
                    "no profile file or bundled profile named \"" + name + "\"; bundled: " + String.join(", ", NAMES));
        }
        try (InputStreamReader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return ProfileReader.read(reader, "bundled:" + name);
        }
    }

    /** Reads {@code fileOrName} as a file if one exists at that path, else as a bundled profile name. */
    public static Profile resolve(String fileOrName) throws IOException, ProfileException {
        Path file = Path.of(fileOrName);
        if (Files.isRegularFile(file)) {
            return ProfileReader.read(file);
        }
        return load(fileOrName);
    }
}
