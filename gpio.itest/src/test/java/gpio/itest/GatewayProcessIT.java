// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executable gateway jar as an operator runs it: {@code java -jar gateway.jar}. */
class GatewayProcessIT {

    @TempDir
    Path dataDir;

    @Test
    void firstStartServesTheDefaultDeviceAndSigtermRemovesItsSocket() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            Path socketFile = dataDir.resolve("gpio0.sock");
            String socket = socketFile.toString();
            gateway.awaitLine(line -> line.contains("-chardev socket,id=vgpio,path=" + socket + " ")
                    && line.contains("-device vhost-user-gpio-pci,chardev=vgpio")
                    && line.contains("memory-backend-memfd") && line.contains("share=on"),
                    "the QEMU command line for " + socket);
            assertTrue(Files.isDirectory(dataDir.resolve("framework")), "framework storage is not in gpio.data");
            assertTrue(Files.isDirectory(dataDir.resolve("config")), "configuration is not in gpio.data");
            gateway.awaitLine(line -> line.contains(socket + ": serving GPIO controller sim0"),
                    "that the device serves sim0");
            assertTrue(Files.exists(socketFile), "no socket file at " + socket);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socketFile)));
            gateway.stopCleanly();
            assertFalse(Files.exists(socketFile), "the socket file was left behind");
        }
    }

    @Test
    void theWebConsoleOffersTheThreeConfigurationForms() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            gateway.awaitConfigurationForm("gpio.sim");
            gateway.awaitConfigurationForm("gpio.cdev");
            gateway.awaitConfigurationForm("gpio.virtio");
            gateway.stopCleanly();
        }
    }

    @Test
    void configurationMadeInTheWebConsoleSurvivesARestart() throws Exception {
        String pid;
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            pid = ConsoleForms.create(gateway, "gpio.sim", Map.of("label", "bench1", "line.count", "4"));
            assertTrue(pid.startsWith("gpio.sim."), pid);
            gateway.stopCleanly();
        }
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            HttpResponse<String> form = gateway.postForm("/system/console/configMgr/" + pid, Map.of());
            assertEquals(200, form.statusCode());
            assertTrue(form.body().contains("bench1"), "the new simulator is gone after a restart:\n" + form.body());
            gateway.awaitLine(line -> line.contains("attach a guest with"), "the QEMU command line");
            assertFalse(gateway.output().contains("No GPIO configuration found"),
                    "defaults were created again although configuration exists");
            gateway.stopCleanly();
        }
    }
}
