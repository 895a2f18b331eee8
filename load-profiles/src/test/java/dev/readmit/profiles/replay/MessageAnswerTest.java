package dev.readmit.profiles.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class MessageAnswerTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "200 served|OK",
                "503 overloaded: queue full|ERROR",
                "504 timeout: service took too long|ERROR",
                "429 slow down|WAITING",
                "404 no such channel|CLIENT_ERROR",
                "503|ERROR",
                "'hello'|OK",
                "'ok'|OK",
                "2000 users online|OK",
                "20x nope|OK",
                "099 below any status|OK",
                "''|OK"
            })
    void countsAnAnswerByItsLeadingStatusElseAsOk(String text, Outcome expected) {
        ByteBuf answer = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        try {
            assertThat(MessageSession.answerOutcome(answer)).isEqualTo(expected);
            assertThat(answer.readerIndex()).as("the answer is only looked at").isZero();
        } finally {
            answer.release();
        }
    }
}
