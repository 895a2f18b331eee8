package dev.readmit.profiles.sim;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

final class NettyLeakExtensionTest {

    @Test
    void reportsABufferThatWasNeverReleased() {
        NettyLeakExtension extension = new NettyLeakExtension();
        Logger detectorLog = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        // This leak is on purpose: keep its report out of the build's console.
        detectorLog.setAdditive(false);
        extension.beforeEach(null);
        try {
            leakOneBuffer();
            // A collection is only requested, never forced: on a busy machine the leaked buffer may
            // survive a round, so ask again (a bounded number of times) until the detector reports it.
            List<String> leaks = extension.collectLeaks();
            for (int attempt = 0; attempt < 50 && leaks.isEmpty(); attempt++) {
                leaks = extension.collectLeaks();
            }
            assertThat(leaks).isNotEmpty().allMatch(record -> record.contains("LEAK"));
        } finally {
            detectorLog.setAdditive(true);
        }
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(32);
        leaked.writeInt(1);
    }
}
