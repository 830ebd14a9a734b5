// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import static gpio.itest.guest.DefaultSetup.SIM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import gpio.itest.Await;
import gpio.itest.ConsoleForms;
import gpio.itest.GatewayProcess;

/**
 * A guest chip composed in the web console of lines of two simulators, with a
 * read-only line and a relay whose safe state is high: the Linux driver sees
 * one chip with the composed names, cannot drive the read-only line (the host
 * line stays untouched), and when QEMU is killed the relay is left high.
 */
class ComposedChipIT {

    private static final String BOARD = "board";
    private static final int RELAY = 5;

    @RegisterExtension
    final Transcript transcript = new Transcript();

    @TempDir
    Path dataDir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Qemu.class)
    void theGuestSeesTheComposedChipCannotDriveAReadOnlyLineAndItsDeathLeavesTheRelayHigh(Qemu qemu)
            throws Exception {
        try (GatewayProcess gateway = DefaultSetup.start(dataDir, transcript)) {
            Path socket = DefaultSetup.socket(dataDir);
            SimulatorApi sim = new SimulatorApi(gateway);
            ConsoleForms.create(gateway, "gpio.sim", Map.of("label", BOARD, "line.count", "8"));
            sim.awaitController(BOARD);
            // Guest lines: 0 LED0, 1 LED1 (read-only), 2 RELAY (board's line 5, high when the VM dies),
            // 3 BUTTON0, 4 BUTTON1.
            ConsoleForms.update(gateway, DefaultSetup.DEVICE_PID, Map.of("socket.path", socket.toString(),
                    "lines", "sim0:0-1, board:5, sim0:4-5", "line.names", "board:5=RELAY",
                    "lines.readonly", "sim0:1", "safe.state", "RELAY=high"));
            gateway.awaitLine(line -> line.endsWith(socket + ": serving a chip composed of GPIO controllers sim0,"
                    + " board"), "that the device serves the composed chip with both controllers bound");
            sim.setInput(SIM, 4, 1);

            Guest guest = Guest.boot(qemu, socket, false);
            try (guest) {
                transcript.show(qemu + " guest console", guest::console);
                assertEquals(List.of("gpiochip0 [virtio0] (5 lines)"), guest.run("gpiodetect"));
                assertEquals(Map.of(0, "LED0", 1, "LED1", 2, "RELAY", 3, "BUTTON0", 4, "BUTTON1"),
                        GpiodToolsIT.gpioinfoNames(guest.run("gpioinfo gpiochip0")));
                assertEquals(List.of("1 0"), guest.run("gpioget gpiochip0 3 4"));

                guest.start("gpioset gpiochip0 1=1");
                Guest.Result refused = guest.awaitEnd();
                assertNotEquals(0, refused.status(), "gpioset on the read-only line fails in the guest: "
                        + refused.output());
                assertEquals(List.of("0"), guest.run("gpioget gpiochip0 1"), "it can still be read");
                SimulatorApi.Line led1 = sim.line(SIM, 1);
                assertTrue(!led1.used() && led1.value() == 0, "the host line is untouched: " + led1.json());
                assertEquals(List.of(0), sim.recordedLevels(SIM, 1), "never driven");

                guest.start("gpioset --mode=wait gpiochip0 0=1 2=0");
                sim.awaitLine(SIM, 0, line -> line.drivenAt(1), "driven high by the guest");
                sim.awaitLine(BOARD, RELAY, line -> line.drivenAt(0), "the relay driven low by the guest");
            }
            // Closing the guest killed QEMU (SIGKILL) while gpioset held the lines.
            sim.awaitLine(BOARD, RELAY, line -> line.drivenAt(1), "the relay left high by its safe state");
            sim.awaitLine(SIM, 0, line -> !line.used(), "LED0 (safe state release) released");
            // The log line follows the drive, and the gateway's output is read by another thread: wait for it.
            Await.condition(() -> gateway.output().contains("line 2 (controller offset 5) left at its safe state high"),
                    "the gateway saying why the relay is driven");
            gateway.stopCleanly();
        }
    }
}
