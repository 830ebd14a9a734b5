// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.openqa.selenium.support.ui.ExpectedConditions.elementToBeClickable;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless Chromium, as an operator uses it: log in,
 * create a second simulator through its configuration form, point the device at
 * it through the device's form, and see on the GPIO page that the device now
 * serves it; toggle a simulated input from the page. Leaves a screenshot of the
 * GPIO page in {@code gpio.itest/target/gpio-console.png}.
 */
class WebConsoleChromiumIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    @Test
    void anOperatorCreatesASimulatorAndPointsTheDeviceAtIt() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            gateway.awaitConfigurationForm("gpio.sim");
            ChromeDriver browser = chromium(dataDir.resolve("chromium"));
            try {
                WebDriverWait wait = new WebDriverWait(browser, WAIT);
                // Logging in: HTTP Basic, as the browser's login dialog would send it.
                browser.get(gateway.baseUri().replace("http://", "http://admin:admin@") + "/system/console/configMgr");

                wait.until(elementToBeClickable(By.cssSelector(
                        "tr.fpid[fpid='GPIO simulator'] li[title='Create new factory configuration']"))).click();
                fill(wait, "label", "bench1");
                save(browser, wait);
                wait.until(textToBePresentInElementLocated(By.cssSelector("#configTable"), "gpio.sim."));

                wait.until(elementToBeClickable(By.cssSelector(
                        "tr[fpid='virtio-gpio device']:not(.fpid) li[title='Edit the configuration values']"))).click();
                fill(wait, "controller.target", "(gpio.label=bench1)");
                save(browser, wait);

                browser.get(gateway.baseUri() + "/system/console/gpio");
                wait.until(textToBePresentInElementLocated(By.cssSelector("tr.gpio-device td.controller"), "bench1"));
                wait.until(textToBePresentInElementLocated(By.cssSelector("tr.gpio-device td.target"),
                        "(gpio.label=bench1)"));
                By benchLine0 = By.cssSelector("table.gpio-controller[data-label='bench1'] tr[data-offset='0']");
                wait.until(textToBePresentInElementLocated(benchLine0, "external 0"));
                // The page redraws its tables every second; a button found just before a redraw is gone
                // when clicked (stale), as a click may miss for a person: look it up again and click.
                wait.ignoring(StaleElementReferenceException.class).until(page -> {
                    page.findElement(benchLine0).findElement(By.cssSelector("button.gpio-toggle")).click();
                    return true;
                });
                wait.until(textToBePresentInElementLocated(benchLine0, "external 1"));
                wait.until(textToBePresentInElementLocated(By.cssSelector(
                        "table.gpio-controller[data-label='bench1'] tr[data-offset='0'] td.value"), "1"));

                Path screenshot = Path.of(System.getProperty("screenshots", "target"), "gpio-console.png");
                Files.createDirectories(screenshot.getParent());
                Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), screenshot,
                        StandardCopyOption.REPLACE_EXISTING);
                assertTrue(Files.size(screenshot) > 0, "empty screenshot");
            } finally {
                browser.quit();
            }
            gateway.stopCleanly();
        }
    }

    /** Types a value into a field of the open configuration dialog. */
    private static void fill(WebDriverWait wait, String property, String value) {
        WebElement field = wait.until(visibilityOfElementLocated(
                By.cssSelector("#editorTable [name='" + property + "']")));
        field.clear();
        field.sendKeys(value);
    }

    private static void save(ChromeDriver browser, WebDriverWait wait) {
        wait.until(elementToBeClickable(By.xpath(
                "//div[contains(@class,'ui-dialog-buttonset')]/button[normalize-space()='Save']"))).click();
        wait.until(driver -> browser.findElements(By.cssSelector("#editorTable")).stream()
                .noneMatch(WebElement::isDisplayed));
    }

    private static ChromeDriver chromium(Path profile) {
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
        return new ChromeDriver(service, options);
    }
}
