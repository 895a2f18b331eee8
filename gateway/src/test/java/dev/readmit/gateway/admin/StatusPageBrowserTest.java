package dev.readmit.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.gateway.LeakCheckExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real browser: headless Chromium (installed by the gateway module's test setup,
 * {@code src/test/setup/install-browser.sh}) loads {@code GET /} from a running admin console, shows
 * the live figures, sees them change when clients are admitted through the gateway, and presses the
 * pause button, which pauses the ramps through the admin API with the token typed into the page.
 *
 * <p>Nothing here waits for a fixed time: every wait is for a condition, bounded only so that a
 * broken build fails instead of hanging.
 */
@ExtendWith(LeakCheckExtension.class)
final class StatusPageBrowserTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private AdminFixture f;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        f = new AdminFixture(dir);
        java.util.logging.Logger.getLogger("org.openqa.selenium").setLevel(Level.WARNING);
        ChromeOptions options = new ChromeOptions()
                .setBinary(chromium())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage")
                .addArguments("--no-proxy-server", "--disable-background-networking", "--no-first-run");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(chromedriver()).toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        f.close();
    }

    @Test
    void showsLiveFiguresThatChangeAndPausesTheRampFromItsButton() throws Exception {
        browser.get(f.adminUrl() + "/");
        WebDriverWait wait = new WebDriverWait(browser, BOUND);

        // Loaded and polling: the figures come from /status.
        wait.until(ExpectedConditions.textToBe(By.id("admitted"), "0"));
        wait.until(ExpectedConditions.textToBe(By.id("gate"), "green"));
        assertThat(browser.findElement(By.id("message")).getText()).contains("back soon");

        // Three paying clients come in through the gateway (their cohort is open wide enough once
        // the operator opens it fully); the page shows them without a reload.
        assertThat(f.post("/ramp/open", "{\"class\":\"paying\",\"percent\":100}", AdminFixture.TOKEN)
                        .statusCode())
                .isEqualTo(200);
        for (String client : new String[] {"alice", "bob", "carol"}) {
            assertThat(proxied(client)).isEqualTo(200);
        }
        wait.until(ExpectedConditions.textToBe(By.id("admitted"), "3"));

        // The operator types the token and presses pause: the ramps pause, through the admin API.
        browser.findElement(By.id("token")).sendKeys(AdminFixture.TOKEN);
        browser.findElement(By.id("btn-pause")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("action-result"), "pause"));
        assertThat(f.classStatus("everyone").get("state").asText()).isEqualTo("paused");
        assertThat(f.classStatus("paying").get("state").asText()).isEqualTo("paused");
        assertThat(f.admin.events().size()).isPositive();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("events"), "paused"));
    }

    /** One request through the gateway for a client of the paying class; its status code. */
    private int proxied(String client) throws IOException, InterruptedException {
        int port = f.gateway.localAddress().getPort();
        HttpResponse<String> r = f.http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status/200"))
                        .header("X-Client-Id", client)
                        .header("X-Tier", "paying")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }

    private static String chromium() {
        return firstExisting("chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
    }

    private static String chromedriver() {
        return firstExisting("chromedriver", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
    }

    private static String firstExisting(String what, String... paths) {
        for (String p : paths) {
            if (java.nio.file.Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        throw new IllegalStateException(what + " not found (looked at " + String.join(", ", paths)
                + "); the gateway module's test setup installs it: src/test/setup/install-browser.sh");
    }
}
