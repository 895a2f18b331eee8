package dev.readmit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.readmit.gateway.LeakCheckExtension;
import dev.readmit.gateway.admin.AdminFixture;
import dev.readmit.gateway.admin.AdminToken;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@ExtendWith(LeakCheckExtension.class)
final class CtlCommandTest {

    @TempDir
    Path dir;

    private AdminFixture f;
    private Path tokenFile;
    private StringWriter out;
    private StringWriter err;

    @BeforeEach
    void start() throws Exception {
        f = new AdminFixture(dir);
        tokenFile = Files.writeString(dir.resolve("admin.token"), AdminFixture.TOKEN + "\n");
    }

    @AfterEach
    void stop() {
        f.close();
    }

    /** Runs {@code readmit ctl --admin URL --token-file FILE args...} with an empty environment. */
    private int ctl(String... args) {
        List<String> all = new ArrayList<>(List.of("--admin", f.adminUrl(), "--token-file", tokenFile.toString()));
        all.addAll(List.of(args));
        return run(new CommandLine(new CtlCommand(Map.of())), all.toArray(String[]::new));
    }

    private int run(CommandLine cli, String... args) {
        out = new StringWriter();
        err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void isASubcommandOfReadmit() {
        CommandLine ctl = ReadmitCommand.newCommandLine().getSubcommands().get("ctl");
        assertThat(ctl).isNotNull();
        assertThat(ctl.getSubcommands())
                .containsKeys(
                        "status",
                        "pause",
                        "resume",
                        "advance",
                        "rollback",
                        "open",
                        "rate",
                        "message",
                        "events",
                        "reload");
    }

    @Test
    void statusPrintsAReadableSummary() {
        assertThat(ctl("status")).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("gate        green")
                .contains("clients     0 admitted, 0 waiting")
                .contains("new clients 50/s, burst 20")
                .contains("message     \"back soon\"")
                .containsPattern("restores\\s+always open\\s+100.0%")
                .containsPattern("paying\\s+ramping\\s+20.0%")
                .containsPattern("everyone\\s+ramping\\s+10.0%");
    }

    @Test
    void statusWithJsonPrintsTheGatewaysAnswer() throws Exception {
        assertThat(ctl("status", "--json")).isZero();
        JsonNode s = new ObjectMapper().readTree(out.toString());
        assertThat(s.get("admission").asText()).isEqualTo("on");
        assertThat(s.get("classes")).hasSize(3);
    }

    @Test
    void pauseAndResumeEveryRampedClass() throws Exception {
        assertThat(ctl("pause")).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("paying: ramping 20.0% -> paused 20.0%")
                .contains("everyone: ramping 10.0% -> paused 10.0%");
        assertThat(f.classStatus("everyone").get("state").asText()).isEqualTo("paused");
        assertThat(ctl("resume", "--class", "everyone")).isZero();
        assertThat(out.toString()).isEqualTo("everyone: paused 10.0% -> ramping 10.0%\n");
        assertThat(f.classStatus("everyone").get("state").asText()).isEqualTo("ramping");
        assertThat(f.classStatus("paying").get("state").asText()).isEqualTo("paused");
    }

    @Test
    void advanceAndRollbackMoveTheRamp() throws Exception {
        // The default ramp is 5 % then 20 equal steps to 100 %: from 10 % the next step is 14.5 %, the
        // one below it 9.75 %.
        assertThat(ctl("advance", "--class", "everyone")).isZero();
        assertThat(out.toString()).isEqualTo("everyone: ramping 10.0% -> ramping 14.5%\n");
        assertThat(ctl("rollback", "--class", "everyone")).isZero();
        assertThat(out.toString()).isEqualTo("everyone: ramping 14.5% -> ramping 9.8%\n");
        assertThat(f.classStatus("everyone").get("openPercent").asDouble()).isEqualTo(9.75);
    }

    @Test
    void openSetsAClassAndARefusalExitsWith1() throws Exception {
        assertThat(ctl("open", "paying", "40")).isZero();
        assertThat(out.toString()).isEqualTo("paying: ramping 20.0% -> ramping 40.0%\n");
        assertThat(f.classStatus("paying").get("openPercent").asDouble()).isEqualTo(40.0);

        assertThat(ctl("open", "restores", "5")).isEqualTo(1);
        assertThat(err.toString()).contains("readmit ctl: refused (409): class 'restores' is always open");
        assertThat(ctl("open", "vip", "5")).isEqualTo(1);
        assertThat(err.toString()).contains("no class named 'vip'; classes: restores, paying, everyone");
    }

    @Test
    void rateSetsTheRateAndBurst() throws Exception {
        assertThat(ctl("rate", "120", "30")).isZero();
        assertThat(out.toString()).isEqualTo("new-client rate: 50/s burst 20 -> 120/s burst 30\n");
        assertThat(f.status().get("newClientRate").get("perSecond").asDouble()).isEqualTo(120.0);
        assertThat(ctl("rate", "-1")).isEqualTo(1);
        assertThat(err.toString()).contains("refused (400)");
        assertThat(f.status().get("newClientRate").get("perSecond").asDouble()).isEqualTo(120.0);
    }

    @Test
    void messageSetsAndClearsTheWaitingRoomMessage() throws Exception {
        assertThat(ctl("message", "Back", "at", "14:00", "UTC")).isZero();
        assertThat(out.toString()).isEqualTo("message: \"Back at 14:00 UTC\"\n");
        assertThat(f.status().get("message").asText()).isEqualTo("Back at 14:00 UTC");
        assertThat(ctl("message", "--clear")).isZero();
        assertThat(out.toString()).isEqualTo("message: cleared\n");
        assertThat(f.status().get("message").asText()).isEmpty();
        assertThat(ctl("message")).isEqualTo(2);
        assertThat(err.toString()).contains("give the message TEXT, or --clear");
    }

    @Test
    void eventsListsWhatOperatorsDidNewestFirst() {
        ctl("--as", "alice", "rate", "10");
        ctl("--as", "bob", "pause", "--class", "paying");
        assertThat(ctl("events", "--limit", "3")).isZero();
        String[] lines = out.toString().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).contains("operator", "bob (127.0.0.1:", "pause paying: ramping 20.0% -> paused 20.0%");
        assertThat(lines[1]).contains("ramp", "bob", "operator paying: ramping 20.0% -> paused 20.0%");
        assertThat(lines[2]).contains("operator", "alice (127.0.0.1:", "rate: 50/s burst 20 -> 10/s burst 20");
    }

