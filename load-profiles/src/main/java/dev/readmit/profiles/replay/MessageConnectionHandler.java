package dev.readmit.profiles.replay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a WebSocket or raw TCP connection of the replayer: hands what it reads, and the
 * close, to the connection's {@link MessageSession}. One per channel, bound once the connection is open;
 * confined to its event loop, so its field needs no {@code volatile}.
 */
final class MessageConnectionHandler extends ChannelInboundHandlerAdapter {
    private MessageSession session;

    void bind(MessageSession session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (session == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        session.read(ctx.channel(), msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (session != null) {
            session.closed(ctx.channel());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The connection is unusable (a bad frame, a write that failed); channelInactive reports the outcome.
        ctx.close();
    }
}
