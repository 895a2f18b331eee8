package dev.readmit.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.readmit.gateway.LeakCheckExtension;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LeakCheckExtension.class)
final class ConfigReloadTest {

    @TempDir
    Path dir;

    private AdminFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new AdminFixture(dir);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private void rewrite(String from, String to) throws Exception {
        String yaml = Files.readString(f.configFile);
        assertThat(yaml).contains(from);
        Files.writeString(f.configFile, yaml.replace(from, to));
    }

    @Test
    void aGoodFileAppliesRateMessageAndOpenLiveAndNamesWhatNeedsARestart() throws Exception {
        rewrite("newClientsPerSecond: 50", "newClientsPerSecond: 80");
        rewrite("message: \"back soon\"", "message: \"nearly there\"");
        rewrite("openPercent: 20", "openPercent: 35");
        rewrite("workerThreads: 1", "workerThreads: 2");
        rewrite("defaultClass: everyone", "defaultClass: everyone\n  redHold: 9s");

        HttpResponse<String> r = f.post("/config/reload", "", AdminFixture.TOKEN);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = AdminFixture.json(r);
        assertThat(answer.get("changed").asBoolean()).isTrue();
        assertThat(answer.get("applied"))
                .extracting(a -> a.get("field").asText())
                .containsExactly(
                        "admission.newClientsPerSecond/burst",
                        "admission.waiting.message",
                        "admission.classes[1].openPercent");
        assertThat(answer.get("needsRestart"))
                .extracting(JsonNode::asText)
                .containsExactly("admission.redHold", "workerThreads");
        JsonNode s = f.status();
        assertThat(s.get("newClientRate").get("perSecond").asDouble()).isEqualTo(80.0);
        assertThat(s.get("message").asText()).isEqualTo("nearly there");
        assertThat(f.classStatus("paying").get("openPercent").asDouble()).isEqualTo(35.0);
        assertThat(f.classStatus("everyone").get("openPercent").asDouble()).isEqualTo(10.0);
        assertThat(f.admin.events().newestFirst(1).get(0).action()).isEqualTo("reload");
    }

    @Test
    void reloadingAnUnchangedFileChangesNothingAndKeepsAnOperatorsLaterChange() throws Exception {
        f.post("/ramp/open", "{\"class\":\"everyone\",\"percent\":60}", AdminFixture.TOKEN);
        HttpResponse<String> r = f.post("/config/reload", "", AdminFixture.TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(AdminFixture.json(r).get("changed").asBoolean()).isFalse();
        assertThat(AdminFixture.json(r).get("applied")).isEmpty();
        assertThat(AdminFixture.json(r).get("needsRestart")).isEmpty();
        assertThat(f.classStatus("everyone").get("openPercent").asDouble()).isEqualTo(60.0);
    }

    @Test
    void aBadFileIsRefusedWithEveryProblemAndTheRunningConfigStays() throws Exception {
        rewrite("newClientsPerSecond: 50", "newClientsPerSecond: -5");
        rewrite("message: \"back soon\"", "message: \"should not show\"");
        rewrite("workerThreads: 1", "workerThreads: 0");

        HttpResponse<String> r = f.post("/config/reload", "", AdminFixture.TOKEN);

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode answer = AdminFixture.json(r);
        assertThat(answer.get("error").asText())
                .contains("the configuration was refused; the running configuration stays");
        assertThat(answer.get("problems"))
                .extracting(p -> p.get("field").asText())
                .contains("workerThreads");
        JsonNode s = f.status();
        assertThat(s.get("newClientRate").get("perSecond").asDouble()).isEqualTo(50.0);
        assertThat(s.get("message").asText()).isEqualTo("back soon");
    }

    @Test
    void aBadAdmissionSectionIsRefusedNamingTheField() throws Exception {
        rewrite("newClientsPerSecond: 50", "newClientsPerSecond: -5");
        rewrite("message: \"back soon\"", "message: \"should not show\"");

        HttpResponse<String> r = f.post("/config/reload", "", AdminFixture.TOKEN);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(AdminFixture.json(r).get("problems"))
                .extracting(p -> p.get("field").asText())
                .containsExactly("admission.newClientsPerSecond");
        assertThat(f.status().get("message").asText()).isEqualTo("back soon");
    }

    @Test
    void aFileThatIsNotYamlIsRefused() throws Exception {
        Files.writeString(f.configFile, "listen: [unclosed\n");
        HttpResponse<String> r = f.post("/config/reload", "", AdminFixture.TOKEN);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(AdminFixture.json(r).get("problems").get(0).get("problem").asText())
                .contains("not valid YAML");
    }

    @Test
    void aReloadWithoutTheTokenDoesNotReadTheFile() throws Exception {
        rewrite("newClientsPerSecond: 50", "newClientsPerSecond: 80");
        assertThat(f.post("/config/reload", "", null).statusCode()).isEqualTo(401);
        assertThat(f.status().get("newClientRate").get("perSecond").asDouble()).isEqualTo(50.0);
    }
}
