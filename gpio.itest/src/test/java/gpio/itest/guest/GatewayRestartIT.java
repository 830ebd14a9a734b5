// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import static gpio.itest.guest.DefaultSetup.SIM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import gpio.itest.GatewayProcess;

/**
 * The gateway restarts under a running guest whose QEMU was started with
 * {@code reconnect=1} on the device's chardev. What happens depends on QEMU;
 * these tests pin down what we observed (see gpio.itest's README).
 */
class GatewayRestartIT {

    private static final int LED0 = 0;

    @RegisterExtension
    final Transcript transcript = new Transcript();

    @TempDir
    Path dataDir;

    /**
     * QEMU 7.2 reconnects within a second of the new gateway listening and
     * starts the device again; a request the guest made while the gateway was
     * down stays in the ring and is answered by the new gateway; the guest
     * keeps working. The new gateway's simulator starts afresh (levels set
     * through the API are not persisted).
     */
    @Test
    void underQemu72TheGuestKeepsWorkingAcrossAGatewayRestart() throws Exception {
        Path socket = DefaultSetup.socket(dataDir);
        try (GatewayProcess first = GatewayProcess.start(dataDir)) {
            transcript.show("gateway (first run)", first::output);
            DefaultSetup.awaitServing(first, socket, SIM);
            new SimulatorApi(first).setInput(SIM, 5, 1);
            try (Guest guest = Guest.boot(Qemu.STOCK_7_2, socket, true)) {
                transcript.show("QEMU 7.2 guest console", guest::console);
                assertEquals(List.of("1 0"), guest.run("gpioget gpiochip0 5 6"));

                first.stopCleanly();
                // Asked while no gateway runs: the driver waits for the answer.
                guest.start("gpioget gpiochip0 5 6");
                try (GatewayProcess second = GatewayProcess.start(dataDir)) {
                    transcript.show("gateway (after the restart)", second::output);
                    DefaultSetup.awaitServing(second, socket, SIM);
                    second.awaitLine(line -> line.contains("frontend connected on " + socket),
                            "that QEMU reconnected");
                    Guest.Result pending = guest.awaitEnd();
                    assertEquals(0, pending.status(), "the gpioget made while the gateway was down");
                    assertEquals(List.of("0 0"), pending.output(), "levels of the restarted simulator");

                    new SimulatorApi(second).setInput(SIM, 6, 1);
                    assertEquals(List.of("0 1"), guest.run("gpioget gpiochip0 5 6"));
                    assertEquals(DefaultSetup.LINE_NAMES.get(7),
                            GpiodToolsIT.gpioinfoNames(guest.run("gpioinfo gpiochip0")).get(7));
                    guest.powerOff();
                    second.stopCleanly();
                }
            }
        }
    }

    /**
     * The guest holds LED0 high with {@code gpioset} while the gateway restarts
     * under it (an update): when QEMU 7.2 reconnects, the new gateway drives LED0
     * high again before the guest sends anything (the new simulator's recording:
     * its initial low, then high, nothing between), and the guest's release when
     * {@code gpioset} ends reaches the new gateway.
     */
    @Test
    void underQemu72AnOutputTheGuestHoldsIsDrivenAgainAfterAGatewayRestart() throws Exception {
        Path socket = DefaultSetup.socket(dataDir);
        try (GatewayProcess first = DefaultSetup.start(dataDir, transcript)) {
            try (Guest guest = Guest.boot(Qemu.STOCK_7_2, socket, true)) {
                transcript.show("QEMU 7.2 guest console", guest::console);
                holdLed0High(guest, first);

                first.stopCleanly();
                assertTrue(first.output().contains("kept what the guest had set for the next run: line 0 output high"),
                        first.output());
                try (GatewayProcess second = GatewayProcess.start(dataDir)) {
                    transcript.show("gateway (after the restart)", second::output);
                    second.awaitLine(line -> line.contains("the guest came back on the rings it had")
                            && line.contains("line 0 output high"), "that the guest's lines are restored");
                    SimulatorApi sim = new SimulatorApi(second);
                    sim.awaitLine(SIM, LED0, line -> line.drivenAt(1), "driven high again after the restart");
                    assertEquals(List.of(0, 1), sim.recordedLevels(SIM, LED0), "the new simulator's LED0");

                    guest.type("");
                    assertEquals(0, guest.awaitEnd().status(), "gpioset");
                    sim.awaitLine(SIM, LED0, line -> !line.used(), "released when gpioset ends");
                    guest.powerOff();
                    second.stopCleanly();
                }
            }
        }
    }

