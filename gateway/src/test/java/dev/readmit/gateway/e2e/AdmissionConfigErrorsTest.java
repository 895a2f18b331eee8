package dev.readmit.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.readmit.cli.GatewayCommand;
import dev.readmit.cli.ReadmitCommand;
import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.ConfigProblem;
import dev.readmit.gateway.config.GatewayConfigReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Typical mistakes in the {@code admission} section stop the gateway before it starts, each reported with
 * its field path and what is allowed; {@code readmit gateway --check} prints them all and exits 1.
 */
final class AdmissionConfigErrorsTest {

    private static final String MISSING_KEY_FILE = "/nonexistent/readmit/ticket.key";

    @TempDir
    Path dir;

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("an unknown field", "  openPercnt: 10\n", "admission.openPercnt", "unknown"),
                Arguments.of(
                        "an open percentage above 100",
                        "  openPercent: 150\n",
                        "admission.openPercent",
                        "must be a number from 0 to 100; got 150"),
                Arguments.of(
                        "a negative new-client rate",
                        "  newClientsPerSecond: -5\n",
                        "admission.newClientsPerSecond",
                        "must be a number from 0 to"),
                Arguments.of(
                        "an unknown ramp shape in a class",
                        "  classes:\n"
                                + "    - name: restores\n"
                                + "      match: {path: \"/api/restore/**\"}\n"
                                + "      ramp: {exponential: {startPercent: 1}}\n",
                        "admission.classes[0].ramp.exponential",
                        "unknown ramp shape"),
                Arguments.of(
                        "a ticket key file that does not exist",
                        "  ticketKeyFile: " + MISSING_KEY_FILE + "\n",
                        "admission.ticketKeyFile",
                        "must name a readable file"));
    }

    private static String document(String admissionBody) {
        return "listen: 127.0.0.1:0\nupstream:\n  url: http://127.0.0.1:9000\nadmission:\n" + admissionBody;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void eachMistakeIsRefusedNamingTheField(String what, String admission, String field, String allowed) {
        assertThatThrownBy(() -> GatewayCommand.admissionSettings(GatewayConfigReader.read(document(admission), "t")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).extracting(ConfigProblem::path).contains(field);
                    assertThat(e.problems())
                            .filteredOn(p -> p.path().equals(field))
                            .extracting(ConfigProblem::message)
                            .anySatisfy(m -> assertThat(m).contains(allowed));
                });
    }

    @Test
    void checkPrintsEveryMistakeOfTheFileAndExitsNonZero() throws Exception {
        String all = mistakes().map(a -> (String) a.get()[1]).reduce("", String::concat);
        Path file = Files.writeString(dir.resolve("readmit.yaml"), document(all));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = ReadmitCommand.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));

        int code = cli.execute("gateway", "--check", "--config", file.toString());

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).doesNotContain("configuration is valid");
        String printed = err.toString();
        assertThat(printed).contains("invalid configuration");
        mistakes().forEach(a -> assertThat(printed).contains((String) a.get()[2] + ":"));
    }

    @Test
    void aValidAdmissionSectionPassesTheCheck() throws Exception {
        Path key = Files.writeString(dir.resolve("ticket.key"), "0123456789abcdef0123456789abcdef\n");
        Path file = Files.writeString(
                dir.resolve("readmit.yaml"),
                document("  openPercent: 30\n  newClientsPerSecond: 50\n  ticketKeyFile: " + key + "\n"));
        StringWriter err = new StringWriter();
        CommandLine cli = ReadmitCommand.newCommandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("gateway", "--check", "--config", file.toString()))
                .as(err.toString())
                .isZero();
    }
}
