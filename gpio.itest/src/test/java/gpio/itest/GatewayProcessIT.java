// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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
            // As an operator does: the configuration page first, once the console offers the simulator's form.
            gateway.awaitConfigurationForm("gpio.sim");
            HttpResponse<String> form = gateway.postForm("/system/console/configMgr/" + pid, Map.of());
            assertEquals(200, form.statusCode(), form.body() + "\ngateway output:\n" + gateway.output());
            assertTrue(form.body().contains("bench1"), "the new simulator is gone after a restart:\n" + form.body());
            gateway.awaitLine(line -> line.contains("attach a guest with"), "the QEMU command line");
            assertFalse(gateway.output().contains("No GPIO configuration found"),
                    "defaults were created again although configuration exists");
            gateway.stopCleanly();
        }
    }

    @Test
    void theHttpApiServesTheSimulatorAndRefusesBadInputWithAMessage() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            HttpResponse<String> controllers = gateway.get("/gpio/api/controllers");
            assertEquals(200, controllers.statusCode(), controllers.body());
            assertTrue(controllers.body().contains("\"label\":\"sim0\""), controllers.body());
            HttpResponse<String> anonymous = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(gateway.baseUri() + "/gpio/api/controllers")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, anonymous.statusCode(), "no credentials, no answer");

            HttpResponse<String> pressed = gateway.put("/gpio/api/sim/sim0/lines/4/input", "1");
            assertEquals(200, pressed.statusCode(), pressed.body());
            HttpResponse<String> line = gateway.get("/gpio/api/controllers/sim0/lines/4");
            assertEquals(200, line.statusCode(), line.body());
            assertTrue(line.body().contains("\"name\":\"BUTTON0\"") && line.body().contains("\"value\":1"),
                    line.body());

            HttpResponse<String> badBody = gateway.put("/gpio/api/sim/sim0/lines/4/input", "on");
            assertEquals(400, badBody.statusCode(), badBody.body());
            assertTrue(badBody.body().startsWith("{\"error\":\"the body must be 0 or 1"), badBody.body());
            assertEquals(404, gateway.put("/gpio/api/sim/nope/lines/4/input", "1").statusCode());
            assertEquals(404, gateway.put("/gpio/api/sim/sim0/lines/99/input", "1").statusCode());
            assertTrue(gateway.get("/gpio/api/controllers/sim0/lines/4").body().contains("\"value\":1"),
                    "a refused request changed the line");

            HttpResponse<String> trace = gateway.get("/gpio/api/sim/sim0/trace.vcd");
            assertEquals(200, trace.statusCode());
            assertTrue(trace.body().contains("$timescale") && trace.body().contains("BUTTON0"), trace.body());
            gateway.stopCleanly();
        }
    }
}
