package dev.readmit.gateway.admit;

import dev.readmit.gateway.admit.AdmissionSettings.ClassRule;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Sorts a request into a class: the index of the first rule whose every condition holds, or the
 * default class's index ({@link #defaultClassIndex()}, the number of rules) when none does.
 *
 * <p>Immutable and thread safe. Globs and names are compiled once at configuration time; {@link
 * #classify} allocates nothing and compiles nothing. Paths are matched as sent (not percent-decoded,
 * case-sensitive) and without the query string.
 */
public final class ClassRules {

    private final CompiledRule[] rules;
    private final String[] names;

    private ClassRules(CompiledRule[] rules, String[] names) {
        this.rules = rules;
        this.names = names;
    }

    /** Compiles the rules of {@code settings}. */
    public static ClassRules of(AdmissionSettings settings) {
        List<ClassRule> classRules = settings.classes();
        CompiledRule[] compiled = new CompiledRule[classRules.size()];
        String[] names = new String[classRules.size() + 1];
        for (int i = 0; i < compiled.length; i++) {
            compiled[i] = new CompiledRule(classRules.get(i));
            names[i] = classRules.get(i).name();
        }
        names[classRules.size()] = settings.defaultClass();
        return new ClassRules(compiled, names);
    }

    /** The class index of {@code request}, from 0 to {@link #defaultClassIndex()} inclusive. */
    public int classify(HttpRequest request) {
        String uri = request.uri();
        int pathStart = pathStart(uri);
        int pathEnd = pathEnd(uri, pathStart);
        HttpMethod method = request.method();
        for (int i = 0; i < rules.length; i++) {
            if (rules[i].matches(request, method, uri, pathStart, pathEnd)) {
                return i;
            }
        }
        return rules.length;
    }

    /** The index of the default class, which is also the number of rules. */
    public int defaultClassIndex() {
        return rules.length;
    }

    /** The name of class {@code classIndex}. */
    public String name(int classIndex) {
        return names[classIndex];
    }

    /** Where the path starts in a request target: after {@code scheme://authority} in absolute form. */
    static int pathStart(String uri) {
        if (!uri.isEmpty() && uri.charAt(0) == '/') {
            return 0;
        }
        int scheme = uri.indexOf("://");
        if (scheme < 0) {
            return 0;
        }
        int slash = uri.indexOf('/', scheme + 3);
        return slash < 0 ? uri.length() : slash;
    }

    static int pathEnd(String uri, int pathStart) {
        for (int i = pathStart; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                return i;
            }
        }
        return uri.length();
    }

    private static final class CompiledRule {
        private final PathGlob glob;
        private final HttpMethod[] methods;
        private final AsciiString headerName;
        private final String headerValue;

        CompiledRule(ClassRule rule) {
            this.glob = rule.pathGlob() == null ? null : PathGlob.compile(rule.pathGlob());
            this.methods = rule.methods().stream().map(HttpMethod::valueOf).toArray(HttpMethod[]::new);
            this.headerName = rule.headerName() == null ? null : AsciiString.cached(rule.headerName());
            this.headerValue = rule.headerValue();
        }

        boolean matches(HttpRequest request, HttpMethod method, String uri, int pathStart, int pathEnd) {
            if (methods.length > 0 && !anyMethod(method)) {
                return false;
            }
            if (glob != null && !glob.matches(uri, pathStart, pathEnd)) {
                return false;
            }
            return headerName == null || request.headers().contains(headerName, headerValue, false);
        }

        private boolean anyMethod(HttpMethod method) {
            for (HttpMethod candidate : methods) {
                if (candidate.equals(method)) {
                    return true;
                }
            }
            return false;
        }
    }
}
