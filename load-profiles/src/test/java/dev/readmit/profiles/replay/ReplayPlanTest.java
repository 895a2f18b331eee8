package dev.readmit.profiles.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ReplayPlanTest {

    @Test
    void flatPlanOffersTheRateEvenlyOverItsClients() {
        ReplayPlan plan = ReplayPlan.flat(4, 1_000, Duration.ofSeconds(2), "/");

        assertThat(plan.clients()).hasSize(4);
        assertThat(plan.requestCount()).isEqualTo(2_000);
        List<Long> all = new ArrayList<>();
        for (PlannedClient c : plan.clients()) {
            assertThat(c.requests()).hasSize(500);
            for (int i = 1; i < c.requests().size(); i++) {
                assertThat(c.requests().get(i).atNanos()
                                - c.requests().get(i - 1).atNanos())
                        .isBetween(3_999_999L, 4_000_001L);
            }
            all.addAll(c.requests().stream().map(PlannedRequest::atNanos).toList());
        }
        all.sort(null);
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i) - all.get(i - 1)).isBetween(999_999L, 1_000_001L);
        }
        assertThat(plan.clients().get(3).key()).isEqualTo("c-3");
    }

    @Test
    void flatPlanRefusesALengthShorterThanOneGap() {
        assertThatThrownBy(() -> ReplayPlan.flat(100, 10, Duration.ofSeconds(1), "/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shorter than one gap");
    }
}
