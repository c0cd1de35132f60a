package io.omnisql.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.GatewayHarness;
import io.omnisql.RequiredTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console end to end in Debian's headless Chromium: sign-in through the demo issuer as the product sheet's
 * people, the product sheet's join with masked e-mails, the qa denial of diff_link, timing bars and the plan,
 * cancelling a slow query, a virtual grid over many rows, and hostile markup from upstream rendered as text.
 * One browser for the whole class; screenshots land in target/console-screenshots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
    /** A pull request title the simulator serves; it must stay text wherever the console shows it. */
    static final String PAYLOAD = "<img src=x onerror=alert(1)><script>alert(2)</script>";
    static final String PRODUCT_SHEET_JOIN = "SELECT gh.pr_id, gh.author_email, jira.status FROM github.pull_requests gh "
            + "JOIN jira.issues jira ON gh.branch = jira.branch_name WHERE jira.status = \"In Progress\"";
    private static final Path SHOTS = Path.of("target", "console-screenshots");

    private GatewayHarness gw;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private Path profile;
    private Path downloads;

    @BeforeAll
    void start() throws Exception {
        Path chromium = new RequiredTool("chromium", "install Debian's chromium (bin/ensure-chromium as root)")
                .find(RequiredTool.candidates("CHROMIUM_BIN", "chromium", Path.of("/usr/bin/chromium")));
        Path driver = new RequiredTool("chromedriver", "install Debian's chromium-driver (bin/ensure-chromium as root)")
                .find(RequiredTool.candidates("CHROMEDRIVER_BIN", "chromedriver", Path.of("/usr/bin/chromedriver")));
        // Every pull request gets the hostile title in turn for the first few, so each team sees some.
        gw = GatewayHarness.start((file, text) -> file.equals("catalog.yaml")
                ? text.replace("    pull_requests: 5000\n", "    pull_requests: 5000\n    titles: ["
                        + String.join(", ", java.util.Collections.nCopies(12, "'" + PAYLOAD + "'")) + "]\n")
                : text);
        Files.createDirectories(SHOTS);
        profile = Files.createTempDirectory("omnisql-chromium");
        downloads = Files.createDirectories(profile.resolve("downloads"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-extensions", "--user-data-dir=" + profile, "--window-size=1500,1000",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost");
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get(gw.uri("/").toString());
    }

    @AfterAll
    void stop() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (gw != null) {
            gw.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void mobileAnalystSeesTheJoinWithMaskedEmailsTimingBarsAndThePlan() throws IOException {
        signIn("alice", "mobile", "analyst", "");
        run(PRODUCT_SHEET_JOIN);
        awaitAnswer();
        assertThat(errorShown()).as("error: %s", errorText()).isFalse();

        // The same statement through the API, for the same principal: the grid shows its row count.
        GatewayHarness.Response api = gw.query(gw.token("alice", "mobile", "analyst", ""), PRODUCT_SHEET_JOIN);
        long expected = api.body().path("metadata").path("row_count").asLong();
        assertThat(expected).isPositive();
        assertThat(rowCountText()).startsWith(String.format("%,d rows", expected));
        List<WebElement> rows = gridRows();
        assertThat(rows).isNotEmpty();
        assertThat(rows.get(0).findElements(By.cssSelector(".grid-cell"))).hasSize(4); // # + 3 columns

        // author_email is masked for alice: its header is marked and every visible value is ***@domain.
        WebElement header = browser.findElement(By.cssSelector(".grid-head"));
        assertThat(header.getText()).contains("pr_id", "BIGINT", "author_email", "VARCHAR", "masked");
        List<WebElement> emails = browser.findElements(By.cssSelector(".grid-body .grid-cell.masked"));
        assertThat(emails).hasSize(rows.size());
        assertThat(emails).allSatisfy(e -> assertThat(e.getText()).startsWith("***@"));

        // Why this answer: a timing bar and a freshness badge per source, the plan with pushed filters, warnings.
        assertThat(browser.findElements(By.cssSelector("#timing .timing-row[data-table]"))).extracting(e -> e.getAttribute("data-table"))
                .containsExactlyInAnyOrder("github.pull_requests", "jira.issues");
        assertThat(browser.findElements(By.cssSelector("#timing .bar-fill"))).hasSize(3);
        assertThat(browser.findElements(By.cssSelector("#freshness .badge"))).extracting(WebElement::getText)
                .allSatisfy(c -> assertThat(c).isIn("hit", "miss", "coalesced", "stale"));
        wait.until(d -> d.findElement(By.id("plan")).getText().contains("pushed to the source"));
        String plan = browser.findElement(By.id("plan")).getText();
        assertThat(plan).contains("github.pull_requests", "jira.issues", "status = 'In Progress'", "evaluated in DuckDB");
        assertThat(browser.findElement(By.id("policies-applied")).getText())
                .contains("row filter own_team", "mask partial on github.pull_requests.author_email (rule pii_email");
        assertThat(browser.findElement(By.id("warnings")).getText()).contains("\"In Progress\" names no column");
        assertThat(browser.findElement(By.id("trace-id")).getText()).matches("[0-9a-f]{32}");
        assertThat(browser.findElements(By.cssSelector("#sql-highlight .tok-keyword"))).extracting(WebElement::getText)
                .contains("SELECT", "FROM", "JOIN", "WHERE");
        screenshot("1-mobile-analyst-join");
        Files.copy(SHOTS.resolve("1-mobile-analyst-join.png"), SHOTS.resolve("console.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    @Order(2)
    void withPiiAccessTheEmailsAreClear() throws IOException {
        signIn("alice", "mobile", "analyst", "PII_ACCESS");
        run(PRODUCT_SHEET_JOIN);
        awaitAnswer();
        assertThat(browser.findElement(By.cssSelector(".grid-head")).getText()).doesNotContain("masked");
        assertThat(browser.findElements(By.cssSelector(".grid-body .grid-cell.masked"))).isEmpty();
        List<String> emails = gridRows().stream().map(r -> r.findElements(By.cssSelector(".grid-cell")).get(2).getText()).toList();
        assertThat(emails).isNotEmpty().allSatisfy(e -> assertThat(e).doesNotStartWith("***").contains("@"));

        // The CSV download holds the whole answer, as shown.
        browser.findElement(By.id("download-csv")).click();
        Path csv = downloads.resolve("omnisql-result.csv");
        wait.until(d -> Files.exists(csv) && csv.toFile().length() > 0);
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo("pr_id,author_email,status");
        assertThat(lines).hasSize(1 + Integer.parseInt(rowCountText().split(" ")[0].replace(",", "")));
        assertThat(lines.get(1)).contains("@").endsWith(",In Progress");
    }

    @Test
    @Order(3)
    void qaIsDeniedDiffLinkAndThePoliciesViewSaysWhy() throws IOException {
        signIn("quinn", "mobile", "qa", "");
        run("SELECT pr_id, diff_link FROM github.pull_requests");
        awaitAnswer();
        assertThat(browser.findElement(By.id("error-code")).getText()).isEqualTo("ENTITLEMENT_DENIED (403)");
        assertThat(browser.findElement(By.id("error-message")).getText()).contains("diff_link", "qa_no_diff");
        assertThat(browser.findElement(By.cssSelector("#error dd[data-key=rule]")).getText()).isEqualTo("qa_no_diff");
        screenshot("3-qa-denied");

        browser.findElement(By.id("tab-policies")).click();
        WebElement prs = browser.findElement(By.cssSelector("#policies-tables .policy-table[data-table='github.pull_requests']"));
        assertThat(prs.findElement(By.cssSelector("tr.denied-col")).getText()).contains("diff_link", "denied");
        assertThat(prs.getText()).contains("row filtered", "left out (rule qa_no_diff)", "row filter own_team");
        screenshot("3-qa-policies");
        browser.findElement(By.id("tab-query")).click();

        // Completion offers the columns qa may read, after the alias, and never the denied one.
        WebElement editor = browser.findElement(By.id("sql"));
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1]; arguments[0].focus();"
                + "arguments[0].setSelectionRange(arguments[1].length, arguments[1].length);", editor,
                "SELECT * FROM github.pull_requests gh WHERE gh.d");
        editor.sendKeys("r");
        List<String> offered = wait.until(d -> {
            List<String> items = d.findElements(By.cssSelector("#completions li b")).stream().map(WebElement::getText).toList();
            return items.isEmpty() ? null : items;
        });
        assertThat(offered).containsExactly("draft");
        editor.sendKeys(Keys.BACK_SPACE);
        wait.until(d -> d.findElements(By.cssSelector("#completions li b")).size() > 0);
        assertThat(browser.findElements(By.cssSelector("#completions li b"))).extracting(WebElement::getText)
                .contains("draft").doesNotContain("diff_link");
        editor.sendKeys("r", Keys.TAB);
        assertThat(editor.getAttribute("value")).isEqualTo("SELECT * FROM github.pull_requests gh WHERE gh.draft");
    }

    @Test
    @Order(4)
    void contractorsPolicyViewShowsTheDeniedTableWithItsRule() {
        signIn("carl", "web", "contractor", "");
        browser.findElement(By.id("tab-policies")).click();
        WebElement jira = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#policies-tables .policy-table.denied[data-table='jira.issues']")));
        assertThat(jira.getText()).contains("denied", "contractors_no_jira");
        browser.findElement(By.id("tab-query")).click();
    }

    @Test
    @Order(5)
    void aSlowQueryShowsProgressAndCancels() throws IOException {
        assertThat(gw.edit("catalog.yaml", t -> t.replaceFirst("latency_ms: 0", "latency_ms: 400"))).isTrue();
        try {
            signIn("alice", "mobile", "analyst", "");
            WebElement staleness = browser.findElement(By.id("staleness"));
            staleness.clear();
            staleness.sendKeys("0");
            run("SELECT count(*) FROM github.pull_requests");
            wait.until(d -> d.findElement(By.id("progress")).getText().contains("requests"));
            screenshot("5-slow-query-progress");
            browser.findElement(By.id("cancel")).click();
            awaitAnswer();
            assertThat(browser.findElement(By.id("error-code")).getText()).startsWith("QUERY_CANCELLED");
            assertThat(browser.findElement(By.id("progress-state")).getText()).isEqualTo("cancelled");
            assertThat(browser.findElement(By.id("run")).isEnabled()).isTrue();
            staleness.clear();
            staleness.sendKeys("60000");
        } finally {
            gw.edit("catalog.yaml", t -> t.replaceFirst("latency_ms: 400", "latency_ms: 0"));
        }
    }

    @Test
    @Order(6)
    void hostileTitlesStayTextInGridChartAndErrors() throws IOException {
        signIn("root", "platform", "admin", "");
        run("SELECT title, count(*) AS prs FROM github.pull_requests WHERE title LIKE '%onerror%' GROUP BY title");
        awaitAnswer();
        assertThat(errorText()).isEmpty();
        WebElement cell = gridRows().get(0).findElements(By.cssSelector(".grid-cell")).get(1);
        assertThat(cell.getText()).isEqualTo(PAYLOAD);
        browser.findElement(By.id("chart-toggle")).click();
        new Select(browser.findElement(By.id("chart-x"))).selectByIndex(0);
        new Select(browser.findElement(By.id("chart-y"))).selectByIndex(1);
        WebElement chart = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart-box svg")));
        assertThat(chart.findElements(By.cssSelector("rect.chart-bar"))).hasSize(1);
        assertThat(chart.findElement(By.cssSelector("text.x-label")).getText()).startsWith("<img src=x");
        screenshot("6-hostile-title-grid-chart");

        // The payload in a statement comes back in the error message: text again.
        run("SELECT \"" + PAYLOAD.replace("\"", "") + "\" FROM github.pull_requests");
        awaitAnswer();
        assertThat(browser.findElement(By.id("error-message")).getText()).contains("<img src=x onerror=alert(1)>");

        assertThat(browser.findElements(By.cssSelector("main img, main script"))).isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return document.querySelectorAll('img').length")).isEqualTo(0L);
        List<String> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage)
                .filter(m -> !m.contains("/v1/") && !m.contains("the server responded with a status"))
                .toList();
        assertThat(severe).as("script errors or CSP violations in the console").isEmpty();
        browser.findElement(By.id("chart-toggle")).click();
    }

    @Test
    @Order(7)
    void theGridRendersOnlyVisibleRowsOfALargeAnswer() throws IOException {
        run("SELECT a.pr_id, a.repo, b.n FROM github.pull_requests a CROSS JOIN "
                + "(SELECT * FROM (VALUES (1),(2),(3),(4),(5),(6),(7),(8),(9),(10),(11),(12),(13),(14),(15),(16),(17),(18),(19),(20)) v(n)) b");
        awaitAnswer();
        assertThat(errorText()).isEmpty();
        assertThat(rowCountText()).startsWith("100,000 rows");
        assertThat(gridRows().size()).isBetween(10, 80);
        ((JavascriptExecutor) browser).executeScript("const g = document.getElementById('grid'); g.scrollTop = g.scrollHeight;");
        wait.until(d -> gridRows().stream().anyMatch(r -> "99999".equals(r.getAttribute("data-row"))));
        assertThat(gridRows().size()).isBetween(10, 80);
        screenshot("7-100k-rows-scrolled");
    }

    @Test
    @Order(8)
    void historyKeepsSqlButTheTokenStaysOutOfStorage() {
        Object stored = ((JavascriptExecutor) browser).executeScript(
                "return JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie, location.href])");
        assertThat(stored.toString()).contains("SELECT a.pr_id").doesNotContain("eyJ").doesNotContain("access_token");
        assertThat(new Select(browser.findElement(By.id("history"))).getOptions().size()).isGreaterThan(3);
    }

    /** Authorization code + PKCE against a real OIDC provider (mock-oauth2-server), demo issuer off. */
    @Test
    @Order(9)
    void signsInWithTheConfiguredOidcProviderUsingPkce() throws Exception {
        MockOAuth2Server idp = new MockOAuth2Server();
        idp.start(InetAddress.getByName("127.0.0.1"), 0);
        String issuer = idp.issuerUrl("acme").toString();
        idp.enqueueCallback(new DefaultOAuth2TokenCallback("acme", "olivia", "JWT", List.of("omnisql"),
                Map.of("team", "mobile", "roles", List.of("analyst")), 3600));
        try (GatewayHarness oidc = GatewayHarness.start((file, text) -> file.equals("policies.yaml")
                ? text.replace("  demo_issuer: {enabled: true, token_ttl_s: 3600}",
                "  issuer: " + issuer + "\n  console_client_id: omnisql-console\n  demo_issuer: {enabled: false}")
                : text)) {
            browser.get(oidc.uri("/").toString());
            WebElement button = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-oidc")));
            assertThat(browser.findElement(By.id("signin-form")).isDisplayed()).isFalse();
            button.click();
            wait.until(d -> d.findElement(By.id("whoami")).getText().startsWith("olivia"));
            assertThat(browser.getCurrentUrl()).isEqualTo(oidc.uri("/").toString()); // the code left the address bar
            assertThat(((JavascriptExecutor) browser).executeScript("return sessionStorage.length")).isEqualTo(0L);
            run("SELECT count(*) AS prs FROM github.pull_requests WHERE repo = 'acme/mobile-app' AND state = 'open'");
            awaitAnswer();
            assertThat(errorText()).isEmpty();
            assertThat(browser.findElement(By.id("policies-applied")).getText()).contains("\"team_id\" = 'mobile'");
            screenshot("9-oidc-pkce");
        } finally {
            idp.shutdown();
        }
    }

    private void signIn(String sub, String team, String roles, String scopes) {
        if (browser.findElement(By.id("signout")).isDisplayed()) {
            browser.findElement(By.id("signout")).click();
        }
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
        type("sub", sub);
        new Select(browser.findElement(By.id("team"))).selectByValue(team);
        type("roles", roles);
        type("scopes", scopes);
        browser.findElement(By.id("signin-demo")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("query-view")));
        wait.until(d -> d.findElement(By.id("whoami")).getText().startsWith(sub));
    }

    private void type(String id, String value) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    /** Replaces the editor's text and runs it with Ctrl+Enter. */
    private void run(String sql) {
        WebElement editor = browser.findElement(By.id("sql"));
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1];"
                + "arguments[0].dispatchEvent(new Event('input'));", editor, sql);
        editor.sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));
        wait.until(d -> d.findElement(By.id("run")).isEnabled() || d.findElement(By.id("cancel")).isEnabled());
    }

    /** Waits for rows or an error; on a timeout the page is saved as a screenshot for the failure report. */
    private void awaitAnswer() throws IOException {
        try {
            // Generous: a cold fetch of 5,000 pull requests on a busy 2-core machine can take many seconds.
            new WebDriverWait(browser, Duration.ofSeconds(90)).until(d -> !rowCountText().isEmpty() || errorShown());
        } catch (org.openqa.selenium.TimeoutException e) {
            screenshot("timeout-" + System.nanoTime());
            throw new AssertionError("no answer in the console; state: " + browser.findElement(By.id("query-state")).getText()
                    + ", progress: " + browser.findElement(By.id("progress")).getText(), e);
        }
    }

    private List<WebElement> gridRows() {
        return browser.findElements(By.cssSelector("#grid .grid-body .grid-row"));
    }

    private String rowCountText() {
        return browser.findElement(By.id("row-count")).getText();
    }

    private boolean errorShown() {
        return browser.findElement(By.id("error")).isDisplayed();
    }

    private String errorText() {
        return errorShown() ? browser.findElement(By.id("error")).getText() : "";
    }

    private void screenshot(String name) throws IOException {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
