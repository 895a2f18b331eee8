package dev.readmit.gateway.admit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.readmit.gateway.admit.AdmissionSettings.ClassRule;
import dev.readmit.gateway.admit.AdmissionSettings.KeyKind;
import dev.readmit.gateway.admit.AdmissionSettings.KeyRule;
import dev.readmit.gateway.admit.AdmissionSettings.WaitingMode;
import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.ConfigProblem;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

final class AdmissionSettingsTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    static JsonNode section(String yaml) {
        try {
            return YAML.readTree(yaml).get("admission");
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static AdmissionSettings parse(String yaml) throws ConfigException {
        return AdmissionSettings.parse(section(yaml));
    }

    private static List<ConfigProblem> problems(String yaml) {
        try {
            AdmissionSettings.parse(section(yaml));
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be refused");
    }

    @Test
    void missingSectionGivesTheDefaults() throws ConfigException {
        AdmissionSettings settings = AdmissionSettings.parse(null);

        assertThat(settings).isEqualTo(AdmissionSettings.ofDefaults());
        assertThat(settings.clientKey())
                .containsExactly(
                        new KeyRule(KeyKind.HEADER, "X-Client-Id"),
                        new KeyRule(KeyKind.TICKET, null),
                        new KeyRule(KeyKind.SOURCE, null));
        assertThat(settings.ticket().cookieName()).isEqualTo("readmit");
        assertThat(settings.ticket().headerName()).isEqualTo("Readmit-Ticket");
        assertThat(settings.waiting().mode()).isEqualTo(WaitingMode.RESPOND);
        assertThat(settings.classCount()).isEqualTo(1);
    }

    @Test
    void readsEveryOption() throws ConfigException {
        AdmissionSettings settings = parse(
                """
                admission:
                  enabled: true
                  clientKey:
                    - header: X-Device
                    - cookie: sid
                    - query: client
                    - authorization
                    - ticket
                    - source
                  trustedProxies: [10.0.0.0/8, "::1"]
                  classes:
                    - name: restores
                      match: {path: /api/restore/**, methods: [get, POST]}
                    - name: paying
                      match: {header: {name: X-Tier, value: paying}}
                  defaultClass: everyone
                  waiting:
                    mode: hold
                    maxQueue: 500
                    maxWait: 45s
                    rejectStatus: 429
                    message: Back soon
                    retryAfterJitter: 0.25
                  ticket:
                    cookie: rm
                    header: X-Ticket
                    lifetime: 7d
                    secure: true
                """);

        assertThat(settings.clientKey())
                .extracting(KeyRule::toString)
                .containsExactly("header:X-Device", "cookie:sid", "query:client", "authorization", "ticket", "source");
        assertThat(settings.trustedProxies()).extracting(Cidr::toString).containsExactly("10.0.0.0/8", "::1");
        assertThat(settings.classes())
                .containsExactly(
                        new ClassRule("restores", "/api/restore/**", List.of("GET", "POST"), null, null),
                        new ClassRule("paying", null, List.of(), "X-Tier", "paying"));
        assertThat(settings.className(2)).isEqualTo("everyone");
        assertThat(settings.waiting())
                .isEqualTo(new AdmissionSettings.Waiting(
                        WaitingMode.HOLD, 500, Duration.ofSeconds(45), 429, "Back soon", 0.25, Duration.ZERO));
        assertThat(settings.ticket())
                .isEqualTo(new AdmissionSettings.Ticket("rm", "X-Ticket", Duration.ofDays(7), true));
    }

    @Test
    void collectsEveryProblemWithItsFieldPath() {
        List<ConfigProblem> problems = problems(
                """
                admission:
                  clientKey: [{header: X-Id}, fingerprint]
                  trustedProxies: [10.0.0.0/33]
                  classes:
                    - name: restores
                      match: {path: /api/restore/**}
                    - name: bulk
                      match: {path: "api/*"}
                  waiting:
                    mode: park
                    rejectStatus: 500
                    maxWait: soon
                    retryAfterJitter: 1.5
                """);

        assertThat(problems)
                .extracting(ConfigProblem::path)
                .containsExactly(
                        "admission.clientKey[1]",
                        "admission.trustedProxies[0]",
                        "admission.classes[1].match.path",
                        "admission.waiting.mode",
                        "admission.waiting.maxWait",
                        "admission.waiting.rejectStatus",
                        "admission.waiting.retryAfterJitter");
        assertThat(problems.get(0).message()).contains("fingerprint").contains("{header: NAME}");
        assertThat(problems.get(1).message()).contains("between 0 and 32");
        assertThat(problems.get(2).message()).contains("starting with /");
        assertThat(problems.get(3).message()).isEqualTo("must be hold or respond, got 'park'");
        assertThat(problems.get(4).message()).contains("1.5s").contains("PT30S").contains("soon");
        assertThat(problems.get(5).message()).isEqualTo("must be 503 or 429, got 500");
        assertThat(problems.get(6).message()).contains("[0, 1)");
    }

    @Test
    void theExceptionMessageNamesTheSectionAndEveryProblem() {
        assertThatThrownBy(
                        () -> parse(
                                """
                        admission:
                          waiting: {maxQueue: 0}
                          ticket: {cookie: "bad name"}
                        """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("2 problems")
                .hasMessageContaining(
                        "admission.waiting.maxQueue: must be a whole number between 1 and 10000000, got 0")
                .hasMessageContaining("admission.ticket.cookie: 'bad name' is not a valid cookie name");
    }

    @Test
    void refusesUnknownFieldsAndNamesTheAllowedOnes() {
        List<ConfigProblem> problems = problems(
                """
                admission:
                  waiting: {mode: hold, maxwait: 10s}
                  classes:
                    - name: restores
                      match: {paths: /x}
                """);

        assertThat(problems)
                .containsExactly(
                        new ConfigProblem(
                                "admission.classes[0].match.paths", "unknown field; allowed: header, methods, path"),
                        new ConfigProblem(
                                "admission.waiting.maxwait",
                                "unknown field; allowed: closeFromRetryAfter, maxQueue, maxWait, message, mode, rejectStatus, "
                                        + "retryAfterJitter"));
    }

    @Test
    void refusesDuplicateAndBadClassNames() {
        List<ConfigProblem> problems = problems(
                """
                admission:
                  classes:
                    - name: paying
                    - name: paying
                    - name: Bad Name
                    - match: {path: /x}
                  defaultClass: paying
                """);

        assertThat(problems)
                .extracting(ConfigProblem::path)
                .containsExactly(
                        "admission.classes[1].name",
                        "admission.classes[2].name",
                        "admission.classes[3].name",
                        "admission.defaultClass",
                        "admission.defaultClass");
    }

    @Test
    void refusesIncompleteHeaderMatchAndBadMethods() {
        List<ConfigProblem> problems = problems(
                """
                admission:
                  classes:
                    - name: paying
                      match:
                        header: {name: X-Tier}
                        methods: [GET, "NOT A METHOD"]
                """);

        assertThat(problems)
                .extracting(ConfigProblem::path)
                .containsExactly("admission.classes[0].match.methods[1]", "admission.classes[0].match.header.value");
    }

    @Test
    void refusesAKeyRuleWithoutItsName() {
        assertThat(problems("admission:\n  clientKey: [{cookie: ''}, header]\n"))
                .extracting(ConfigProblem::path)
                .containsExactly("admission.clientKey[0].cookie", "admission.clientKey[1]");
    }

    @Test
    void readsDurationsInTheSameDialectAsEveryOtherFieldAndTheCommandLine() throws Exception {
        AdmissionSettings s = parse("admission:\n  ticket: {lifetime: 7d}\n  waiting: {maxWait: 1.5s}\n");
        assertThat(s.ticket().lifetime()).isEqualTo(Duration.ofDays(7));
        assertThat(s.waiting().maxWait()).isEqualTo(Duration.ofMillis(1_500));
        assertThat(parse("admission:\n  ticket: {lifetime: PT30M}\n").ticket().lifetime())
                .isEqualTo(Duration.ofMinutes(30));
        assertThat(problems("admission:\n  ticket: {lifetime: 30}\n"))
                .extracting(ConfigProblem::path)
                .containsExactly("admission.ticket.lifetime");
    }

    @Test
    void aSingleMethodNeedsNoList() throws ConfigException {
        AdmissionSettings settings = parse(
                """
                admission:
                  classes: [{name: uploads, match: {methods: put}}]
                """);

        assertThat(settings.classes().get(0).methods()).containsExactly("PUT");
    }
}
