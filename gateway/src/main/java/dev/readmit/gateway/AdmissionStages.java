package dev.readmit.gateway;

import dev.readmit.gateway.config.ProxyMode;
import io.netty.channel.ChannelPipeline;

/**
 * The insertion point for admission: adds the admission handlers to each new client connection.
 *
 * <p>{@link #addStages} is called once per accepted connection, on its event loop, while the pipeline is
 * being assembled; the stages must be added with {@code pipeline.addLast(name, handler)}.
 *
 * <ul>
 *   <li>HTTP mode: called after {@link PipelineNames#HTTP_ERRORS} and before {@link PipelineNames#PROXY}
 *       is added. The stages see decoded {@code HttpRequest}/{@code HttpContent} objects of valid requests
 *       only, one request at a time (the proxy reads the next request only after the current response is
 *       written; a stage that pauses reading must call {@code read()} again when it lets a request through).
 *       An admitted request is passed on unchanged and in order; a stage that answers a request itself
 *       writes a complete response and releases the parts of that request it received. After a WebSocket
 *       upgrade every stage between {@link PipelineNames#HTTP_ERRORS} and {@link PipelineNames#PROXY} is
 *       removed.
 *   <li>TCP mode: called before {@link PipelineNames#TCP_PROXY} is added. The session starts when {@code
 *       channelActive} reaches the TCP proxy, so a stage admits a connection by passing {@code
 *       channelActive} on (later, if it must wait) and refuses it by closing the channel. Nothing is read
 *       from the client before the session starts.
 * </ul>
 *
 * <p>On shutdown a {@link dev.readmit.gateway.proxy.DrainSignal} user event travels through the stages
 * before it reaches the proxy, which closes the connection at once when it has no request in progress. A
 * stage that is holding a request answers it (or lets it through) before passing the signal on.
 *
 * <p>Implementations are shared by every event loop and must be thread-safe; the handlers they add may
 * be per-connection or {@code @Sharable}.
 */
@FunctionalInterface
public interface AdmissionStages {

    /** Admission off: every request and connection goes straight to the proxy. */
    AdmissionStages NONE = (pipeline, mode) -> {};

    void addStages(ChannelPipeline pipeline, ProxyMode mode);
}
