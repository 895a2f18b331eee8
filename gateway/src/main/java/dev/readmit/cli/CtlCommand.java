package dev.readmit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.readmit.gateway.admin.AdminToken;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

/**
 * {@code readmit ctl}: drives a running gateway through its admin API.
 *
 * <p>Exit codes, for scripts: {@value #OK} done; {@value #REFUSED} the gateway refused the request
 * (400, 404, 405, 409: bad value, unknown class, admission off...); {@value #USAGE} bad usage;
 * {@value #UNREACHABLE} the admin API could not be reached; {@value #UNAUTHORIZED} no token or a
 * wrong one (401).
 *
 * <p>The token for changes comes from the environment variable {@value AdminToken#ENV} or from
 * {@code --token-file FILE}, never from the command line.
 */
@Command(
        name = "ctl",
        mixinStandardHelpOptions = true,
        versionProvider = ReadmitVersion.class,
        description = {
            "Controls a running gateway through its admin API.",
            "Changes need the admin token: set " + AdminToken.ENV + " or give --token-file FILE.",
            "Exit codes: 0 done, 1 refused by the gateway, 2 usage, 3 gateway unreachable, 4 unauthorized."
        },
        subcommands = {
            CtlCommand.Status.class,
            CtlCommand.Pause.class,
            CtlCommand.Resume.class,
            CtlCommand.Advance.class,
            CtlCommand.Rollback.class,
            CtlCommand.Open.class,
            CtlCommand.Rate.class,
            CtlCommand.Message.class,
            CtlCommand.Events.class,
            CtlCommand.Reload.class
        })
public final class CtlCommand implements Runnable {

    static final int OK = 0;
    static final int REFUSED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;
    static final int UNAUTHORIZED = 4;

