package dev.readmit.profiles.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

final class ProfileReaderTest {
    private static final String RECORDED_HEADER =
            "{\"type\":\"profile\",\"format\":\"readmit-profile/1\",\"name\":\"t\",\"kind\":\"recorded\",\"source\":\"test\"}\n";

    private static String modelled(String population) {
        return "{\"type\":\"profile\",\"format\":\"readmit-profile/1\",\"name\":\"m\",\"kind\":\"modelled\",\"source\":\"s\",\n"
                + "\"model\":{\"duration_ms\":1000,\"populations\":[\n" + population + "\n]}}\n";
    }

    private static final String GOOD_POPULATION = "{\"name\":\"p\",\"clients\":3,\"key\":\"k-{i}\","
            + "\"arrival\":{\"process\":\"at_once\"},"
            + "\"session\":{\"requests\":2,\"think_ms\":10,\"mix\":[{\"path\":\"/x\"}]}}";

    private static Profile read(String text) throws Exception {
        return ProfileReader.read(new StringReader(text), "test.jsonl");
    }

    @Test
    void readsARecordedProfileWithDefaults() throws Exception {
        Profile p = read(RECORDED_HEADER
                + "{\"t_ms\":0,\"client\":\"a\",\"path\":\"/\"}\n"
                + "\n"
                + "{\"t_ms\":5.5,\"client\":\"b\",\"method\":\"PUT\",\"path\":\"/u\",\"req_bytes\":10,\"x_note\":1}\n");

        assertThat(p.kind()).isEqualTo(ProfileKind.RECORDED);
        assertThat(p.events()).extracting(RecordedEvent::method).containsExactly("GET", "PUT");
        assertThat(p.durationMillis()).isEqualTo(5.5);
        assertThat(p.clientKey()).isEqualTo(ClientKeyPlacement.DEFAULT);
        assertThat(p.onReject()).isEqualTo(OnReject.DEFAULT);
        assertThat(p.connection()).isEqualTo(ConnectionMode.PER_CLIENT);
    }

    @Test
    void readsAModelledProfileSpreadOverSeveralLines() throws Exception {
        Profile p = read(modelled(GOOD_POPULATION));

        assertThat(p.kind()).isEqualTo(ProfileKind.MODELLED);
        assertThat(p.populations()).singleElement().satisfies(pop -> {
            assertThat(pop.clients()).isEqualTo(3);
            assertThat(pop.arrival()).isEqualTo(new Arrival.AtOnce(0, 0, false));
            assertThat(pop.session().requests()).isEqualTo(new Distribution.Const(2));
        });
        assertThat(p.clientCount()).isEqualTo(3);
    }

    private static final String LONG_LIVED_POPULATION = "{\"name\":\"p\",\"clients\":3,\"key\":\"k-{i}\","
            + "\"arrival\":{\"process\":\"at_once\"},"
            + "\"session\":{TRANSPORT\"first\":[{\"method\":\"POST\",\"path\":\"/connect\"}],"
            + "\"hold_ms\":500,\"messages_per_min\":60,\"mix\":[{\"method\":\"POST\",\"path\":\"/m\"}]}}";

    private static String longLived(String transportField) {
        return modelled(LONG_LIVED_POPULATION.replace("TRANSPORT", transportField));
    }

    @ParameterizedTest
    @CsvSource({
        "'',HTTP",
        "'\"transport\":\"http\",',HTTP",
        "'\"transport\":\"websocket\",',WEBSOCKET",
        "'\"transport\":\"tcp\",',TCP"
    })
    void readsTheTransportOfALongLivedSessionWithHttpAsTheDefault(String field, Transport expected) throws Exception {
        Profile p = read(longLived(field));

        assertThat(p.populations())
                .singleElement()
                .satisfies(pop -> assertThat(pop.session().transport()).isEqualTo(expected));
    }

    @Test
    void aRequestLoopSpeaksHttp() throws Exception {
        assertThat(read(modelled(GOOD_POPULATION))
                        .populations()
                        .get(0)
                        .session()
                        .transport())
                .isEqualTo(Transport.HTTP);
    }

