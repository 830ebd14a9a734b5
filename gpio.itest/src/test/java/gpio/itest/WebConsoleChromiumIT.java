// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
     * The waveform panel of the default simulator in a real browser: a
     * waveform of six changes played on a line with {@code sim:wave} shows
     * exactly six transitions in the page's SVG trace (and a line nobody touched
     * none), within a window the operator picked; the pause button holds the
     * view and the VCD link names that window, whose download has the same six
     * changes. Leaves a screenshot of the paused panel in
     * {@code gpio.itest/target/gpio-waveform.png}.
     */
    @Test
    void theWaveformShowsEveryToggleOfASimulatedLine() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            gateway.awaitConfigurationForm("gpio.sim"); // the console is up
            try (ConsoleBrowser browser = new ConsoleBrowser(gateway.baseUri(), "admin", "admin",
                    dataDir.resolve("chromium"))) {
                browser.gpioPage();
                String panel = "div.gpio-waveform[data-label='sim0']";
                browser.select(panel + " select.gpio-wave-window", "30000");
                String button1 = panel + " g.gpio-trace[data-offset='5']";
                browser.awaitAttribute(button1, "data-transitions", "0");
                // Low at its pull-down, then high, low, high, low, high for 400 ms each, then low.
                gateway.shell("sim:wave sim0 BUTTON1 1:400 0:400 1:400 0:400 1:400 0:1");
                browser.awaitAttribute(button1, "data-transitions", "6");
                browser.awaitAttribute(panel + " g.gpio-trace[data-offset='4']", "data-transitions", "0");
                browser.click(panel + " button.gpio-wave-pause");
                browser.awaitText(panel + " button.gpio-wave-pause", "Resume");
                String vcd = browser.attribute(panel + " a.gpio-wave-vcd", "href");
                if (!vcd.endsWith("/system/console/gpio/api/controllers/sim0/waveform/30000.vcd")) {
                    throw new AssertionError("the VCD link is " + vcd);
                }
                assertSixToggles(gateway.get("/gpio/api/controllers/sim0/waveform/30000.vcd"));
                browser.scrollTo(panel);
                browser.screenshot(Path.of(System.getProperty("screenshots", "target"), "gpio-waveform.png"));
            }
            gateway.stopCleanly();
        }
    }

    /** The VCD of the window holds BUTTON1's six changes after the start of the recording. */
    private static void assertSixToggles(HttpResponse<String> vcd) {
        String body = vcd.body();
        int dump = body.indexOf("$dumpvars\n");
        int changesFrom = body.indexOf("$end\n", dump);
        if (vcd.statusCode() != 200 || dump < 0 || changesFrom < 0) {
            throw new AssertionError("no VCD: " + vcd.statusCode() + " " + body);
        }
        List<String> changes = new ArrayList<>(body.substring(changesFrom).lines().filter(l -> l.matches("[01]l5"))
                .toList());
        if (body.substring(dump, changesFrom).contains("\nxl5\n") && !changes.isEmpty()) {
            changes.remove(0); // the recording started within the window: unknown before, low from then on
        }
        if (!changes.equals(List.of("1l5", "0l5", "1l5", "0l5", "1l5", "0l5"))) {
            throw new AssertionError("BUTTON1 changes in the VCD: " + changes + "\n" + body);
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
