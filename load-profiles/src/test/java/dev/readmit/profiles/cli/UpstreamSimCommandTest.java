package dev.readmit.profiles.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.readmit.profiles.sim.ServiceTimeDistribution;
import dev.readmit.profiles.sim.SimConfig;
import dev.readmit.profiles.sim.UpstreamSimulator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

final class UpstreamSimCommandTest {

    private static SimConfig configOf(String... args) {
        UpstreamSimCommand command = new UpstreamSimCommand();
        new CommandLine(command).parseArgs(args);
        return command.toConfig();
    }

    private record Outcome(int exitCode, String err) {}

    private static Outcome execute(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new UpstreamSimCommand());
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        return new Outcome(commandLine.execute(args), err.toString());
    }

    @Test
    void derivesALognormalServiceTimeFromTheCapacity() {
        SimConfig config = configOf("--capacity", "2000", "--workers", "32");

        assertThat(config.serviceTime()).isEqualTo(ServiceTimeDistribution.lognormal(Duration.ofMillis(16), 0.5));
        assertThat(config.capacityPerSecond()).isCloseTo(2000, within(1e-6));
        assertThat(config.listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 8081));
        assertThat(config.queueLimit()).isEqualTo(SimConfig.DEFAULT_QUEUE_LIMIT);
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.collapseFactor()).isZero();
    }

    @Test
    void derivesTheCapacityFromTheServiceTime() {
        SimConfig config = configOf("--workers", "4", "--service-time", "constant:20ms");

        assertThat(config.capacityPerSecond()).isCloseTo(200, within(1e-9));
    }

    @Test
    void givesAServiceTimeKindWithoutMeanTheMeanOfTheCapacity() {
        SimConfig config = configOf("--capacity", "100", "--workers", "2", "--service-time", "exponential");

        assertThat(config.serviceTime()).isEqualTo(ServiceTimeDistribution.exponential(Duration.ofMillis(20)));
    }

    @Test
    void takesEveryOption() {
        SimConfig config = configOf(
                "--listen", "[::1]:0",
                "--capacity", "500",
                "--workers", "5",
                "--service-time", "constant:10ms",
                "--queue-limit", "0",
                "--timeout", "750ms",
                "--collapse", "0.25",
                "--io-threads", "1",
                "--seed", "9",
                "--tcp-listen", "127.0.0.1:0");

        assertThat(config.listen()).isEqualTo(new InetSocketAddress("::1", 0));
        assertThat(config.tcpListen()).isEqualTo(new InetSocketAddress("127.0.0.1", 0));
        assertThat(config.queueLimit()).isZero();
        assertThat(config.timeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(config.collapseFactor()).isEqualTo(0.25);
        assertThat(config.ioThreads()).isEqualTo(1);
        assertThat(config.seed()).isEqualTo(9);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--workers 4 | give --capacity RPS or --service-time DIST",
                "--capacity 2000 --workers 32 --service-time constant:20ms"
                        + " | --capacity 2000 with --workers 32 needs a mean service time of 16ms,"
                        + " but --service-time constant:20ms has a mean of 20ms (capacity 1600.0 req/s)",
                "--capacity -5 --workers 4 | --capacity must be a positive number of requests/s, got -5.0",
                "--workers 0 --capacity 10 | --workers must be at least 1, got 0",
                "--workers 4 --service-time gamma:3ms | --service-time: service time 'gamma:3ms': unknown kind 'gamma'",
                "--workers 4 --service-time 5ms --timeout 5 | --timeout: '5' is not a duration",
                "--workers 4 --service-time 5ms --timeout 0s | --timeout must be positive, got 0s",
                "--workers 4 --service-time 5ms --queue-limit -1 | --queue-limit: must be 0 or more, got -1",
                "--workers 4 --service-time 5ms --collapse -1 | --collapse: must be 0 (off) or a positive number",
                "--workers 4 --service-time 5ms --listen localhost | --listen must be HOST:PORT",
                "--workers 4 --service-time 5ms --listen 127.0.0.1:99999 | --listen port must be from 0 to 65535",
                "--workers 4 --service-time 5ms --tcp-listen 6667 | --tcp-listen must be HOST:PORT",
                "--capacity 100 | Missing required option: '--workers=N'",
            })
    void rejectsBadOptionsWithUsageErrorsThatNameTheOption(String args, String message) {
        Outcome outcome = execute(args.trim().split(" +"));

        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains(message).contains("Usage: upstream-sim");
    }

    @Test
    void failsWithExitCode1WhenTheAddressIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Outcome outcome =
                    execute("--listen", "127.0.0.1:" + taken.getLocalPort(), "--workers", "1", "--service-time", "1ms");

            assertThat(outcome.exitCode()).isEqualTo(1);
            assertThat(outcome.err()).contains("cannot listen on").contains(String.valueOf(taken.getLocalPort()));
        }
    }

    @Test
    void servesUntilStoppedAndThenExitsWithZero() throws Exception {
        UpstreamSimCommand command = new UpstreamSimCommand();
        CommandLine commandLine = new CommandLine(command);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> commandLine.execute(
                "--listen", "127.0.0.1:0", "--workers", "2", "--service-time", "1ms", "--stats-every", "0s"));
        UpstreamSimulator simulator = command.started().get(20, TimeUnit.SECONDS);
        HttpClient client = HttpClient.newHttpClient();

        HttpResponse<String> answer = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simulator.port() + "/any"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(simulator.stats().served()).isEqualTo(1);

        command.stop();

        assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
        // A new client: the first one may still hold the kept-alive connection the simulator closed,
        // and a request sent on it just as the close arrives can wait for an answer that never comes.
        HttpClient after = HttpClient.newHttpClient();
        assertThatThrownBy(() -> after.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simulator.port() + "/any"))
                                .timeout(java.time.Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.io.IOException.class);
    }
}
