package dev.readmit.profiles.sim;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test when Netty's leak detector reports a buffer that was never released.
 *
 * <p>The detector (PARANOID in surefire's argLine) reports a leak only after the buffer is collected and
 * a later allocation polls its queue, and it reports by logging an error. So after each test this
 * collects garbage, allocates a few tracked buffers to make the detector poll, and fails the test if a
 * {@code LEAK:} record was logged meanwhile. Use it with {@code @RegisterExtension} or
 * {@code @ExtendWith}; close every server in the test itself (before this runs).
 */
public final class NettyLeakExtension implements BeforeEachCallback, AfterEachCallback {

    private static final Logger DETECTOR_LOG = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);

    static {
        // Without a logback config, logback logs everything at DEBUG; Netty's debug output buries the test's.
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
        DETECTOR_LOG.setLevel(Level.ERROR);
    }

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    @Override
    public void beforeEach(ExtensionContext context) {
        appender.list.clear();
        appender.start();
        DETECTOR_LOG.addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            List<String> leaks = collectLeaks();
            if (!leaks.isEmpty()) {
                throw new AssertionError("Netty buffer leak(s) detected:\n" + String.join("\n\n", leaks));
            }
        } finally {
            DETECTOR_LOG.detachAppender(appender);
            appender.stop();
        }
    }

    /** Makes the detector report what it can and returns the leak records logged since the test began. */
    List<String> collectLeaks() {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new AssertionError("tests must run with -Dio.netty.leakDetection.level=paranoid, got "
                    + ResourceLeakDetector.getLevel());
        }
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (int i = 0; i < 64; i++) {
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                pooled.release();
                ByteBuf heap = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
                heap.release();
            }
        }
        return appender.list.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(message -> message.contains("LEAK"))
                .toList();
    }
}
