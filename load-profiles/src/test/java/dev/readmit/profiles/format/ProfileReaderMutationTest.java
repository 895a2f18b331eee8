package dev.readmit.profiles.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Bad profiles get a clear error: the bundled profiles, mutated at random (a fixed seed), are either read
 * or refused with a {@link ProfileException}, never with any other exception (a bug: an unchecked value
 * reaching code that trusted it).
 */
final class ProfileReaderMutationTest {

    private static final String[] BUNDLED = {
        "backup-agents-return", "chat-mass-reconnect", "web-after-maintenance", "steady-state"
    };
    private static final String PUNCTUATION = "{}[]\",:0-9aZ";
    private static final String[] TOKENS = {
        "-1", "0", "1e400", "null", "true", "\"\"", "\"x\"", "[]", "{}", "3.5", "\"-5s\"", "\"1h\"", "99999999999"
    };

    @Test
    void everyMutatedProfileIsReadOrRefusedWithAProfileException() throws IOException {
        SplittableRandom random = new SplittableRandom(5150L);
        List<String> bugs = new ArrayList<>();
        int refused = 0;
        int read = 0;
        for (String name : BUNDLED) {
            String text = bundled(name);
            for (int i = 0; i < 150; i++) {
                String mutated = mutate(text, random);
                try {
                    Profile profile = ProfileReader.read(new StringReader(mutated), name + "#" + i);
                    // What was read must also plan (at a small scale, as a rehearsal would start).
                    dev.readmit.profiles.replay.PlanBuilder.build(profile, 10, 0.01, 0);
                    read++;
                } catch (ProfileException e) {
                    assertThat(e.getMessage()).as("the refusal says something").isNotBlank();
                    refused++;
                } catch (IOException | RuntimeException e) {
                    bugs.add(name + "#" + i + ": " + e + "\n" + around(mutated, e));
                }
            }
        }
        assertThat(bugs)
                .as("mutations that escaped as something other than a ProfileException")
                .isEmpty();
        assertThat(refused).as("refused").isGreaterThan(100);
        assertThat(read).as("read (harmless mutations)").isGreaterThan(0);
    }

    private static String bundled(String name) throws IOException {
        try (InputStream in =
                ProfileReaderMutationTest.class.getResourceAsStream("/profiles/" + name + ".profile.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Replaces a JSON value with another token, or a character, or deletes or repeats a span. */
    private static String mutate(String text, SplittableRandom random) {
        StringBuilder b = new StringBuilder(text);
        int mutations = 1 + random.nextInt(2);
        for (int m = 0; m < mutations; m++) {
            int at = random.nextInt(b.length());
            switch (random.nextInt(4)) {
                case 0 -> {
                    // the value after a colon
                    int colon = b.indexOf(":", at);
                    if (colon < 0) {
                        continue;
                    }
                    int end = colon + 1;
                    while (end < b.length() && ",}]\n".indexOf(b.charAt(end)) < 0) {
                        end++;
                    }
                    b.replace(colon + 1, end, " " + TOKENS[random.nextInt(TOKENS.length)]);
                }
                case 1 -> b.setCharAt(at, PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length())));
                case 2 -> b.delete(at, Math.min(b.length(), at + 1 + random.nextInt(12)));
                default -> b.insert(at, b.substring(at, Math.min(b.length(), at + 1 + random.nextInt(40))));
            }
        }
        return b.toString();
    }

    private static String around(String text, Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        return st.length > 0 ? "at " + st[0] : "";
    }
}
