package dev.readmit.gateway.control;

import dev.readmit.admission.Decision;
import dev.readmit.admission.NanoClock;
import dev.readmit.gateway.admit.AdmissionDecider;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TCP mode admission: a connection is a session, admitted when it connects, keyed by its source
 * address. The session starts (and the upstream is dialled) only when this handler passes
 * {@code channelActive} on; a waiting connection is held, nothing read, and asked about again until
 * it is admitted, or closed when {@code maxWaitNanos} has passed or it is rejected.
 *
 * <p>One instance per connection; all its state is touched on the connection's event loop only, so no
 * field needs {@code volatile}.
 */
final class TcpAdmissionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TcpAdmissionHandler.class);

    /** How often a held connection asks again, at most. */
    static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final AdmissionDecider decider;
    private final int classIndex;
    private final NanoClock clock;
    private final long maxWaitNanos;

    private String clientKey;
    private long arrivedNanos;
    private ScheduledFuture<?> recheck;

    TcpAdmissionHandler(AdmissionDecider decider, int classIndex, NanoClock clock, long maxWaitNanos) {
        this.decider = decider;
        this.classIndex = classIndex;
        this.clock = clock;
        this.maxWaitNanos = maxWaitNanos;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        clientKey = sourceKey(ctx.channel().remoteAddress());
        arrivedNanos = clock.nanoTime();
        decide(ctx);
    }

    private void decide(ChannelHandlerContext ctx) {
        recheck = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = clock.nanoTime();
        Decision decision = decider.decide(clientKey, classIndex, now);
        if (decision instanceof Decision.Admit) {
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
            return;
        }
        if (decision instanceof Decision.Wait wait && now - arrivedNanos < maxWaitNanos) {
            long delay = Math.min(RECHECK_NANOS, Math.max(1_000_000L, wait.estimatedWaitNanos()));
            delay = Math.min(delay, maxWaitNanos - (now - arrivedNanos));
            recheck = ctx.executor().schedule(() -> decide(ctx), delay, TimeUnit.NANOSECONDS);
            return;
        }
        log.debug("closing TCP session from {}: {}", clientKey, decision);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (recheck != null) {
            recheck.cancel(false);
            recheck = null;
        }
        // Still here, so never admitted: the TCP proxy never saw this session start and is not told
        // that it ended.
    }

    private static String sourceKey(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }
}
