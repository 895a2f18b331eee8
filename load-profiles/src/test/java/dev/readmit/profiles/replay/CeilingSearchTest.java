package dev.readmit.profiles.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class CeilingSearchTest {

    @Test
    void findsTheHighestPassingRateWithinThePrecision() {
        List<Double> probed = new ArrayList<>();
        CeilingSearch.Result r = CeilingSearch.search(20_000, 400_000, 1.5, 0.05, 20, 0, rate -> {
            probed.add(rate);
            return rate <= 73_000;
        });

        assertThat(r.ceiling()).isLessThanOrEqualTo(73_000).isGreaterThan(73_000 / 1.05);
        assertThat(r.lowestFailed()).isGreaterThan(73_000).isLessThanOrEqualTo(r.ceiling() * 1.05);
        assertThat(probed).startsWith(20_000.0, 30_000.0, 45_000.0, 67_500.0, 101_250.0);
        assertThat(r.probes()).isEqualTo(probed.size());
    }

    @Test
    void triesAFailingRateAgainBeforeCountingItFailed() {
        List<Double> probed = new ArrayList<>();
        CeilingSearch.Result r = CeilingSearch.search(10_000, 10_000, 1.5, 0.05, 5, 1, rate -> {
            probed.add(rate);
            return probed.size() == 2;
        });

        assertThat(probed).containsExactly(10_000.0, 10_000.0);
        assertThat(r.ceiling()).isEqualTo(10_000);
        assertThat(r.lowestFailed()).isNaN();
    }

    @Test
    void stopsAtTheMaximumRateWhenEveryProbePasses() {
        CeilingSearch.Result r = CeilingSearch.search(10_000, 20_000, 1.5, 0.05, 10, 0, rate -> true);

        assertThat(r.ceiling()).isEqualTo(20_000);
        assertThat(r.lowestFailed()).isNaN();
        assertThat(r.probes()).isEqualTo(3);
    }

    @Test
    void neverRunsMoreThanMaxProbes() {
        int[] calls = {0};
        CeilingSearch.Result r = CeilingSearch.search(1_000, 1e9, 1.1, 0.001, 4, 1, rate -> {
            calls[0]++;
            return rate < 1_150;
        });

        assertThat(calls[0]).isEqualTo(4);
        assertThat(r.probes()).isEqualTo(4);
        assertThat(r.ceiling()).isEqualTo(1_100, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void reportsNoCeilingWhenTheFirstRateFails() {
        CeilingSearch.Result r = CeilingSearch.search(5_000, 50_000, 2, 0.05, 10, 1, rate -> false);

        assertThat(r.ceiling()).isZero();
        assertThat(r.lowestFailed()).isEqualTo(5_000);
        assertThat(r.probes()).isEqualTo(2);
    }

    @Test
    void namesTheArgumentOutOfRange() {
        assertThatThrownBy(() -> CeilingSearch.search(1_000, 2_000, 1.0, 0.05, 5, 0, rate -> true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("growth");
        assertThatThrownBy(() -> CeilingSearch.search(1_000, 500, 2, 0.05, 5, 0, rate -> true))
                .hasMessageContaining("maxPerSecond");
    }
}