    @Test
    void reloadAppliesTheFileAndRefusesABadOne() throws Exception {
        Files.writeString(
                f.configFile,
                Files.readString(f.configFile).replace("newClientsPerSecond: 50", "newClientsPerSecond: 70"));
        assertThat(ctl("reload")).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("applied admission.newClientsPerSecond/burst: 50/s burst 20 -> 70/s burst 20");

        Files.writeString(
                f.configFile, Files.readString(f.configFile).replace("workerThreads: 1", "workerThreads: -3"));
        assertThat(ctl("reload")).isEqualTo(1);
        assertThat(err.toString())
                .contains("refused (400): the configuration was refused")
                .contains("  - workerThreads: ");
    }

    @Test
    void aChangeWithoutATokenExitsWith4AndChangesNothing() throws Exception {
        int code = run(new CommandLine(new CtlCommand(Map.of())), "--admin", f.adminUrl(), "pause");
        assertThat(code).isEqualTo(4);
        assertThat(err.toString()).contains("no admin token: set READMIT_ADMIN_TOKEN or give --token-file FILE");
        assertThat(f.classStatus("everyone").get("state").asText()).isEqualTo("ramping");
    }

    @Test
    void aWrongTokenExitsWith4() throws Exception {
        Files.writeString(tokenFile, "wrong-token");
        assertThat(ctl("pause")).isEqualTo(4);
        assertThat(err.toString()).contains("readmit ctl: unauthorized: wrong admin token; nothing was changed");
        assertThat(f.classStatus("everyone").get("state").asText()).isEqualTo("ramping");
    }

    @Test
    void theTokenIsTakenFromTheEnvironment() throws Exception {
        CommandLine cli = new CommandLine(new CtlCommand(Map.of(AdminToken.ENV, AdminFixture.TOKEN)));
        assertThat(run(cli, "--admin", f.adminUrl(), "pause", "--class", "everyone"))
                .as(err.toString())
                .isZero();
        assertThat(f.classStatus("everyone").get("state").asText()).isEqualTo("paused");
    }

    @Test
    void anUnreachableGatewayExitsWith3() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        int code = run(new CommandLine(new CtlCommand(Map.of())), "--admin", "http://127.0.0.1:" + port, "status");
        assertThat(code).isEqualTo(3);
        assertThat(err.toString()).contains("readmit ctl: cannot reach the admin API at http://127.0.0.1:" + port);
    }

    @Test
    void badUsageExitsWith2() {
        assertThat(ctl("open", "everyone")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'PERCENT'");
        assertThat(run(new CommandLine(new CtlCommand(Map.of())), "--admin", "ftp://x", "status"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--admin must be the admin API's URL");
        assertThat(ctl("frobnicate")).isEqualTo(2);
        assertThat(run(new CommandLine(new CtlCommand(Map.of())))).isEqualTo(2);
        assertThat(err.toString()).contains("give a command: status, pause");
    }
}
