package dev.readmit.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class GatewayConfigReaderTest {

    private static ConfigException problemsOf(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> GatewayConfigReader.read(yaml, "test.yaml"));
    }

    @Test
    void readsTheShippedExampleWithEveryOption() throws Exception {
        GatewayConfig c = GatewayConfigReader.read(Path.of("readmit.example.yaml"));
        assertThat(c.listen()).isEqualTo(new HostPort("0.0.0.0", 8080));
        assertThat(c.mode()).isEqualTo(ProxyMode.HTTP);
        assertThat(c.workerThreads()).isEqualTo(2);
        assertThat(c.upstream().url().toString()).isEqualTo("http://127.0.0.1:9000");
        assertThat(c.upstream().hostHeader()).isEqualTo(HostHeaderPolicy.PRESERVE);
        assertThat(c.upstream().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.upstream().maxConnections()).isEqualTo(1024);
        assertThat(c.limits().maxInitialLineLength()).isEqualTo(8192);
        assertThat(c.limits().maxHeaderSize()).isEqualTo(16384);
        assertThat(c.limits().maxContentLength()).isEqualTo(Long.MAX_VALUE);
        assertThat(c.limits().requestHeaderTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.limits().requestBodyTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.upstream().readTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.limits().responseSendTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.adminListen()).contains(new HostPort("127.0.0.1", 9090));
        assertThat(c.admission()).isEmpty();
    }

    @Test
    void needsOnlyTheUpstreamUrlAndDefaultsTheRest() throws Exception {
        GatewayConfig c = GatewayConfigReader.read("upstream:\n  url: http://backend:8081\n", "test");
        assertThat(c.listen()).isEqualTo(GatewayConfigReader.DEFAULT_LISTEN);
        assertThat(c.upstream().host()).isEqualTo("backend");
        assertThat(c.upstream().port()).isEqualTo(8081);
        assertThat(c.upstream().responseTimeout()).isEqualTo(UpstreamSettings.DEFAULT_RESPONSE_TIMEOUT);
        assertThat(c.workerThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.limits()).isEqualTo(LimitSettings.ofDefaults());
        assertThat(c.adminListen()).isEmpty();
    }

    @Test
    void reportsEveryProblemAtOnceWithItsFieldPath() {
        ConfigException e = problemsOf("listen: 8080\n"
                + "mode: udp\n"
                + "workerThreads: 0\n"
                + "upstream:\n"
                + "  url: ftp://files\n"
                + "  connectTimeout: 5\n"
                + "  responseTimout: 2s\n"
                + "limits:\n"
                + "  maxHeaderSize: 12 parsecs\n"
                + "colour: blue\n");
        assertThat(e.problems())
                .extracting(ConfigProblem::path)
                .containsExactlyInAnyOrder(
                        "colour",
                        "listen",
                        "mode",
                        "workerThreads",
                        "upstream.url",
                        "upstream.connectTimeout",
                        "upstream.responseTimout",
                        "limits.maxHeaderSize");
        assertThat(e.getMessage())
                .contains("invalid configuration test.yaml (8 problems)")
                .contains("mode: must be one of http, tcp; got 'udp'")
                .contains("workerThreads: must be a whole number from 1 to 1024; got 0")
                .contains(
                        "upstream.connectTimeout: must be a duration such as 250ms, 1.5s, 2m, 1h, 7d or PT30S; got 5 (add a unit)")
                .contains(
                        "upstream.responseTimout: unknown field; allowed here: connectTimeout, hostHeader, idleTimeout,"
                                + " maxConnections, readTimeout, responseTimeout, url")
                .contains("listen: must be HOST:PORT such as 127.0.0.1:8080; got 8080");
    }

    @Test
    void refusesAMissingUpstreamUrlNamingWhatIsAllowed() {
        ConfigException e = problemsOf("listen: 127.0.0.1:8080\n");
        assertThat(e.problems())
                .containsExactly(new ConfigProblem(
                        "upstream.url",
                        "is required; must be a URL such as http://127.0.0.1:9000 (scheme http, a host, a port, no"
                                + " path)"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "http | tcp://irc:6667 | upstream.url",
                "tcp | http://irc:6667 | upstream.url",
                "tcp | tcp://irc | upstream.url",
                "http | http://svc/path | upstream.url",
            })
    void refusesAnUpstreamUrlThatDoesNotFitTheMode(String mode, String url, String path) {
        ConfigException e = problemsOf("mode: " + mode + "\nupstream:\n  url: " + url + "\n");
        assertThat(e.problems()).extracting(ConfigProblem::path).containsExactly(path);
    }

    @ParameterizedTest
    @CsvSource({"250ms, 250", "5s, 5000", "1.5s, 1500", "2m, 120000", "1h, 3600000", "1d, 86400000", "PT90S, 90000"})
    void readsDurationsWithUnits(String text, long millis) throws Exception {
        GatewayConfig c =
                GatewayConfigReader.read("upstream:\n  url: http://a:1\n  idleTimeout: " + text + "\n", "test");
        assertThat(c.upstream().idleTimeout()).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource({"4096, 4096", "16KiB, 16384", "1MiB, 1048576"})
    void readsSizesWithUnits(String text, int bytes) throws Exception {
        GatewayConfig c = GatewayConfigReader.read(
                "upstream:\n  url: http://a:1\nlimits:\n  maxHeaderSize: " + text + "\n", "test");
        assertThat(c.limits().maxHeaderSize()).isEqualTo(bytes);
    }

    @Test
    void namesTheLineAndColumnOfAYamlSyntaxError() {
        ConfigException e = problemsOf("upstream:\n  url: http://a:1\n   bad: [unclosed\n");
        assertThat(e.problems()).hasSize(1);
        assertThat(e.problems().get(0).path()).startsWith("line 3");
        assertThat(e.problems().get(0).message()).startsWith("not valid YAML");
    }

    @Test
    void refusesADuplicateKey() {
        ConfigException e = problemsOf("upstream:\n  url: http://a:1\n  url: http://b:1\n");
        assertThat(e.getMessage()).contains("Duplicate field 'url'");
    }

    @Test
    void handsTheAdmissionSectionOnUntouchedAndUnvalidated() throws Exception {
        GatewayConfig c = GatewayConfigReader.read(
                "upstream:\n  url: http://a:1\nadmission:\n  openPercent: 30\n  classes:\n    - name: paying\n"
                        + "      anything: [1, 2]\n",
                "test");
        assertThat(c.admission()).isPresent();
        assertThat(c.admission().get().get("openPercent").asInt()).isEqualTo(30);
        assertThat(c.admission().get().at("/classes/0/anything/1").asInt()).isEqualTo(2);
        c.admission().get().put("openPercent", 99);
        assertThat(c.admission().get().get("openPercent").asInt())
                .as("the config is immutable")
                .isEqualTo(30);
    }

    @Test
    void refusesAnAdmissionSectionThatIsNotAMapping() {
        assertThatThrownBy(() -> GatewayConfigReader.read("upstream:\n  url: http://a:1\nadmission: yes\n", "t"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("admission: must be a mapping");
    }

    @Test
    void readsIpv6ListenAddresses() throws Exception {
        GatewayConfig c = GatewayConfigReader.read("listen: \"[::1]:8443\"\nupstream:\n  url: http://a:1\n", "t");
        assertThat(c.listen()).isEqualTo(new HostPort("::1", 8443));
        assertThat(c.listen().toString()).isEqualTo("[::1]:8443");
    }
}
