package dev.readmit.profiles.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

final class NettyLeakExtensionTest {

    @Test
    void reportsABufferThatWasNeverReleased() {
        NettyLeakExtension extension = new NettyLeakExtension();
        extension.beforeEach(null);
        try {
            leakOneBuffer();
            assertThat(extension.collectLeaks()).isNotEmpty().allMatch(record -> record.contains("LEAK"));
        } finally {
            extension.collectLeaks();
        }
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(32);
        leaked.writeInt(1);
    }
}
