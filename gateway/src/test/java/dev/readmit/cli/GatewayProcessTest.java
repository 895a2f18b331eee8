package dev.readmit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

final class GatewayProcessTest {

    @Test
    void peakHeapIsTheLargestHeapInUseBeforeAnyCollection() {
        List<String> log = List.of(
                "[0.012s][info][gc] Using G1",
                "[1.234s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 25M->3M(512M) 3.456ms",
                "[2.345s][info][gc] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 300M->40M(512M) 5.1ms",
                "[3.456s][info][gc] GC(2) Pause Young (Concurrent Start) (G1 Humongous Allocation) 1G->90M(1G) 7ms",
                "[4.000s][info][gc] GC(3) Pause Remark 512K->512K(512M) 0.1ms");

        assertThat(GatewayProcess.peakHeapMiB(log)).hasValue(1024.0);
        assertThat(GatewayProcess.peakHeapMiB(log.subList(0, 3))).hasValue(300.0);
    }

    @Test
    void aLogWithoutCollectionsHasNoPeak() {
        assertThat(GatewayProcess.peakHeapMiB(List.of("[0.012s][info][gc] Using G1")))
                .isEmpty();
    }
}
