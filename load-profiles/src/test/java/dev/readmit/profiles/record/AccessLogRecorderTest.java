package dev.readmit.profiles.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.profiles.format.Profile;
import dev.readmit.profiles.format.ProfileReader;
import dev.readmit.profiles.format.ProfileWriter;
import dev.readmit.profiles.format.RecordedEvent;
import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

final class AccessLogRecorderTest {
    private static final Path LOGS = Path.of("src/test/resources/logs");
    private static final byte[] SALT = "test-salt".getBytes(StandardCharsets.UTF_8);

    private static Recording record(AccessLogFormat format, String file, boolean rawKeys) throws Exception {
        AccessLogRecorder recorder = new AccessLogRecorder(
                format, "sample", 7, SALT, rawKeys, Map.of("priority", Pattern.compile("^/v1/restore/")));
        try (BufferedReader in = Files.newBufferedReader(LOGS.resolve(file))) {
            return recorder.record(in, file);
        }
    }

    @Test
    void skipsMalformedCombinedLinesReportingEachWithItsLineNumber() throws Exception {
        Recording r = record(AccessLogFormat.COMBINED, "combined.log", false);

        assertThat(r.linesRead()).isEqualTo(11);
        assertThat(r.malformedCount()).isEqualTo(5);
        assertThat(r.malformed())
                .extracting(MalformedLine::toString)
                .containsExactly(
                        "line 4: does not match the combined log format",
                        "line 5: unknown method \"BREW\" (one of CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE)",
                        "line 6: unparsable time \"31/Foo/2026:06:00:01 +0000\" (expected dd/MMM/yyyy:HH:mm:ss +zzzz)",
                        "line 8: does not match the combined log format",
                        "line 11: does not match the combined log format");
        assertThat(r.profile().events()).hasSize(5);
    }

    @Test
    void writesTheGoldenProfileOfTheSampleCombinedLog() throws Exception {
        Recording r = record(AccessLogFormat.COMBINED, "combined.log", false);

        StringWriter out = new StringWriter();
        ProfileWriter.writeRecorded(r.profile(), out);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(LOGS.resolve("combined.profile.jsonl"), out.toString());
        }

        assertThat(out.toString()).isEqualTo(Files.readString(LOGS.resolve("combined.profile.jsonl")));
        Profile back = ProfileReader.read(new StringReader(out.toString()), "recorded");
        assertThat(back.events()).isEqualTo(r.profile().events());
    }

    @Test
    void spreadsOneSecondTimestampsInsideTheirSecondKeepingFileOrder() throws Exception {
        Recording r = record(AccessLogFormat.COMBINED, "combined.log", true);

        assertThat(r.profile().events())
                .extracting(RecordedEvent::path)
                .containsExactly("/", "/static/app.js?v=3", "/api/login", "/v1/restore/a/chunk/1", "/logout");
        for (RecordedEvent e : r.profile().events()) {
            double second = Math.floor(e.timeMillis() / 1000);
            assertThat(e.timeMillis() - second * 1000).isBetween(0.0, 1000.0);
        }
        assertThat(r.profile().events().get(1).timeMillis()).isLessThan(1000);
        assertThat(r.profile().events().get(3).className()).isEqualTo("priority");
        assertThat(r.profile().events().get(2).client()).isEqualTo("alice");
        assertThat(r.profile().extra()).containsEntry("time_resolution_ms", 1000);
    }

    @Test
    void hashesClientKeysSoTheSameClientKeepsOneKey() throws Exception {
        Recording r = record(AccessLogFormat.COMBINED, "combined.log", false);

        assertThat(r.profile().events()).extracting(RecordedEvent::client).allSatisfy(k -> assertThat(k)
                .matches("c:[0-9a-f]{12}"));
        assertThat(r.profile().events().get(0).client())
                .isEqualTo(r.profile().events().get(1).client());
        assertThat(r.profile().clientCount()).isEqualTo(3);
    }

    @Test
    void readsJsonLinesWithMillisecondStartsFromMsecMinusRequestTime() throws Exception {
        Recording r = record(AccessLogFormat.JSON, "readmit.json.log", true);

        assertThat(r.malformed()).extracting(MalformedLine::line).containsExactly(3L, 5L);
        assertThat(r.malformed().get(0).reason()).isEqualTo("field \"msec\" is not a number: \"oops\"");
        assertThat(r.profile().events())
                .extracting(RecordedEvent::path)
                .containsExactly("/v1/backup/x/chunk/1", "/", "/x");
        RecordedEvent upload = r.profile().events().get(0);
        assertThat(upload.timeMillis()).isZero();
        assertThat(upload.client()).isEqualTo("192.0.2.5");
        assertThat(upload.requestBytes()).isEqualTo(4194800);
        assertThat(r.profile().events().get(1).timeMillis())
                .isCloseTo(50.0, org.assertj.core.api.Assertions.within(0.01));
        assertThat(r.profile().events().get(1).client()).isEqualTo("agent-1");
        assertThat(r.profile().extra()).containsEntry("time_resolution_ms", 1);
    }

    @Test
    void neverStopsOnBadLinesEvenWhenEveryLineIsBad() throws Exception {
        AccessLogRecorder recorder = new AccessLogRecorder(AccessLogFormat.COMMON, "x", 1, SALT, false, Map.of());
        Recording r = recorder.record(new BufferedReader(new StringReader("a\nb\nc\n")), "bad.log");

        assertThat(r.malformedCount()).isEqualTo(3);
        assertThat(r.profile().events()).isEmpty();
    }
}
