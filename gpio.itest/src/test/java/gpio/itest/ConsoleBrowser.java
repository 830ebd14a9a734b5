// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.elementToBeClickable;
import static org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium on a Felix web console (Felix's own 5.x or Karaf's
 * 4.8, whose configuration page is the same), used as an operator uses it:
 * buttons clicked, fields typed into, the forms posted by the console's own
 * script with every field as rendered.
 */
final class ConsoleBrowser implements AutoCloseable {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final ChromeDriver browser;
    private final WebDriverWait wait;
    private final String consoleRoot;

    /**
     * Starts Chromium and logs into the console.
     *
     * @param baseUri the HTTP root, such as {@code http://127.0.0.1:8080}
     * @param user the console user
     * @param password the password
     * @param profile an empty directory for Chromium's profile
     */
    ConsoleBrowser(String baseUri, String user, String password, Path profile) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError("this test needs Debian's chromium and chromium-driver:"
                    + " apt-get install chromium chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1100", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        // The configuration page reloads itself after a save: elements found just before may go stale.
        wait = new WebDriverWait(browser, WAIT);
        wait.ignoring(StaleElementReferenceException.class);
        consoleRoot = baseUri + "/system/console";
        // Logging in: HTTP Basic, as the browser's login dialog would send it; the browser then
        // sends the credentials with every request to the console, its scripts' ones included.
        browser.get(baseUri.replace("http://", "http://" + user + ":" + password + "@") + "/system/console/configMgr");
    }

    /**
     * Creates an instance of a factory on the configuration page: clicks the
     * factory's create button, types {@code fields} (leaving every other field
     * as the form renders it), clicks Save and waits for the new instance in
     * the list.
     *
     * @param factoryName the factory's name as the list shows it (its Metatype name)
     * @param fields the values to type, by property name
     * @throws AssertionError with the console's message when it refuses the save
     */
    void create(String factoryName, Map<String, String> fields) {
        By instances = By.cssSelector("#configTable tr[fpid='" + factoryName + "']:not(.fpid)");
        configurationPage();
        int before = browser.findElements(instances).size();
        wait.until(elementToBeClickable(By.cssSelector(
                "tr.fpid[fpid='" + factoryName + "'] li[title='Create new factory configuration']"))).click();
        fields.forEach(this::fill);
        save();
        wait.until(driver -> refusal() != null || driver.findElements(instances).size() > before);
        String refusal = refusal();
        if (refusal != null) {
            throw new AssertionError("the console refused the " + factoryName + " form with only " + fields.keySet()
                    + " filled: " + refusal);
        }
    }

    /**
     * Edits the first instance of a factory on the configuration page: types
     * {@code fields} and clicks Save.
     *
     * @return the console's refusal, {@code null} when it saved
     */
    String edit(String factoryName, Map<String, String> fields) {
        configurationPage();
        wait.until(elementToBeClickable(By.cssSelector(
                "tr[fpid='" + factoryName + "']:not(.fpid) li[title='Edit the configuration values']"))).click();
        fields.forEach(this::fill);
        save();
        return refusal();
    }

    /** Opens the GPIO page. */
    void gpioPage() {
        browser.get(consoleRoot + "/gpio");
    }

    /** Waits until the element found by {@code css} shows {@code text}. */
    void awaitText(String css, String text) {
        wait.until(textToBePresentInElementLocated(By.cssSelector(css), text));
    }

    /** Waits until nothing matches {@code css}. */
    void awaitAbsent(String css) {
        wait.until(driver -> driver.findElements(By.cssSelector(css)).isEmpty());
    }

    /** Waits until the element found by {@code css} has {@code attribute} set to {@code value}. */
    void awaitAttribute(String css, String attribute, String value) {
        wait.until(attributeToBe(By.cssSelector(css), attribute, value));
    }

    /** The value of {@code attribute} of the element found by {@code css}, once it is there. */
    String attribute(String css, String attribute) {
        return wait.until(presenceOfElementLocated(By.cssSelector(css))).getDomAttribute(attribute);
    }

    /** Chooses the option of value {@code value} in the select element found by {@code css}. */
    void select(String css, String value) {
        new Select(wait.until(visibilityOfElementLocated(By.cssSelector(css)))).selectByValue(value);
    }

    /** Scrolls the element found by {@code css} into view, for a screenshot of it. */
    void scrollTo(String css) {
        browser.executeScript("arguments[0].scrollIntoView()",
                wait.until(presenceOfElementLocated(By.cssSelector(css))));
    }

    /** Clicks the element found by {@code css}, again if the page re-rendered it meanwhile. */
    void click(String css) {
        wait.until(driver -> {
            WebElement element = elementToBeClickable(By.cssSelector(css)).apply(driver);
            if (element == null) {
                return false;
            }
            element.click();
            return true;
        });
    }

    /** Saves what the browser shows into {@code file}. */
    void screenshot(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
        if (Files.size(file) == 0) {
            throw new AssertionError("empty screenshot " + file);
        }
    }

    @Override
    public void close() {
        browser.quit();
    }

    private void configurationPage() {
        browser.get(consoleRoot + "/configMgr");
        wait.until(visibilityOfElementLocated(By.cssSelector("#configTable tr.fpid")));
    }

    /** Types a value into a field of the open configuration dialog. */
    private void fill(String property, String value) {
        WebElement field = wait.until(visibilityOfElementLocated(
                By.cssSelector("#editorTable [name='" + property + "']")));
        field.clear();
        field.sendKeys(value);
    }

    private void save() {
        wait.until(elementToBeClickable(By.xpath(
                "//div[contains(@class,'ui-dialog-buttonset')]/button[normalize-space()='Save']"))).click();
        wait.until(driver -> refusal() != null || driver.findElements(By.cssSelector("#editorTable")).stream()
                .noneMatch(WebElement::isDisplayed));
    }

    /**
     * The console's error dialog after a save ("AJAX Error" with the server's
     * answer), {@code null} when none is open.
     */
    private String refusal() {
        List<WebElement> dialogs = browser.findElements(By.cssSelector(".ui-dialog"));
        for (WebElement dialog : dialogs) {
            List<WebElement> title = dialog.findElements(By.cssSelector(".ui-dialog-title"));
            if (dialog.isDisplayed() && !title.isEmpty() && title.get(0).getText().contains("Error")) {
                return dialog.getText();
            }
        }
        return null;
    }
}
