package dev.readmit.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.cli.GatewayCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Bad config gets a clear error: the shipped example and a full admission section, mutated at random (a
 * fixed seed: lines dropped, repeated or shifted, values replaced by odd ones, characters changed), are
 * either accepted or refused with a {@link ConfigException} naming fields, never with another exception.
 */
final class ConfigMutationTest {

    private static final String ADMISSION =
            """
            admission:
              enabled: true
              salt: readmit
              openPercent: 5
              clientKey:
                - header: X-Client-Id
                - cookie: session
                - query: client
                - authorization
                - ticket
                - source
              trustedProxies: [10.0.0.0/8, 192.168.1.10, "fd00::/8"]
              ramp:
                linear: {fromPercent: 5, toPercent: 100, over: 10m, steps: 20}
              classes:
                - name: restores
                  match: {path: "/api/restore/**"}
                  alwaysOpen: true
                - name: uploads
                  match: {path: "/api/*/upload", methods: [PUT, POST]}
                  ramp: {steps: [{percent: 10, hold: 2m}, {percent: 100, hold: 0s}]}
                - name: paying
                  match: {header: {name: X-Tier, value: paying}}
                  openPercent: 50
                  ramp: {doubling: {startPercent: 50, every: 1m}}
              defaultClass: everyone
              newClientsPerSecond: 100
              burst: 10
              redHold: 5s
              waiting:
                mode: hold
                maxQueue: 10000
                maxWait: 30s
                rejectStatus: 503
                message: "We are back at 14:00 UTC"
                retryAfterJitter: 0.1
                closeFromRetryAfter: 5s
              ticket:
                cookie: readmit
                header: Readmit-Ticket
                lifetime: 24h
                secure: false
              health:
                window: 1s
                minRequests: 20
                amberP99: 500ms
                redP99: 2s
                amberErrorRate: 0.01
                redErrorRate: 0.05
                learnBaselineSamples: 2000
                amberP99OverBaseline: 1.25
                redP99OverBaseline: 1.5
                recoveryHold: 2s
              concurrency:
                algorithm: gradient
                initial: 20
                min: 4
                max: 1000
                fullRateBelow: 0.75
              breaker:
                failureRatePercent: 50
                minimumCalls: 20
                slidingWindowCalls: 100
                waitInOpen: 10s
              admitted:
                maxClients: 1000000
                idleTimeout: 30m
            """;

    private static final String ODD = ":-[{\"'#&*!|>%@`";

    private static final String[] VALUES = {
        "-1",
        "0",
        "1e400",
        "~",
        "''",
        "[]",
        "{}",
        "3.5",
        "-3s",
        "PT-5S",
        "10%",
        "2kb",
        "NaN",
        "true",
        "http://",
        "999.999.999.999:80",
        "99999999999999999999",
        "[1, 2]",
        "{a: 1}",
        "\"\\u0000\"",
        "*",
        "&a",
        "!!binary x"
    };

    @Test
    void everyMutatedConfigIsAcceptedOrRefusedWithAConfigException() throws IOException, ConfigException {
        String example = Files.readString(Path.of("readmit.example.yaml"));
        List<String> documents = List.of(example, example + ADMISSION);
        for (String document : documents) {
            // Unmutated, both are valid: what is refused below is refused for the mutation.
            GatewayCommand.admissionSettings(GatewayConfigReader.read(document, "unmutated"));
        }
        SplittableRandom random = new SplittableRandom(1701L);
        List<String> bugs = new ArrayList<>();
        int refused = 0;
        int accepted = 0;
        for (int i = 0; i < 600; i++) {
            String yaml = mutate(documents.get(i % 2), random);
            try {
                GatewayConfig config = GatewayConfigReader.read(yaml, "mutation " + i);
                // What the gateway command does next at start: the admission section's own checks.
                GatewayCommand.admissionSettings(config);
                accepted++;
            } catch (ConfigException e) {
                assertThat(e.problems())
                        .as("a refusal names at least one field")
                        .isNotEmpty();
                refused++;
            } catch (RuntimeException e) {
                StackTraceElement[] st = e.getStackTrace();
                bugs.add("mutation " + i + ": " + e + (st.length > 0 ? " at " + st[0] : "") + "\n"
                        + diff(documents.get(i % 2), yaml));
            }
        }
        assertThat(bugs)
                .as("mutations that escaped as something other than a ConfigException")
                .isEmpty();
        assertThat(refused).isGreaterThan(100);
        assertThat(accepted).isGreaterThan(10);
    }

    private static String mutate(String text, SplittableRandom random) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int mutations = 1 + random.nextInt(2);
        for (int m = 0; m < mutations; m++) {
            int at = random.nextInt(lines.size());
            String line = lines.get(at);
            switch (random.nextInt(5)) {
                case 0 -> lines.remove(at);
                case 1 -> lines.add(at, line);
                case 2 -> lines.set(at, random.nextBoolean() ? "  " + line : line.replaceFirst("^  ", ""));
                case 3 -> {
                    int colon = line.indexOf(": ");
                    if (colon >= 0) {
                        int comment = line.indexOf(" #", colon);
                        String rest = comment < 0 ? "" : line.substring(comment);
                        lines.set(at, line.substring(0, colon + 2) + VALUES[random.nextInt(VALUES.length)] + rest);
                    }
                }
                default -> {
                    if (!line.isEmpty()) {
                        int c = random.nextInt(line.length());
                        lines.set(
                                at,
                                line.substring(0, c)
                                        + ODD.charAt(random.nextInt(ODD.length()))
                                        + line.substring(c + 1));
                    }
                }
            }
        }
        return String.join("\n", lines);
    }

    /** The lines of {@code mutated} that are not in {@code original}, for the failure message. */
    private static String diff(String original, String mutated) {
        List<String> before = List.of(original.split("\n", -1));
        StringBuilder sb = new StringBuilder();
        for (String line : mutated.split("\n", -1)) {
            if (!before.contains(line)) {
                sb.append("  > ").append(line).append('\n');
            }
        }
        return sb.toString();
    }
}
