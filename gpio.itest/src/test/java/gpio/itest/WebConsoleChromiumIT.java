// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console of the gateway jar in a real headless Chromium, as an
 * operator uses it: every configuration form saved with only its required
 * fields typed, the device pointed at a new simulator through its form, the
 * GPIO page showing it, a simulated input toggled from the page. Leaves a
 * screenshot of the GPIO page in {@code gpio.itest/target/gpio-console.png}.
 */
class WebConsoleChromiumIT {

    @TempDir
    Path dataDir;

    @Test
    void anOperatorCreatesASimulatorAndPointsTheDeviceAtIt() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            gateway.awaitConfigurationForm("gpio.sim");
            try (ConsoleBrowser browser = new ConsoleBrowser(gateway.baseUri(), "admin", "admin",
                    dataDir.resolve("chromium"))) {
                browser.create("GPIO simulator", Map.of("label", "bench1"));
                String refused = browser.edit("virtio-gpio device", Map.of("controller.target", "(gpio.label=bench1)"));
                if (refused != null) {
                    throw new AssertionError("the device form was refused: " + refused);
                }

                browser.gpioPage();
                browser.awaitText("tr.gpio-device td.controller", "bench1");
                browser.awaitText("tr.gpio-device td.target", "(gpio.label=bench1)");
                String benchLine0 = "table.gpio-controller[data-label='bench1'] tr[data-offset='0']";
                browser.awaitText(benchLine0, "external 0");
                browser.click(benchLine0 + " button.gpio-toggle");
                browser.awaitText(benchLine0, "external 1");
                browser.awaitText(benchLine0 + " td.value", "1");
                browser.screenshot(Path.of(System.getProperty("screenshots", "target"), "gpio-console.png"));
            }
            gateway.stopCleanly();
        }
    }

    /**
     * A chip composed in the device's form of lines of two simulators, with a
     * read-only line and a safe state: the form refuses a line listed twice,
     * an offset the simulator lacks and a read-only line given a safe level,
     * with the device's message; the GPIO page shows which controller line
     * each guest line is and its policy.
     */
    @Test
    void anOperatorComposesAChipInTheDeviceFormAndTheGpioPageShowsTheMapping() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            gateway.awaitConfigurationForm("gpio.sim");
            try (ConsoleBrowser browser = new ConsoleBrowser(gateway.baseUri(), "admin", "admin",
                    dataDir.resolve("chromium"))) {
                browser.create("GPIO simulator", Map.of("label", "bench1"));
                assertRefused(browser.edit("virtio-gpio device", Map.of("lines", "sim0:0-3, sim0:2")),
                        "lines: sim0:2 is listed twice");
                assertRefused(browser.edit("virtio-gpio device", Map.of("lines", "sim0:0-1, bench1:9")),
                        "lines: bench1:9 does not exist: controller bench1 has 8 lines");
                assertRefused(browser.edit("virtio-gpio device", Map.of("lines", "sim0:0-1, bench1:4-5",
                        "lines.readonly", "bench1:4", "safe.state", "bench1:4=high")),
                        "safe.state: line bench1:4 is read-only (lines.readonly)");
                String refused = browser.edit("virtio-gpio device", Map.of("lines", "sim0:0-1, bench1:4-5",
                        "lines.readonly", "sim0:1", "safe.state", "bench1:5=low"));
                if (refused != null) {
                    throw new AssertionError("the composed chip was refused: " + refused);
                }

                browser.gpioPage();
                String line = "table.gpio-mapping tr.gpio-guest-line[data-line='%d'] td.%s";
                browser.awaitText(String.format(line, 3, "source"), "bench1:5");
                browser.awaitText(String.format(line, 3, "safe-state"), "low");
                browser.awaitText(String.format(line, 1, "source"), "sim0:1");
                browser.awaitText(String.format(line, 1, "name"), "LED1");
                browser.awaitText(String.format(line, 1, "access"), "no (read-only)");
                browser.awaitText("tr.gpio-device td.controller", "sim0, bench1");
                browser.screenshot(Path.of(System.getProperty("screenshots", "target"), "gpio-console-composed.png"));
            }
            gateway.stopCleanly();
        }
    }

    private static void assertRefused(String refusal, String message) {
        if (refusal == null || !refusal.contains(message)) {
            throw new AssertionError("the form was not refused with '" + message + "' but " + refusal);
        }
    }

    /**
     * Each of the three forms saved as the browser posts it: every field, the
     * ones not typed into as rendered (empty lists included), only the required
     * ones typed.
     */
    @Test
    void everyFormSavesWithOnlyItsRequiredFieldsTyped() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            gateway.awaitConfigurationForm("gpio.cdev");
            String socket = dataDir.resolve("bench.sock").toString();
            try (ConsoleBrowser browser = new ConsoleBrowser(gateway.baseUri(), "admin", "admin",
                    dataDir.resolve("chromium"))) {
                browser.create("GPIO simulator", Map.of("label", "bench1"));
                browser.create("GPIO controller: Linux GPIO chip", Map.of());
                browser.create("virtio-gpio device", Map.of("socket.path", socket));

                browser.gpioPage();
                browser.awaitText("table.gpio-controller[data-label='bench1'] tr[data-offset='7']", "7");
                browser.awaitText("tr.gpio-device[data-socket='" + socket + "'] td.frontend", "not connected");
            }
            gateway.stopCleanly();
        }
    }
}
