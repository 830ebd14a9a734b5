// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import static gpio.itest.guest.DefaultSetup.SIM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import gpio.itest.GatewayProcess;

/**
 * An operator swaps the backend of a device in the web console while a guest
 * uses it: the guest keeps its connection and its line, and reads the new
 * controller from then on.
 */
class BackendSwapIT {

    private static final String NEW_FACTORY_INSTANCE = "/system/console/configMgr/"
            + "%5BTemporary%20PID%20replaced%20by%20real%20PID%20upon%20save%5D";
    private static final String SIM1 = "sim1";

    @RegisterExtension
    final Transcript transcript = new Transcript();

    @TempDir
    Path dataDir;

    @Test
    void theGuestKeepsWorkingAcrossAControllerTargetChange() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            transcript.show("gateway", gateway::output);
            Path socket = DefaultSetup.socket(dataDir);
            DefaultSetup.awaitServing(gateway, socket, SIM);
            SimulatorApi sim = new SimulatorApi(gateway);
            sim.setInput(SIM, 5, 1);
            try (Guest guest = Guest.boot(Qemu.BACKPORTS_10_0, socket, false)) {
                transcript.show("QEMU 10.0 guest console", guest::console);
                assertEquals(List.of("1 0"), guest.run("gpioget gpiochip0 5 6"));
                // The guest holds LED2 high across the swap.
                guest.start("gpioset --mode=wait gpiochip0 2=1");
                sim.awaitLine(SIM, 2, line -> line.drivenAt(1), "driven high by the guest");

                gateway.awaitConfigurationForm("gpio.sim");
                HttpResponse<String> created = gateway.postForm(NEW_FACTORY_INSTANCE, Map.of(
                        "apply", "true", "action", "ajaxConfigManager", "factoryPid", "gpio.sim", "$location", "",
                        "propertylist", "label,line.count", "label", SIM1, "line.count", "8"));
                assertEquals(302, created.statusCode(), created.body());
                sim.setInput(SIM1, 5, 0);
                sim.setInput(SIM1, 6, 1);

                HttpResponse<String> swapped = gateway.postForm("/system/console/configMgr/" + DefaultSetup.DEVICE_PID,
                        Map.of("apply", "true", "action", "ajaxConfigManager",
                                "propertylist", "socket.path,controller.target", "socket.path", socket.toString(),
                                "controller.target", "(gpio.label=" + SIM1 + ")"));
                assertTrue(swapped.statusCode() == 200 || swapped.statusCode() == 302,
                        "configuration change: HTTP " + swapped.statusCode() + " " + swapped.body());
                DefaultSetup.awaitServing(gateway, socket, SIM1);

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
}
