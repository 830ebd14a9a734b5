// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import static gpio.itest.guest.DefaultSetup.SIM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import gpio.itest.ConsoleForms;
import gpio.itest.GatewayProcess;

/**
 * An operator swaps the backend of a device in the web console while a guest
 * uses it: the guest keeps its connection, its held line and its running
 * gpiomon, and works on the new controller from then on.
 */
class BackendSwapIT {

    private static final String SIM1 = "sim1";
    private static final int BUTTON0 = 4;

    @RegisterExtension
    final Transcript transcript = new Transcript();

    @TempDir
    Path dataDir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Qemu.class)
    void aHeldLineAndLaterReadsFollowAControllerTargetChange(Qemu qemu) throws Exception {
        try (GatewayProcess gateway = DefaultSetup.start(dataDir, transcript)) {
            Path socket = DefaultSetup.socket(dataDir);
            SimulatorApi sim = new SimulatorApi(gateway);
            sim.setInput(SIM, 5, 1);
            try (Guest guest = Guest.boot(qemu, socket, false)) {
                transcript.show(qemu + " guest console", guest::console);
                assertEquals(List.of("1 0"), guest.run("gpioget gpiochip0 5 6"));
                // The guest holds LED2 high across the swap.
                guest.start("gpioset --mode=wait gpiochip0 2=1");
                sim.awaitLine(SIM, 2, line -> line.drivenAt(1), "driven high by the guest");

                createSimulator(gateway, SIM1);
                sim.setInput(SIM1, 5, 0);
                sim.setInput(SIM1, 6, 1);
                retarget(gateway, socket, SIM1);

                // The line the guest holds moved over with its state; the old one is free.
                sim.awaitLine(SIM1, 2, line -> line.drivenAt(1), "driven high after the swap");
                sim.awaitLine(SIM, 2, line -> !line.used(), "released by the swap");
                guest.type("");
                assertEquals(0, guest.awaitEnd().status(), "gpioset across the swap");
                sim.awaitLine(SIM1, 2, line -> !line.used(), "released after gpioset");

                assertEquals(List.of("0 1"), guest.run("gpioget gpiochip0 5 6"));
                assertFalse(gateway.output().contains("frontend disconnected"),
                        "the swap dropped the guest's connection");
                guest.powerOff();
            }
            gateway.stopCleanly();
        }
    }

    /**
     * gpiomon keeps waiting across the swap: the interrupt setting and the
     * eventq buffer the device holds for the line move to the new controller,
     * whose edges gpiomon then prints; the swap itself is no edge.
     */
    @Test
    void gpiomonSeesTheEdgesOfTheNewControllerAfterASwap() throws Exception {
        try (GatewayProcess gateway = DefaultSetup.start(dataDir, transcript)) {
            Path socket = DefaultSetup.socket(dataDir);
            SimulatorApi sim = new SimulatorApi(gateway);
            createSimulator(gateway, SIM1);
            try (Guest guest = Guest.boot(Qemu.BACKPORTS_10_0, socket, false)) {
                transcript.show("QEMU 10.0 guest console", guest::console);
                guest.start(Gpiomon.command(3, BUTTON0));
                guest.awaitOutput(Gpiomon.WATCHING::equals, 1, "gpiomon watching");
                sim.setInput(SIM, BUTTON0, 1);
                guest.awaitOutput(Gpiomon::isEvent, 1, "gpiomon events");

                retarget(gateway, socket, SIM1);
                // The device requests the line and watches it in one go, right after each other.
                sim.awaitLine(SIM1, BUTTON0, line -> line.used() && line.direction().equals("input"),
                        "requested as the guest's input after the swap");
                sim.setInput(SIM1, BUTTON0, 1);
                guest.awaitOutput(Gpiomon::isEvent, 2, "gpiomon events");
                sim.setInput(SIM1, BUTTON0, 0);
                Guest.Result result = guest.awaitEnd();
                assertEquals(0, result.status(), "gpiomon's exit status");
                List<String> events = result.output().stream().filter(Gpiomon::isEvent).toList();
                assertEquals(List.of("RISING", "RISING", "FALLING"), events.stream().map(Gpiomon::edge).toList(),
                        "gpiomon printed:\n" + events);
                guest.powerOff();
            }
            gateway.stopCleanly();
        }
    }

    /** Creates a simulator with 8 lines in the web console, as an operator would. */
    private static void createSimulator(GatewayProcess gateway, String label) throws Exception {
        ConsoleForms.create(gateway, "gpio.sim", Map.of("label", label, "line.count", "8"));
        new SimulatorApi(gateway).awaitController(label);
    }

    /** Changes the default device's controller.target in the web console and waits for the swap. */
    private static void retarget(GatewayProcess gateway, Path socket, String label) throws Exception {
        ConsoleForms.update(gateway, DefaultSetup.DEVICE_PID,
                Map.of("socket.path", socket.toString(), "controller.target", "(gpio.label=" + label + ")"));
        DefaultSetup.awaitServing(gateway, socket, label);
    }
}
