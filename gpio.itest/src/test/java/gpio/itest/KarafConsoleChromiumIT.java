// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Karaf's web console (Felix Web Console 4.8 on Pax Web) in a real headless
 * Chromium, as an operator uses it after {@code feature:install http webconsole
 * vgpio-sim vgpio-cdev}: the three configuration forms saved with only their
 * required fields typed, the device pointed at the new simulator through its
 * form, the device then answering the test frontend, the GPIO page showing
 * both, a simulated input toggled from the page and its transition in the
 * waveform panel. Leaves a screenshot of the
 * GPIO page in {@code gpio.itest/target/gpio-console-karaf.png}.
 */
class KarafConsoleChromiumIT {

    @TempDir
    Path dir;

    @Test
    void anOperatorConfiguresTheGatewayInKarafsConsole() throws Exception {
        Path socket = dir.resolve("bench.sock");
        try (KarafProcess karaf = KarafProcess.start(Path.of(System.getProperty("karaf.home")),
                Path.of(System.getProperty("karaf.system.extra")), dir)) {
            karaf.execute("feature:repo-add " + Path.of(System.getProperty("karaf.features")).toUri());
            karaf.install("http webconsole vgpio-sim vgpio-cdev");
            // Pax Web opens the port in the background, after the install returned.
            KarafFeaturesIT.awaitHttp(karaf, "/system/console/configMgr", KarafProcess.USER, KarafProcess.PASSWORD,
                    200);
            try (ConsoleBrowser browser = new ConsoleBrowser(karaf.baseUri(), KarafProcess.USER,
                    KarafProcess.PASSWORD, dir.resolve("chromium"))) {
                browser.create("GPIO simulator", Map.of("label", "bench1"));
                browser.create("GPIO controller: Linux GPIO chip", Map.of());
                browser.create("virtio-gpio device", Map.of("socket.path", socket.toString()));
                String refused = browser.edit("virtio-gpio device", Map.of("controller.target", "(gpio.label=bench1)"));
                if (refused != null) {
                    throw new AssertionError("the device form was refused: " + refused);
                }
                KarafFeaturesIT.assertServes(socket, karaf, "bench1", 8);

                browser.gpioPage();
                browser.awaitText("tr.gpio-device[data-socket='" + socket + "'] td.controller", "bench1");
                String benchLine0 = "table.gpio-controller[data-label='bench1'] tr[data-offset='0']";
                browser.awaitText(benchLine0, "external 0");
                browser.click(benchLine0 + " button.gpio-toggle");
                browser.awaitText(benchLine0, "external 1");
                browser.awaitText(benchLine0 + " td.value", "1");
                // The waveform panel works in Karaf's console too: the toggle is one transition.
                browser.awaitAttribute("div.gpio-waveform[data-label='bench1'] g.gpio-trace[data-offset='0']",
                        "data-transitions", "1");
                browser.screenshot(Path.of(System.getProperty("screenshots", "target"), "gpio-console-karaf.png"));
            }
        }
    }
}
