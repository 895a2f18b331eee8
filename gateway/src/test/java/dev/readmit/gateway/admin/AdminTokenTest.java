package dev.readmit.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.GatewayConfig;
import dev.readmit.gateway.config.GatewayConfigReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AdminTokenTest {

    @TempDir
    Path dir;

    @Test
    void acceptsOnlyTheBearerOfTheToken() {
        AdminToken token = AdminToken.of("s3cret-token", "test");
        assertThat(token.accepts("Bearer s3cret-token")).isTrue();
        assertThat(token.accepts("bearer s3cret-token")).isTrue();
        assertThat(token.accepts("Bearer s3cret-tokeN")).isFalse();
        assertThat(token.accepts("Bearer s3cret-token-and-more")).isFalse();
        assertThat(token.accepts("Basic s3cret-token")).isFalse();
        assertThat(token.accepts("s3cret-token")).isFalse();
        assertThat(token.accepts(null)).isFalse();
    }

    @Test
    void withoutATokenNothingIsAccepted() {
        assertThat(AdminToken.none().configured()).isFalse();
        assertThat(AdminToken.none().accepts("Bearer ")).isFalse();
        assertThat(AdminToken.none().accepts("Bearer anything")).isFalse();
    }

    @Test
    void theEnvironmentWinsOverTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("t"), "from-file\n");
        AdminToken token = AdminToken.resolve(Map.of(AdminToken.ENV, "from-env"), Optional.of(file));
        assertThat(token.accepts("Bearer from-env")).isTrue();
        assertThat(token.accepts("Bearer from-file")).isFalse();
        assertThat(token.source()).isEqualTo("the environment variable READMIT_ADMIN_TOKEN");
        assertThat(token.toString()).doesNotContain("from-env");
    }

    @Test
    void theFileGivesTheTokenFromItsFirstNonBlankLine() throws Exception {
        Path file = Files.writeString(dir.resolve("t"), "\n  from-file  \n");
        AdminToken token = AdminToken.resolve(Map.of(), Optional.of(file));
        assertThat(token.accepts("Bearer from-file")).isTrue();
        assertThat(AdminToken.resolve(Map.of(), Optional.empty()).configured()).isFalse();
    }

    @Test
    void anEmptyTokenFileIsAConfigProblem() throws Exception {
        Path file = Files.writeString(dir.resolve("t"), "\n\n");
        ConfigException e =
                catchThrowableOfType(ConfigException.class, () -> AdminToken.resolve(Map.of(), Optional.of(file)));
        assertThat(e.problems().get(0).path()).isEqualTo("admin.tokenFile");
        assertThat(e.problems().get(0).message()).contains("holds no token");
    }

    @Test
    void theConfigNamesTheTokenFileAndRefusesAMissingOne() throws Exception {
        Path file = Files.writeString(dir.resolve("admin.token"), "x\n");
        GatewayConfig c = GatewayConfigReader.read(
                "upstream:\n  url: http://a:1\nadmin:\n  listen: 127.0.0.1:9090\n  tokenFile: " + file + "\n", "test");
        assertThat(c.adminTokenFile()).contains(file);

        ConfigException e = catchThrowableOfType(
                ConfigException.class,
                () -> GatewayConfigReader.read(
                        "upstream:\n  url: http://a:1\nadmin:\n  tokenFile: " + dir.resolve("nope") + "\n", "test"));
        assertThat(e.getMessage()).contains("admin.tokenFile: must name a readable file holding the admin token");
    }
}
