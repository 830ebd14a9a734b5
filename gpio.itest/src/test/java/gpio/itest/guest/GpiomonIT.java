// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import static gpio.itest.guest.DefaultSetup.SIM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import gpio.itest.GatewayProcess;

/**
 * Interrupts end to end: edges the test makes through the simulator's HTTP API
 * reach gpiomon in the guest, through the device's eventq and the Linux driver's
 * irqchip. Needs QEMU 9.0 or newer; the stock 7.2 never offers the feature.
 */
class GpiomonIT {

    private static final int BUTTON0 = 4;

    @RegisterExtension
    final Transcript transcript = new Transcript();

    @TempDir
    Path dataDir;

    @Test
    void gpiomonPrintsExactlyTheEdgesTheSimulatorMakes() throws Exception {
        try (GatewayProcess gateway = DefaultSetup.start(dataDir, transcript)) {
            Path socket = DefaultSetup.socket(dataDir);
            SimulatorApi sim = new SimulatorApi(gateway);
            try (Guest guest = Guest.boot(Qemu.BACKPORTS_10_0, socket, false)) {
                transcript.show("QEMU 10.0 guest console", guest::console);
                List<Integer> levels = List.of(1, 0, 1, 0, 1, 0);
                guest.start(Gpiomon.command(levels.size(), BUTTON0));
                guest.awaitOutput(Gpiomon.WATCHING::equals, 1, "gpiomon watching");
                // One edge at a time: the driver reads the level to tell rising from
                // falling, so the next edge waits until gpiomon printed this one.
                for (int i = 0; i < levels.size(); i++) {
                    sim.setInput(SIM, BUTTON0, levels.get(i));
                    guest.awaitOutput(Gpiomon::isEvent, i + 1, "gpiomon events");
                }
                Guest.Result result = guest.awaitEnd();
                assertEquals(0, result.status(), "gpiomon's exit status");
                List<String> events = result.output().stream().filter(Gpiomon::isEvent).toList();
                assertEquals(List.of("RISING", "FALLING", "RISING", "FALLING", "RISING", "FALLING"),
                        events.stream().map(Gpiomon::edge).toList(), "gpiomon printed:\n" + events);
                for (String event : events) {
                    assertTrue(event.contains("offset: " + BUTTON0), event);
                }
                guest.powerOff();
            }
            gateway.stopCleanly();
        }
    }

    @Test
    void underTheStockQemuGpiomonIsRefusedAndTheGuestKeepsWorking() throws Exception {
        try (GatewayProcess gateway = DefaultSetup.start(dataDir, transcript)) {
            Path socket = DefaultSetup.socket(dataDir);
            try (Guest guest = Guest.boot(Qemu.STOCK_7_2, socket, false)) {
                transcript.show("QEMU 7.2 guest console", guest::console);
                // QEMU 7.2 does not pass VIRTIO_GPIO_F_IRQ on: the driver has no irqchip.
                guest.start("gpiomon -n 1 gpiochip0 " + BUTTON0);
                Guest.Result gpiomon = guest.awaitEnd();
                assertNotEquals(0, gpiomon.status(), "gpiomon must fail without interrupts: " + gpiomon.output());
                new SimulatorApi(gateway).setInput(SIM, BUTTON0, 1);
                assertEquals(List.of("1"), guest.run("gpioget gpiochip0 " + BUTTON0));
                guest.powerOff();
            }
            gateway.stopCleanly();
        }
    }
}