    /**
     * The guest reboots while the gateway is down: its driver is new, so what the
     * old one had set is not restored; LED0 stays free until the new boot uses it.
     */
    @Test
    void underQemu72AGuestThatRebootedWhileTheGatewayWasDownStartsClean() throws Exception {
        Path socket = DefaultSetup.socket(dataDir);
        try (GatewayProcess first = DefaultSetup.start(dataDir, transcript)) {
            try (Guest guest = Guest.bootRebootable(Qemu.STOCK_7_2, socket, true)) {
                transcript.show("QEMU 7.2 guest console", guest::console);
                holdLed0High(guest, first);

                first.stopCleanly();
                guest.startReboot();
                try (GatewayProcess second = GatewayProcess.start(dataDir)) {
                    transcript.show("gateway (after the restart)", second::output);
                    guest.awaitRebootedShell();
                    assertTrue(second.output().contains("what the guest of the last connection had set is not"
                            + " restored (line 0 output high)"), second.output());
                    SimulatorApi sim = new SimulatorApi(second);
                    assertFalse(sim.line(SIM, LED0).used(), "LED0 held for the rebooted guest");
                    guest.run("gpioset gpiochip0 " + LED0 + "=1");
                    assertEquals(List.of(0, 1, 0), sim.recordedLevels(SIM, LED0), "only the new boot's pulse");
                    guest.powerOff();
                    second.stopCleanly();
                }
            }
        }
    }

    /** Starts a {@code gpioset} in the guest that holds LED0 high until Enter, and waits until it does. */
    private static void holdLed0High(Guest guest, GatewayProcess gateway) throws Exception {
        guest.start("gpioset --mode=wait gpiochip0 " + LED0 + "=1");
        new SimulatorApi(gateway).awaitLine(SIM, LED0, line -> line.drivenAt(1), "driven high by the guest");
    }

    /**
     * QEMU 10.0's vhost-user-gpio-pci does not wait for a reconnecting
     * chardev's first connection: it talks to the socket before it is
     * connected and refuses to start, so {@code reconnect} cannot be used there.
     */
    @Test
    void qemu10RefusesToStartTheDeviceWithReconnect() throws Exception {
        Path socket = DefaultSetup.socket(dataDir);
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            transcript.show("gateway", gateway::output);
            DefaultSetup.awaitServing(gateway, socket, SIM);
            try (Guest guest = Guest.launch(Qemu.BACKPORTS_10_0, socket, true)) {
                transcript.show("QEMU 10.0 console", guest::console);
                assertNotEquals(0, guest.awaitExit(), "QEMU's exit status");
                assertTrue(guest.console().contains("vhost-user-gpio-pci,chardev=vgpio: vhost_backend_init failed"),
                        guest.console());
            }
            gateway.stopCleanly();
        }
    }

    /**
     * Hotplugging the device once the reconnecting chardev is connected gets
     * QEMU 10.0 past its refusal above, and the guest works; but when the
     * restarted gateway comes back, QEMU 10.0.2 reconnects and aborts on an
     * assertion in vhost_dev_start, taking the guest with it.
     */
    @Test
    void qemu10WithAHotpluggedDeviceAbortsWhenTheRestartedGatewayComesBack() throws Exception {
        Path socket = DefaultSetup.socket(dataDir);
        try (GatewayProcess first = GatewayProcess.start(dataDir)) {
            transcript.show("gateway (first run)", first::output);
            DefaultSetup.awaitServing(first, socket, SIM);
            new SimulatorApi(first).setInput(SIM, 5, 1);
            try (Guest guest = Guest.bootForHotplug(Qemu.BACKPORTS_10_0, socket)) {
                transcript.show("QEMU 10.0 guest console", guest::console);
                first.awaitLine(line -> line.contains("frontend connected on " + socket), "QEMU's connection");
                guest.hotplugDevice();
                assertEquals(List.of("1 0"), guest.run("gpioget gpiochip0 5 6"));

                first.stopCleanly();
                try (GatewayProcess second = GatewayProcess.start(dataDir)) {
                    transcript.show("gateway (after the restart)", second::output);
                    DefaultSetup.awaitServing(second, socket, SIM);
                    assertNotEquals(0, guest.awaitExit(), "QEMU's exit status");
                    assertTrue(guest.console().contains("vhost_dev_start: Assertion `hdev->vhost_ops' failed"),
                            guest.console());
                    second.stopCleanly();
                }
            }
        }
    }
}
