package dev.readmit.profiles.record;

/** Access-log formats the recorder reads. */
public enum AccessLogFormat {
    /**
     * NCSA common: {@code host ident user [time] "request" status bytes}; one-second timestamps. An
     * optional trailing number is read as the request time in seconds (nginx {@code $request_time}).
     */
    COMMON,
    /**
     * NCSA combined (nginx and Apache default): common plus {@code "referer" "user-agent"}, with the same
     * optional trailing request time.
     */
    COMBINED,
    /**
     * One JSON object per line, as written by the nginx {@code log_format readmit escape=json} given in
     * the module README: {@code msec} (seconds since the epoch, ms resolution), {@code rt}, {@code m},
     * {@code u}, {@code s} required; {@code ip}, {@code xff}, {@code ua}, {@code key}, {@code rl}, {@code
     * bbs} optional.
     */
    JSON
}
