package io.aem.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aem.linux.testing.FdLeakCheck;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The dashboard in headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * installed by {@code src/test/scripts/install-chromium.sh} when missing), driven by Selenium.
 */
@ExtendWith(FdLeakCheck.class)
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static final Path INSTALL_SCRIPT = Path.of("src/test/scripts/install-chromium.sh");

    private static final Path SCREENSHOT = Path.of("target", "dashboard.png");

    @Test
    void theDashboardShowsAFileCreatedInTheInboxWithoutConsoleErrors(@TempDir Path inbox) throws Exception {
        installChromium();
        ConfigurableApplicationContext context = new SpringApplicationBuilder(DemoApplication.class).run(
                "--demo.port=0", "--demo.httpd.port=0", "--demo.inbox=" + inbox, "--demo.job-period=2s");
        WebDriver driver = null;
        try {
            int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
            driver = chromium();
            driver.get("http://127.0.0.1:" + port + "/");
            WebDriver d = driver;
            ConditionFactory page = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions();
            page.until(() -> "connected".equals(d.findElement(By.id("status")).getAttribute("data-state")));

            Path file = Files.writeString(inbox.resolve("from-the-browser-test.txt"), "hello");
            String name = file.getFileName().toString();
            page.until(() -> fileEventRows(d).stream().anyMatch((row) -> row.getText().contains("CLOSE_WRITE " + name)));
            // charts and tables are drawn from the stats events: wait for one sent after the file's events
            page.until(() -> !d.findElements(By.cssSelector("#rates-legend span.swatch")).isEmpty()
                    && d.findElements(By.cssSelector("#streams tbody tr")).stream()
                        .anyMatch((row) -> row.getText().contains("inotify") && deliveredOf(row) > 0)
                    && Long.parseLong(d.findElement(By.id("client-delivered")).getText()) > 0);
            d.findElement(By.id("fault-job")).click();
            page.until(() -> d.findElement(By.id("action-result")).getText().contains("SIGSEGV"));

            byte[] png = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
            Files.createDirectories(SCREENSHOT.getParent());
            Path written = Files.write(SCREENSHOT.resolveSibling("dashboard.png.tmp"), png);
            Files.move(written, SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
            assertThat(SCREENSHOT).isNotEmptyFile();

            // a marker written to the console proves the browser log reaches the test, so that
            // "no SEVERE entry" means no console error rather than no log at all
            ((ChromeDriver) driver).executeScript("console.info('console-log-marker')");
            List<LogEntry> console = driver.manage().logs().get(LogType.BROWSER).getAll();
            assertThat(console).anyMatch((entry) -> entry.getMessage().contains("console-log-marker"));
            List<LogEntry> severe = console.stream()
                .filter((entry) -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .collect(Collectors.toList());
            assertThat(severe).as("console errors").isEmpty();
        } finally {
            if (driver != null) {
                driver.quit();
            }
            context.close();
        }
    }

    /**
     * Selenium talks to chromedriver through {@code java.net.http.HttpClient}s; on Java 17 such a
     * client closes its selector (an epoll fd and an eventfd) only once it is unreachable, which
     * {@code quit()} does not make happen by itself. Collecting them lets the fd check see what
     * this class itself left open.
     */
    @AfterAll
    static void collectTheDriversHttpClients() {
        System.gc();
    }

    /** The delivered count of a row of the streams table (its third cell). */
    private static long deliveredOf(WebElement streamRow) {
        return Long.parseLong(streamRow.findElements(By.tagName("td")).get(2).getText());
    }

    private static List<WebElement> fileEventRows(WebDriver driver) {
        return driver.findElements(By.cssSelector("#events li[data-family='file']"));
    }

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1100");
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logging);
        ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
        return new ChromeDriver(service, options);
    }

    /** Runs the install script (a no-op when both binaries are present) and checks its outcome. */
    private static void installChromium() throws Exception {
        Process install = new ProcessBuilder("sh", INSTALL_SCRIPT.toString())
            .redirectErrorStream(true)
            .redirectOutput(new File("target/install-chromium.log"))
            .start();
        assertThat(install.waitFor(15, TimeUnit.MINUTES)).as("install-chromium.sh finished").isTrue();
        assertThat(install.exitValue()).as("install-chromium.sh exit code, see target/install-chromium.log").isZero();
        assertThat(CHROMIUM).isExecutable();
        assertThat(CHROMEDRIVER).isExecutable();
    }
}
