package dev.readmit.profiles.sim;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
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
            assertThat(extension.collectLeaks()).isNotEmpty().allMatch(record -> record.contains("LEAK"));
        } finally {
            detectorLog.setAdditive(true);
        }
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(32);
        leaked.writeInt(1);
    }
}
