// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import static gpio.itest.guest.DefaultSetup.SIM;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import gpio.itest.GatewayProcess;

/**
 * The Linux {@code gpio-virtio} driver in a real guest, under both QEMUs, uses
 * the gateway's default simulator through libgpiod's tools (v1 in Debian 12),
 * as a user at the guest's shell would.
 */
class GpiodToolsIT {

    private static final Pattern GPIOINFO_LINE = Pattern.compile("\\s*line\\s+(\\d+):\\s+\"([^\"]*)\".*");

    @RegisterExtension
    final Transcript transcript = new Transcript();

    @TempDir
    Path dataDir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Qemu.class)
    void theGpiodToolsSeeReadAndDriveTheSimulatedLines(Qemu qemu) throws Exception {
        try (GatewayProcess gateway = DefaultSetup.start(dataDir, transcript)) {
            Path socket = DefaultSetup.socket(dataDir);
            SimulatorApi sim = new SimulatorApi(gateway);
            // Buttons 1 and 3 pressed before the guest boots.
            sim.setInput(SIM, 5, 1);
            sim.setInput(SIM, 7, 1);
            try (Guest guest = Guest.boot(qemu, socket, false)) {
                transcript.show(qemu + " guest console", guest::console);

                // The driver labels the chip with its virtio device's name.
                assertEquals(List.of("gpiochip0 [virtio0] (8 lines)"), guest.run("gpiodetect"));

                assertEquals(lineNames(DefaultSetup.LINE_NAMES), gpioinfoNames(guest.run("gpioinfo gpiochip0")));

                assertEquals(List.of("0 1 0 1"), guest.run("gpioget gpiochip0 4 5 6 7"));
                // Inputs change while the guest runs: the next read sees it.
                sim.setInput(SIM, 5, 0);
                sim.setInput(SIM, 6, 1);
                assertEquals(List.of("0 0 1 1"), guest.run("gpioget gpiochip0 4 5 6 7"));

                // gpioset --mode=wait holds the lines until it reads a console line.
                guest.start("gpioset --mode=wait gpiochip0 0=1 1=0 2=1 3=1");
                sim.awaitLine(SIM, 0, line -> line.drivenAt(1), "driven high by the guest");
                sim.awaitLine(SIM, 1, line -> line.drivenAt(0), "driven low by the guest");
                sim.awaitLine(SIM, 2, line -> line.drivenAt(1), "driven high by the guest");
                sim.awaitLine(SIM, 3, line -> line.drivenAt(1), "driven high by the guest");
                guest.type("");
                assertEquals(0, guest.awaitEnd().status(), "gpioset");
                for (int offset = 0; offset < 4; offset++) {
                    sim.awaitLine(SIM, offset, line -> !line.used(), "released after gpioset");
                }
                // Released outputs fall back to the pull (down): the recording shows the pulse.
                assertEquals(List.of(0, 1, 0), sim.recordedLevels(SIM, 0));
                assertEquals(List.of(0), sim.recordedLevels(SIM, 1));
                assertEquals(List.of(0, 1, 0), sim.recordedLevels(SIM, 3));

                guest.powerOff();
            }
            gateway.stopCleanly();
        }
    }

    /** Offset to name, as gpioinfo prints them. */
    static Map<Integer, String> gpioinfoNames(List<String> gpioinfo) {
        Map<Integer, String> names = new TreeMap<>();
        for (String line : gpioinfo) {
            Matcher matcher = GPIOINFO_LINE.matcher(line);
            if (matcher.matches()) {
                names.put(Integer.parseInt(matcher.group(1)), matcher.group(2));
            }
        }
        return names;
    }

    private static Map<Integer, String> lineNames(List<String> names) {
        Map<Integer, String> byOffset = new TreeMap<>();
        for (int i = 0; i < names.size(); i++) {
            byOffset.put(i, names.get(i));
        }
        return byOffset;
    }
}