    /** Where the admin API listens when {@code --admin} is not given (the example config's address). */
    public static final String DEFAULT_ADMIN = "http://127.0.0.1:9090";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> env;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--admin",
            paramLabel = "URL",
            defaultValue = DEFAULT_ADMIN,
            scope = ScopeType.INHERIT,
            description = "The admin API's address (default: ${DEFAULT-VALUE}).")
    String admin;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            description = "A file holding the admin token; " + AdminToken.ENV + " wins over it.")
    Path tokenFile;

    @Option(
            names = "--as",
            paramLabel = "NAME",
            scope = ScopeType.INHERIT,
            description = "Your name, for the gateway's log and events (default: admin).")
    String operator;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print the gateway's JSON answer as is.")
    boolean json;

    public CtlCommand() {
        this(System.getenv());
    }

    /** @param env the environment the token is read from (tests pass their own) */
    CtlCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "give a command: status, pause, resume, advance, rollback, open, rate, message, events or reload");
    }

    /** One admin API call and how its answer is printed. */
    abstract static class Call implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return ctl.send(spec.commandLine(), this);
        }

        /** {@code GET} or {@code POST}. */
        abstract String method();

        abstract String path();

        /** The JSON body of a POST, or null for none. */
        ObjectNode body() {
            return null;
        }

        /** Prints a successful answer for a human. */
        abstract void print(JsonNode answer, PrintWriter out);
    }

    /** A ramp action, with an optional class. */
    abstract static class RampCall extends Call {
        @Option(names = "--class", paramLabel = "CLASS", description = "Only this class (default: every ramped class).")
        String className;

        @Override
        String method() {
            return "POST";
        }

        @Override
        ObjectNode body() {
            ObjectNode b = JSON.createObjectNode();
            if (className != null) {
                b.put("class", className);
            }
            return b;
        }

        @Override
        void print(JsonNode answer, PrintWriter out) {
            for (JsonNode k : answer.path("classes")) {
                out.printf(
                        "%s: %s%n",
                        k.path("name").asText(),
                        k.path("changed").asBoolean()
                                ? k.path("before").asText() + " -> "
                                        + k.path("after").asText()
                                : "unchanged (" + k.path("after").asText() + ")");
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Shows the gateway's status.")
    static final class Status extends Call {
        @Override
        String method() {
            return "GET";
        }

        @Override
        String path() {
            return "/status";
        }

        @Override
        void print(JsonNode s, PrintWriter out) {
            if (s.path("admission").asText().equals("off")) {
                out.printf(
                        "admission   off (every request is proxied)%nready       %s%n",
                        s.path("ready").asBoolean());
                return;
            }
            out.printf(
                    "gate        %s (%s)%n",
                    s.path("gate").asText(), s.path("gateReason").asText());
            out.printf(
                    "ready       %s%s%n",
                    s.path("ready").asBoolean(), s.path("draining").asBoolean() ? ", draining" : "");
            out.printf(
                    "breaker     %s%s%n",
                    s.path("breaker").asText(),
                    s.path("newAdmissionsStopped").asBoolean() ? " (new admissions stopped)" : "");
            out.printf(
                    "clients     %d admitted, %d waiting (%d requests held)%n",
                    s.path("admittedClients").asLong(),
                    s.path("waitingClients").asLong(),
                    s.path("heldRequests").asLong());
            JsonNode rate = s.path("newClientRate");
            out.printf(
                    Locale.ROOT,
                    "new clients %s/s, burst %s (in force now: %s/s; admitted in the last second: %.1f/s)%n",
                    number(rate.path("perSecond").asDouble()),
                    number(rate.path("burst").asDouble()),
                    number(rate.path("effectivePerSecond").asDouble()),
                    rate.path("admittedPerSecond").asDouble());
            JsonNode up = s.path("upstream");
            JsonNode c = s.path("concurrency");
            out.printf(
                    Locale.ROOT,
                    "upstream    p50 %.1f ms, p99 %.1f ms, errors %.2f %%, in flight %s of limit %s%n",
                    up.path("p50Millis").asDouble(),
                    up.path("p99Millis").asDouble(),
                    up.path("errorRate").asDouble() * 100,
                    c.path("inFlight").isNull() ? "-" : c.path("inFlight").asText(),
                    c.path("limit").isNull() ? "-" : c.path("limit").asText());
            String message = s.path("message").asText();
            out.printf("message     %s%n", message.isEmpty() ? "(none)" : "\"" + message + "\"");
            out.printf("%-16s %-13s %8s  %s%n", "class", "state", "open", "next step");
            for (JsonNode k : s.path("classes")) {
                String next = k.path("secondsToNextStep").isNull()
                        ? "-"
                        : String.format(
                                Locale.ROOT,
                                "%.1f%% in %.0f s",
                                k.path("nextPercent").asDouble(),
                                k.path("secondsToNextStep").asDouble());
                out.printf(
                        Locale.ROOT,
                        "%-16s %-13s %7.1f%%  %s%n",
                        k.path("name").asText(),
                        k.path("alwaysOpen").asBoolean()
                                ? "always open"
                                : k.path("state").asText(),
                        k.path("openPercent").asDouble(),
                        k.path("alwaysOpen").asBoolean() ? "-" : next);
            }
        }
    }

    @Command(
            name = "pause",
            mixinStandardHelpOptions = true,
            description = "Pauses the ramp (every class, or --class).")
    static final class Pause extends RampCall {
        @Override
        String path() {
            return "/ramp/pause";
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resumes a paused ramp.")
    static final class Resume extends RampCall {
        @Override
        String path() {
            return "/ramp/resume";
        }
    }

    @Command(name = "advance", mixinStandardHelpOptions = true, description = "Moves the ramp up one step now.")
    static final class Advance extends RampCall {
        @Override
        String path() {
            return "/ramp/advance";
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Moves the ramp down one step now.")
    static final class Rollback extends RampCall {
        @Override
        String path() {
            return "/ramp/rollback";
        }
    }

    @Command(name = "open", mixinStandardHelpOptions = true, description = "Sets a class's open percentage.")
    static final class Open extends Call {
        @Parameters(index = "0", paramLabel = "CLASS", description = "The class, e.g. everyone.")
        String className;

        @Parameters(index = "1", paramLabel = "PERCENT", description = "0 to 100.")
        double percent;

        @Override
        String method() {
            return "POST";
        }

        @Override
        String path() {
            return "/ramp/open";
        }

        @Override
        ObjectNode body() {
            return JSON.createObjectNode().put("class", className).put("percent", percent);
        }

        @Override
        void print(JsonNode a, PrintWriter out) {
            out.printf("%s: %s%n", a.path("class").asText(), change(a));
        }
    }

    @Command(name = "rate", mixinStandardHelpOptions = true, description = "Sets the new-client rate (and burst).")
    static final class Rate extends Call {
        @Parameters(index = "0", paramLabel = "N", description = "New clients per second, 0 or more.")
        double perSecond;

        @Parameters(
                index = "1",
                paramLabel = "BURST",
                arity = "0..1",
                description = "Burst, at least 1 (default: unchanged).")
        Double burst;

        @Override
        String method() {
            return "POST";
        }

        @Override
        String path() {
            return "/rate";
        }

        @Override
        ObjectNode body() {
            ObjectNode b = JSON.createObjectNode().put("perSecond", perSecond);
            if (burst != null) {
                b.put("burst", burst);
            }
            return b;
        }

        @Override
        void print(JsonNode a, PrintWriter out) {
            out.printf("new-client rate: %s%n", change(a));
        }
    }

    @Command(
            name = "message",
            mixinStandardHelpOptions = true,
            description = "Sets the message shown to waiting clients; --clear removes it.")
    static final class Message extends Call {
        @Parameters(paramLabel = "TEXT", arity = "0..*", description = "The message (words are joined by spaces).")
        List<String> words;

        @Option(names = "--clear", description = "Remove the message.")
        boolean clear;

        @Override
        public Integer call() {
            boolean hasText = words != null && !words.isEmpty();
            if (clear == hasText) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give the message TEXT, or --clear");
            }
            return super.call();
        }

        @Override
        String method() {
            return "POST";
        }

        @Override
        String path() {
            return "/message";
        }

        @Override
        ObjectNode body() {
            ObjectNode b = JSON.createObjectNode();
            if (clear) {
                b.putNull("text");
            } else {
                b.put("text", String.join(" ", words));
            }
            return b;
        }

        @Override
        void print(JsonNode a, PrintWriter out) {
            String after = a.path("after").asText();
            out.printf("message: %s%n", after.isEmpty() ? "cleared" : "\"" + after + "\"");
        }
    }

    @Command(name = "events", mixinStandardHelpOptions = true, description = "Lists recent events, newest first.")
    static final class Events extends Call {
        @Option(
                names = "--limit",
                paramLabel = "N",
                defaultValue = "20",
                description = "At most N (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            if (limit < 1) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--limit must be at least 1, got " + limit);
            }
            return super.call();
        }

        @Override
        String method() {
            return "GET";
        }

        @Override
        String path() {
            return "/events?limit=" + limit;
        }

        @Override
        void print(JsonNode a, PrintWriter out) {
            if (a.path("events").isEmpty()) {
                out.println("no events yet");
            }
            for (JsonNode e : a.path("events")) {
                String cls = e.path("className").asText();
                String from = e.path("from").asText();
                String detail = e.path("detail").asText();
                out.printf(
                        "%s  %-8s %s%s  %s%s: %s -> %s%s%n",
                        e.path("at").asText(),
                        e.path("kind").asText(),
                        e.path("who").asText(),
                        from.isEmpty() ? "" : " (" + from + ")",
                        e.path("action").asText(),
                        cls.isEmpty() ? "" : " " + cls,
                        e.path("before").asText(),
                        e.path("after").asText(),
                        detail.isEmpty() ? "" : "  [" + detail + "]");
            }
        }
    }

    @Command(
            name = "reload",
            mixinStandardHelpOptions = true,
            description = "Re-reads the gateway's config file and applies what can change live.")
    static final class Reload extends Call {
        @Override
        String method() {
            return "POST";
        }

        @Override
        String path() {
            return "/config/reload";
        }

        @Override
        ObjectNode body() {
            return JSON.createObjectNode();
        }

        @Override
        void print(JsonNode a, PrintWriter out) {
            if (a.path("applied").isEmpty()) {
                out.println("nothing to apply live");
            }
            for (JsonNode f : a.path("applied")) {
                out.printf(
                        "applied %s: %s -> %s%n",
                        f.path("field").asText(),
                        f.path("before").asText(),
                        f.path("after").asText());
            }
            for (JsonNode f : a.path("needsRestart")) {
                out.printf("needs a restart: %s%n", f.asText());
            }
        }
    }

    private int send(CommandLine cli, Call call) {
        PrintWriter out = cli.getOut();
        PrintWriter err = cli.getErr();
        URI base;
        try {
            base = URI.create(admin.endsWith("/") ? admin.substring(0, admin.length() - 1) : admin);
            if (base.getScheme() == null || !base.getScheme().equals("http") || base.getHost() == null) {
                throw new IllegalArgumentException("not an http URL");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    cli, "--admin must be the admin API's URL, e.g. " + DEFAULT_ADMIN + "; got '" + admin + "'");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + call.path()))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        if (call.method().equals("POST")) {
            String token = token(cli);
            if (token == null) {
                err.println("readmit ctl: no admin token: set " + AdminToken.ENV + " or give --token-file FILE");
                err.flush();
                return UNAUTHORIZED;
            }
            ObjectNode body = call.body();
            request.POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body.toString()))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token);
            if (operator != null && !operator.isBlank()) {
                request.header("X-Readmit-Operator", operator);
            }
        } else {
            request.GET();
        }
        HttpResponse<String> response;
        try {
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return unreachable(err, base, "connection refused or timed out");
        } catch (HttpTimeoutException e) {
            return unreachable(err, base, "no answer within 30 s");
        } catch (IOException e) {
            return unreachable(err, base, describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unreachable(err, base, "interrupted");
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            err.println("readmit ctl: " + base + " answered " + response.statusCode()
                    + " with something that is not JSON; is it a readmit admin API?");
            err.flush();
            return REFUSED;
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            if (json) {
                out.println(answer.toPrettyString());
            } else {
                call.print(answer, out);
            }
            out.flush();
            return OK;
        }
        if (json) {
            out.println(answer.toPrettyString());
            out.flush();
        }
        String error = answer.path("error").asText("HTTP " + status);
        if (status == 401) {
            err.println("readmit ctl: unauthorized: " + error);
            err.flush();
            return UNAUTHORIZED;
        }
        err.println("readmit ctl: refused (" + status + "): " + error);
        for (JsonNode p : answer.path("problems")) {
            err.println(
                    "  - " + p.path("field").asText() + ": " + p.path("problem").asText());
        }
        err.flush();
        return REFUSED;
    }

    private String token(CommandLine cli) {
        String fromEnv = env.get(AdminToken.ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.strip();
        }
        if (tokenFile == null) {
            return null;
        }
        try {
            for (String line : Files.readAllLines(tokenFile, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    return line.strip();
                }
            }
        } catch (IOException e) {
            throw new CommandLine.ParameterException(cli, "--token-file cannot be read: " + describe(e));
        }
        throw new CommandLine.ParameterException(cli, "--token-file " + tokenFile + " holds no token");
    }

    private static int unreachable(PrintWriter err, URI base, String why) {
        err.println("readmit ctl: cannot reach the admin API at " + base + ": " + why
                + ". Is the gateway running with admin.listen set? (--admin URL)");
        err.flush();
        return UNREACHABLE;
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String change(JsonNode a) {
        return a.path("changed").asBoolean()
                ? a.path("before").asText() + " -> " + a.path("after").asText()
                : "unchanged (" + a.path("after").asText() + ")";
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
