package dev.readmit.profiles.format;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * Writes a recorded profile as {@code readmit-profile/1} JSON Lines: the header, then one event per
 * line, fields in a fixed order and optional fields left out, so the output is stable (golden files)
 * and diff-friendly. Stateless and thread safe.
 */
public final class ProfileWriter {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ProfileWriter() {}

    /**
     * Writes {@code profile}, which must be recorded, to {@code out} (not closed, flushed).
     *
     * @throws IllegalArgumentException if the profile is modelled
     */
    public static void writeRecorded(Profile profile, Writer out) throws IOException {
        if (profile.kind() != ProfileKind.RECORDED) {
            throw new IllegalArgumentException("only recorded profiles are written as event lines");
        }
        writeLine(out, g -> {
            g.writeStringField("type", "profile");
            g.writeStringField("format", Profile.FORMAT);
            g.writeStringField("name", profile.name());
            if (!profile.description().isEmpty()) {
                g.writeStringField("description", profile.description());
            }
            g.writeStringField("kind", "recorded");
            g.writeFieldName("source");
            if (profile.source().startsWith("{")) {
                g.writeTree(MAPPER.readTree(profile.source()));
            } else {
                g.writeString(profile.source());
            }
            g.writeNumberField("seed", profile.seed());
            g.writeObjectFieldStart("client_key");
            g.writeStringField(
                    profile.clientKey().where().name().toLowerCase(java.util.Locale.ROOT),
                    profile.clientKey().name());
            g.writeEndObject();
            g.writeStringField("connection", profile.connection().name().toLowerCase(java.util.Locale.ROOT));
            g.writeStringField("default_class", profile.defaultClass());
            g.writeFieldName("duration_ms");
            g.writeNumber(millis(profile.durationMillis()));
            g.writeNumberField("clients", profile.clientCount());
            g.writeNumberField("events", profile.events().size());
            for (Map.Entry<String, Object> e : profile.extra().entrySet()) {
                g.writeObjectField(e.getKey(), e.getValue());
            }
        });
        for (RecordedEvent e : profile.events()) {
            writeLine(out, g -> {
                g.writeFieldName("t_ms");
                g.writeNumber(millis(e.timeMillis()));
                g.writeStringField("client", e.client());
                if (!"GET".equals(e.method())) {
                    g.writeStringField("method", e.method());
                }
                g.writeStringField("path", e.path());
                if (e.requestBytes() > 0) {
                    g.writeNumberField("req_bytes", e.requestBytes());
                }
                if (e.status() > 0) {
                    g.writeNumberField("status", e.status());
                }
                if (e.responseBytes() >= 0) {
                    g.writeNumberField("resp_bytes", e.responseBytes());
                }
                if (e.originalMillis() >= 0) {
                    g.writeFieldName("orig_ms");
                    g.writeNumber(millis(e.originalMillis()));
                }
                if (e.className() != null) {
                    g.writeStringField("class", e.className());
                }
            });
        }
        out.flush();
    }

    /** Milliseconds to microsecond precision, without a trailing ".0" for whole values. */
    private static BigDecimal millis(double ms) {
        BigDecimal d =
                BigDecimal.valueOf(ms).setScale(3, RoundingMode.HALF_EVEN).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0) : d;
    }

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private static void writeLine(Writer out, Fields fields) throws IOException {
        JsonGenerator g = MAPPER.getFactory().createGenerator(out);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.writeStartObject();
        fields.write(g);
        g.writeEndObject();
        g.flush();
        out.write('\n');
    }
}
