package dev.readmit.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test when Netty's leak detector reports a buffer leak during or right after it. The detector
 * reports through its logger when a leaked buffer is garbage-collected and another buffer is allocated,
 * so after each test this collects garbage and allocates until the reports are out.
 */
public final class LeakCheckExtension implements BeforeEachCallback, AfterEachCallback {

    private static final String KEY = "leak-appender";

    @Override
    public void beforeEach(ExtensionContext context) {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        leakLogger().addAppender(appender);
        context.getStore(ExtensionContext.Namespace.GLOBAL).put(KEY, appender);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterEach(ExtensionContext context) {
        ListAppender<ILoggingEvent> appender = (ListAppender<ILoggingEvent>)
                context.getStore(ExtensionContext.Namespace.GLOBAL).remove(KEY);
        try {
            for (int round = 0; round < 3; round++) {
                System.gc();
                for (int i = 0; i < 64; i++) {
                    ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(64);
                    ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(64);
                    a.release();
                    b.release();
                }
            }
            List<String> leaks = appender.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("LEAK"))
                    .collect(Collectors.toList());
            assertThat(leaks).as("Netty buffer leaks").isEmpty();
        } finally {
            leakLogger().detachAppender(appender);
        }
    }

    private static Logger leakLogger() {
        return (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    }
}