    static Stream<Arguments> badProfiles() {
        String ev = "{\"t_ms\":0,\"client\":\"a\",\"path\":\"/\"}\n";
        return Stream.of(
                Arguments.of("", "test.jsonl:1: empty: the first line must be the profile header"),
                Arguments.of(ev, "test.jsonl:1: type: is required"),
                Arguments.of(
                        RECORDED_HEADER.replace("/1", "/2"),
                        "test.jsonl:1: format: \"readmit-profile/2\" not supported (this reader reads readmit-profile/1)"),
                Arguments.of(
                        RECORDED_HEADER.replace("recorded", "live"),
                        "test.jsonl:1: kind: \"live\" unknown (one of recorded, modelled)"),
                Arguments.of(
                        RECORDED_HEADER + ev + "{\"t_ms\":1,\"client\":\"a\",\"pth\":\"/\"}\n",
                        "test.jsonl:3: pth: unknown field (did you mean \"path\"?)"),
                Arguments.of(
                        RECORDED_HEADER + ev.replace("0", "10") + ev.replace("0", "5"),
                        "test.jsonl:3: t_ms: 5 < previous 10 (line 2): events must be sorted by t_ms"),
                Arguments.of(RECORDED_HEADER + "{\"t_ms\":1,\"client\":\n", "test.jsonl:2: not valid JSON"),
                Arguments.of(
                        RECORDED_HEADER + ev.replace("\"t_ms\":0", "\"t_ms\":-1"),
                        "test.jsonl:2: t_ms: -1.0 out of range [0, 604800000]"),
                Arguments.of(
                        RECORDED_HEADER + ev.replace("\"/\"", "\"/\",\"req_bytes\":1.5"),
                        "test.jsonl:2: req_bytes: must be an integer, found number 1.5"),
                Arguments.of(
                        RECORDED_HEADER + ev.replace("\"/\"", "\"x\""), "test.jsonl:2: path: \"x\" must start with /"),
                Arguments.of(
                        RECORDED_HEADER.replace("}\n", ",\"events\":3}\n") + ev,
                        "test.jsonl:1: events: header says 3 events, the file holds 1"),
                Arguments.of(
                        RECORDED_HEADER.replace("}\n", ",\"client_key\":{\"header\":\"a\",\"cookie\":\"b\"}}\n"),
                        "test.jsonl:1: client_key: must name exactly one of header, cookie, query (found 2)"),
                Arguments.of(
                        RECORDED_HEADER.replace("}\n", ",\"on_reject\":{\"honour_retry_after\":2}}\n"),
                        "test.jsonl:1: on_reject.honour_retry_after: 2.0 out of range [0, 1]"),
                Arguments.of(
                        modelled(GOOD_POPULATION.replace("at_once", "burst")),
                        "test.jsonl:1: model.populations[0].arrival.process: \"burst\" unknown (one of at_once, ramp,"
                                + " poisson, reconnect_storm)"),
                Arguments.of(
                        modelled(GOOD_POPULATION.replace(
                                "\"requests\":2", "\"requests\":{\"dist\":\"uniform\",\"min\":5,\"max\":1}")),
                        "test.jsonl:1: model.populations[0].session.requests.max: 1 is below min 5"),
                Arguments.of(
                        modelled(GOOD_POPULATION.replace("\"requests\":2", "\"requests\":2,\"hold_ms\":5")),
                        "model.populations[0].session.requests: give either requests (a request loop, with think_ms)"
                                + " or hold_ms (a long-lived connection, with messages_per_min), not both"),
                Arguments.of(
                        longLived("\"transport\":\"smtp\","),
                        "test.jsonl:1: model.populations[0].session.transport: \"smtp\" unknown (one of http,"
                                + " websocket, tcp)"),
                Arguments.of(
                        modelled(GOOD_POPULATION.replace(
                                "\"requests\":2", "\"transport\":\"websocket\",\"requests\":2")),
                        "model.populations[0].session.transport: \"websocket\" needs a long-lived session (hold_ms"
                                + " with messages_per_min); a request loop speaks http"),
                Arguments.of(
                        longLived("\"transport\":\"tcp\",\"connection\":\"shared\","),
                        "model.populations[0].session.transport: \"tcp\" holds one connection per client: connection"
                                + " must be per_client (the default), not shared"),
                Arguments.of(
                        longLived("\"transport\":\"websocket\",")
                                .replace("\"first\":[{\"method\":\"POST\",\"path\":\"/connect\"}],", ""),
                        "model.populations[0].session.transport: \"websocket\" upgrades on the first request's path:"
                                + " first must hold a request"),
                Arguments.of(
                        modelled(GOOD_POPULATION.replace("k-{i}", "same")),
                        "model.populations[0].key: \"same\" must contain {i}"),
                Arguments.of(
                        modelled(GOOD_POPULATION.replace("\"clients\":3", "\"clients\":0")),
                        "model.populations[0].clients: 0 out of range [1, 10000000]"),
                Arguments.of(
                        modelled(GOOD_POPULATION + "," + GOOD_POPULATION),
                        "model.populations[1].name: duplicate population name \"p\""),
                Arguments.of(
                        modelled(GOOD_POPULATION) + "{\"t_ms\":0}\n",
                        "test.jsonl:5: a modelled profile has no event lines"),
                Arguments.of(
                        modelled(GOOD_POPULATION.replace("\"path\":\"/x\"", "\"path\":\"/x\",\"method\":\"get\"")),
                        "model.populations[0].session.mix[0].method: \"get\" is not an HTTP method"));
    }

    @ParameterizedTest
    @MethodSource("badProfiles")
    void rejectsABadProfileNamingTheLineAndField(String text, String expected) {
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void reportsEveryProblemOfAProfileAtOnce() {
        String text =
                RECORDED_HEADER + "{\"t_ms\":0,\"client\":\"a\",\"path\":\"x\"}\n" + "{\"t_ms\":1,\"path\":\"/\"}\n";

        assertThatThrownBy(() -> read(text)).isInstanceOfSatisfying(ProfileException.class, e -> assertThat(
                        e.problems())
                .extracting(ProfileProblem::toString)
                .containsExactly("test.jsonl:2: path: \"x\" must start with /", "test.jsonl:3: client: is required"));
    }

    @Test
    void readsEveryBundledProfile() throws Exception {
        for (String name : BundledProfiles.NAMES) {
            Profile p = BundledProfiles.load(name);
            assertThat(p.name()).isEqualTo(name);
            assertThat(p.kind()).isEqualTo(ProfileKind.MODELLED);
            assertThat(p.source()).contains("story");
        }
    }

    @Test
    void rejectsAnUnknownBundledNameListingTheBundledOnes() {
        assertThatThrownBy(() -> BundledProfiles.resolve("no-such-profile"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backup-agents-return, chat-mass-reconnect");
    }
}
