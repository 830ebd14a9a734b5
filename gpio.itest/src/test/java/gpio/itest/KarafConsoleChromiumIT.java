// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Karaf's web console (Felix Web Console 4.8 on Pax Web) in a real headless
 * Chromium, as an operator uses it after {@code feature:install http webconsole
 * vgpio-sim vgpio-cdev}: the three configuration forms saved with only their
 * required fields typed, the device pointed at the new simulator through its
 * form, the device then answering the test frontend, the GPIO page showing
 * both, a simulated input toggled from the page and its transition in the
 * waveform panel. Karaf's console has no hook to refuse a save, so invalid
 * values saved in its forms are shown refused on the GPIO page (with what
 * still runs) until corrected or deleted, while the last good device keeps
 * serving. Leaves a screenshot of the GPIO page with a refusal in
 * {@code gpio.itest/target/gpio-console-karaf.png}.
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

                assertNull(browser.edit("virtio-gpio device", Map.of("socket.mode", "rw-rw-rwz")),
                        "Karaf's console saves without asking the component");
                KarafFeaturesIT.assertServes(socket, karaf, "bench1", 8);
                browser.create("GPIO simulator", Map.of("label", "no good"));
                browser.gpioPage();
                String device = "tr.gpio-refusal[data-pid^='gpio.virtio']";
                browser.awaitText(device + " td.message", "socket.mode \"rw-rw-rwz\" is not nine permission characters");
                browser.awaitText(device + " td.running", "the previous good configuration still runs");
                String simulator = "tr.gpio-refusal[data-pid^='gpio.sim']";
                browser.awaitText(simulator + " td.message", "label 'no good' is not 1 to 64 characters");
                browser.awaitText(simulator + " td.running", "nothing runs for this configuration");
                browser.screenshot(Path.of(System.getProperty("screenshots", "target"), "gpio-console-karaf.png"));
                KarafFeaturesIT.assertServes(socket, karaf, "bench1", 8);
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));

                assertNull(browser.edit("virtio-gpio device", Map.of("socket.mode", "rw-rw----")));
                browser.gpioPage();
                browser.awaitAbsent(device);
                assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
                String refusals = KarafFeaturesIT.awaitHttp(karaf, "/gpio/api/refusals", KarafProcess.USER,
                        KarafProcess.PASSWORD, 200);
                Matcher simulatorPid = Pattern.compile("\"pid\":\"(gpio\\.sim[^\"]*)\"").matcher(refusals);
                assertTrue(simulatorPid.find(), refusals);
                karaf.execute("config:delete " + simulatorPid.group(1));
                // (The chip form's default /dev/gpiochip0 may be refused too, on a host without it.)
                browser.awaitAbsent(simulator);
            }
        }
    }
}
