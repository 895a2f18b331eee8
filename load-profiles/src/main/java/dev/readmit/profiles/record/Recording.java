package dev.readmit.profiles.record;

import dev.readmit.profiles.format.Profile;
import java.util.List;

/**
 * What the recorder made of an access log. Immutable.
 *
 * @param profile the recorded profile (events sorted by intended time)
 * @param linesRead lines in the log (blank lines included)
 * @param malformedCount lines skipped because they could not be parsed
 * @param malformed the first {@link AccessLogRecorder#MAX_REPORTED_MALFORMED} skipped lines, with why
 */
public record Recording(Profile profile, long linesRead, long malformedCount, List<MalformedLine> malformed) {
    public Recording {
        malformed = List.copyOf(malformed);
    }
}
