package dev.readmit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class GatewayCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = ReadmitCommand.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void switchesNettyLeakDetectionOffWhenNoLevelIsAskedFor() {
        String asked = System.clearProperty(GatewayCommand.LEAK_DETECTION_PROPERTY);
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
        try {
            GatewayCommand.leakDetectionOffUnlessAsked();
            assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
        } finally {
            if (asked != null) {
                System.setProperty(GatewayCommand.LEAK_DETECTION_PROPERTY, asked);
            }
            ResourceLeakDetector.setLevel(before);
        }
    }

    @Test
    void keepsTheNettyLeakDetectionLevelThatIsAskedFor() {
        String asked = System.setProperty(GatewayCommand.LEAK_DETECTION_PROPERTY, "paranoid");
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
        try {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
            GatewayCommand.leakDetectionOffUnlessAsked();
            assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        } finally {
            if (asked == null) {
                System.clearProperty(GatewayCommand.LEAK_DETECTION_PROPERTY);
            } else {
                System.setProperty(GatewayCommand.LEAK_DETECTION_PROPERTY, asked);
            }
            ResourceLeakDetector.setLevel(before);
        }
    }

    @Test
    void isASubcommandOfReadmit() {
        assertThat(ReadmitCommand.newCommandLine().getSubcommands()).containsKey("gateway");
    }

    @Test
    void refusesToStartWithoutAConfigOrAnUpstream() {
        assertThat(run("gateway")).isEqualTo(2);
        assertThat(err.toString()).contains("give --config FILE, or --upstream URL for a quick start");
    }

    @Test
    void acceptsTheQuickStartFlagsAndPutsAdmissionFlagsInTheAdmissionSection() throws Exception {
        Path key = Files.writeString(dir.resolve("ticket.key"), "0123456789abcdef0123456789abcdef");
        int code = run(
                "gateway",
                "--check",
                "--listen",
                "127.0.0.1:8088",
                "--upstream",
                "http://127.0.0.1:9000",
                "--admin",
                "127.0.0.1:9099",
                "--open",
                "25",
                "--rate",
                "40",
                "--ticket-key-file",
                key.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("configuration is valid")
                .contains("listen=127.0.0.1:8088")
                .contains("adminListen=Optional[127.0.0.1:9099]")
                .contains("\"openPercent\":25.0")
                .contains("\"newClientsPerSecond\":40.0")
                .contains("\"ticketKeyFile\":\"" + key + "\"");
    }

    @Test
    void refusesAnOpenPercentageOutOfRange() {
        assertThat(run("gateway", "--upstream", "http://a:1", "--open", "140")).isEqualTo(2);
        assertThat(err.toString()).contains("--open must be a percentage from 0 to 100, got 140.0");
    }

    @Test
    void refusesANegativeRate() {
        assertThat(run("gateway", "--upstream", "http://a:1", "--rate", "-1")).isEqualTo(2);
        assertThat(err.toString()).contains("--rate must be a number of new clients per second, 0 or more");
    }

    @Test
    void refusesAMissingTicketKeyFile() {
        assertThat(run(
                        "gateway",
                        "--upstream",
                        "http://a:1",
                        "--ticket-key-file",
                        dir.resolve("nope").toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--ticket-key-file must be a readable file");
    }

    @Test
    void flagsOverrideTheFile() throws Exception {
        Path file = Files.writeString(
                dir.resolve("readmit.yaml"),
                "listen: 0.0.0.0:80\nupstream:\n  url: http://old:1\n  hostHeader: rewrite\n");
        int code = run("gateway", "--check", "--config", file.toString(), "--upstream", "http://new:2");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("http://new:2")
                .contains("hostHeader=REWRITE")
                .contains("0.0.0.0:80");
    }

    @Test
    void refusesAnInvalidFileNamingTheFieldAndWhatIsAllowed() throws Exception {
        Path file =
                Files.writeString(dir.resolve("readmit.yaml"), "upstream:\n  url: http://a:1\n  hostHeader: keep\n");
        assertThat(run("gateway", "--config", file.toString())).isEqualTo(1);
        assertThat(err.toString())
                .contains("invalid configuration " + file + " (1 problem)")
                .contains("upstream.hostHeader: must be one of preserve, rewrite; got 'keep'");
    }

    @Test
    void refusesAFlagValueTheConfigRefuses() {
        assertThat(run("gateway", "--upstream", "http://a:1", "--listen", "nowhere"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("listen: expected HOST:PORT");
    }
}
