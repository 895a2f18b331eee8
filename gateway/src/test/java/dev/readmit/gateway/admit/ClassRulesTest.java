package dev.readmit.gateway.admit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.readmit.gateway.config.ConfigException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ClassRulesTest {

    private static final String RULES =
            """
            admission:
              classes:
                - name: restores
                  match: {path: /api/restore/**}
                - name: uploads
                  match: {path: /api/*/upload, methods: [PUT, POST]}
                - name: paying
                  match: {header: {name: X-Tier, value: paying}}
                - name: assets
                  match: {path: "/static/v?/**.css"}
              defaultClass: everyone
            """;

    private static HttpRequest request(HttpMethod method, String uri, String... headerPairs) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return request;
    }

    private static String classOf(HttpRequest request) throws ConfigException {
        ClassRules rules = ClassRules.of(AdmissionSettingsTest.parse(RULES));
        return rules.name(rules.classify(request));
    }

    @Test
    void theFirstMatchingRuleWins() throws ConfigException {
        assertThat(classOf(request(HttpMethod.POST, "/api/restore/upload", "X-Tier", "paying")))
                .isEqualTo("restores");
        assertThat(classOf(request(HttpMethod.PUT, "/api/files/upload", "X-Tier", "paying")))
                .isEqualTo("uploads");
        assertThat(classOf(request(HttpMethod.GET, "/api/files/upload", "X-Tier", "paying")))
                .isEqualTo("paying");
    }

    @Test
    void unmatchedRequestsFallToTheDefaultClass() throws ConfigException {
        ClassRules rules = ClassRules.of(AdmissionSettingsTest.parse(RULES));

        int index = rules.classify(request(HttpMethod.GET, "/home", "X-Tier", "Paying"));

        assertThat(index).isEqualTo(rules.defaultClassIndex()).isEqualTo(4);
        assertThat(rules.name(index)).isEqualTo("everyone");
    }

    @Test
    void matchesThePathWithoutQueryAndInAbsoluteForm() throws ConfigException {
        assertThat(classOf(request(HttpMethod.GET, "/api/restore/42?part=1"))).isEqualTo("restores");
        assertThat(classOf(request(HttpMethod.GET, "http://backup.example/api/restore/42")))
                .isEqualTo("restores");
        assertThat(classOf(request(HttpMethod.GET, "/api/restorer"))).isEqualTo("everyone");
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
        "/api/restore/**, /api/restore, true",
        "/api/restore/**, /api/restore/, true",
        "/api/restore/**, /api/restore/a/b/c, true",
        "/api/restore/**, /api/restores, false",
        "/api/*/upload, /api/x/upload, true",
        "/api/*/upload, /api/x/y/upload, false",
        "/api/*/upload, /api//upload, true",
        "/a/**/z, /a/z, false",
        "/a/**/z, /a/b/c/z, true",
        "/a/**z, /a/z, true",
        "/static/v?/**.css, /static/v2/a/b.css, true",
        "/static/v?/**.css, /static/v22/a.css, false",
        "/static/v?/**.css, /static/v/a.css, false",
        "/*.json, /a.json, true",
        "/*.json, /a/b.json, false",
        "/exact, /exact, true",
        "/exact, /exact/, false",
        "/Case, /case, false",
        "/**, /, true",
        "/**/*a*b*c*d*, /x/y/aXbXcXd, true",
        "/**/*a*b*c*d*, /x/y/aXbXcX, false",
    })
    void globsFollowSegmentRules(String glob, String path, boolean expected) {
        assertThat(PathGlob.compile(glob).matches(path, 0, path.length())).isEqualTo(expected);
    }

    @Test
    void globsMatchWithinAGivenRange() {
        String uri = "http://h/api/x/upload?q=1";
        int start = ClassRules.pathStart(uri);

        assertThat(PathGlob.compile("/api/*/upload").matches(uri, start, ClassRules.pathEnd(uri, start)))
                .isTrue();
    }

    @Test
    void refusesTooComplexGlobs() {
        assertThatThrownBy(() -> PathGlob.compile("/*" + "a".repeat(70))).hasMessageContaining("at most 63");
        assertThatThrownBy(() -> PathGlob.compile("/a/***")).hasMessageContaining("'***'");
    }
}
