// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gpio.vhostuser.frontend.Completion;
import gpio.vhostuser.frontend.FrontendQueue;
import gpio.vhostuser.frontend.RingOptions;
import gpio.vhostuser.frontend.VhostUserFrontend;

/**
 * The GPIO web console page of the real gateway jar, as an operator's browser
 * reads it: the page inside the console frame, and its live status JSON while a
 * frontend talks to the default device and the operator retargets the device
 * to a second simulator made in the configuration form.
 */
class GpioConsolePageIT {

    private static final String STATUS = "/system/console/gpio/status.json";
    private static final long F_IRQ = 1L;
    private static final int MSG_SET_DIRECTION = 3;
    private static final int MSG_GET_VALUE = 4;
    private static final int MSG_SET_IRQ_TYPE = 6;
    private static final int DIRECTION_IN = 2;
    private static final int IRQ_TYPE_EDGE_BOTH = 3;
    private static final String EDGE_BOTH_ON_LINE_3 =
            "\"interruptLines\":[{\"line\":3,\"offset\":3,\"interrupt\":\"edge-both\"}]";

    @TempDir
    Path dataDir;

    @Test
    void thePageIsInTheConsoleFrameAndNeedsTheConsoleLogin() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            HttpResponse<String> page = awaitStatus(gateway, "/system/console/gpio", r -> r.statusCode() == 200);
            assertTrue(page.body().contains("id=\"gpio-devices\""), page.body());
            assertTrue(page.body().contains("<title>"), "not inside the console's frame:\n" + page.body());
            assertTrue(page.body().contains("/system/console/configMgr"), "no console navigation:\n" + page.body());
            HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(gateway.baseUri() + STATUS)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, anonymous.statusCode(), anonymous.body());
            gateway.stopCleanly();
        }
    }

    @Test
    void statusFollowsTheFrontendAndARetargetMadeInTheConfigurationForm() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            Path socket = dataDir.resolve("gpio0.sock");
            gateway.awaitLine(line -> line.contains(socket + ": serving GPIO controller sim0"), "sim0 served");
            String idle = awaitStatus(gateway, STATUS, r -> r.body().contains("\"controller\":\"sim0\"")).body();
            assertTrue(idle.contains("\"socket\":\"" + socket + "\",\"connected\":false,\"features\":[]"), idle);
            assertTrue(idle.contains("{\"label\":\"sim0\",\"backend\":\"sim\",\"lineCount\":8"), idle);

            try (VhostUserFrontend frontend = VhostUserFrontend.connect(socket)) {
                frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1 | F_IRQ);
                FrontendQueue requests = frontend.startQueue(0, RingOptions.plain(16));
                assertEquals(0, send(frontend, requests, MSG_SET_DIRECTION, 3, DIRECTION_IN)[0]);
                assertEquals(0, send(frontend, requests, MSG_SET_IRQ_TYPE, 3, IRQ_TYPE_EDGE_BOTH)[0]);
                assertEquals(2, send(frontend, requests, MSG_GET_VALUE, 3, 0).length);
                awaitStatus(gateway, STATUS, r -> r.body().contains("\"connected\":true,"
                        + "\"features\":[\"VIRTIO_GPIO_F_IRQ\",\"VIRTIO_F_VERSION_1\"]")
                        && r.body().contains("\"getValue\":1,")
                        && r.body().contains(EDGE_BOTH_ON_LINE_3));

                String simPid = ConsoleForms.create(gateway, "gpio.sim", Map.of("label", "bench1",
                        "line.count", "4"));
                assertTrue(simPid.startsWith("gpio.sim."), simPid);
                awaitStatus(gateway, STATUS, r -> r.body().contains("{\"label\":\"bench1\",\"backend\":\"sim\""));
                String devicePid = devicePid(awaitStatus(gateway, STATUS, r -> r.body().contains("\"pid\":")).body());
                ConsoleForms.update(gateway, devicePid, Map.of("socket.path", socket.toString(),
                        "controller.target", "(gpio.label=bench1)"));
                String swapped = awaitStatus(gateway, STATUS,
                        r -> r.body().contains("\"controller\":\"bench1\",\"target\":\"(gpio.label=bench1)\"")).body();
                assertTrue(swapped.contains("\"connected\":true"), "the swap dropped the frontend: " + swapped);
                assertTrue(swapped.contains(EDGE_BOTH_ON_LINE_3), "the interrupt did not move over: " + swapped);
            }
            gateway.stopCleanly();
        }
    }

    @Test
    void invalidDeviceValuesAreRefusedInTheFormWithTheReason() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            gateway.awaitConfigurationForm("gpio.virtio");
            String device = "/system/console/configMgr/gpio.virtio~gpio0";
            HttpResponse<String> edit = gateway.postForm(device, Map.of("apply", "true", "$location", "",
                    "propertylist", "socket.path,socket.mode", "socket.path", dataDir.resolve("gpio0.sock").toString(),
                    "socket.mode", "rw-rw-rw"));
            assertEquals(400, edit.statusCode(), edit.body());
            assertTrue(edit.body().contains("socket.mode &quot;rw-rw-rw&quot; is not nine permission characters"),
                    edit.body());
            String form = gateway.postForm(device, Map.of()).body();
            assertTrue(form.contains("\"value\":\"rw-------\""), "the refused value was saved:\n" + form);

            Path missing = dataDir.resolve("missing");
            HttpResponse<String> restart = gateway.postForm(device, Map.of("apply", "true", "$location", "",
                    "propertylist", "socket.path,worker.threads", "socket.path", missing.resolve("gpio0.sock").toString(),
                    "worker.threads", "3"));
            assertEquals(400, restart.statusCode(), restart.body());
            assertTrue(restart.body().contains("the directory " + missing + " does not exist; create it first"),
                    restart.body());
            try (VhostUserFrontend frontend = VhostUserFrontend.connect(dataDir.resolve("gpio0.sock"))) {
                frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
                FrontendQueue requests = frontend.startQueue(0, RingOptions.plain(16));
                assertEquals(2, send(frontend, requests, MSG_GET_VALUE, 0, 0).length,
                        "the device still serves on its socket");
            }

            HttpResponse<String> create = gateway.postForm(ConsoleForms.NEW_FACTORY_INSTANCE, Map.of("apply", "true",
                    "action", "ajaxConfigManager", "factoryPid", "gpio.virtio", "$location", "",
                    "propertylist", "socket.path", "socket.path", "relative.sock"));
            assertEquals(400, create.statusCode(), create.body());
            assertTrue(create.body().contains("socket.path &quot;relative.sock&quot; is not an absolute path"),
                    create.body());
            gateway.stopCleanly();
        }
    }

    @Test
    void invalidSimulatorAndChipValuesAreRefusedInTheFormWithTheReason() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            gateway.awaitConfigurationForm("gpio.sim");
            String sim = "/system/console/configMgr/gpio.sim~sim0";
            HttpResponse<String> edit = gateway.postForm(sim, Map.of("apply", "true", "$location", "",
                    "propertylist", "label,line.count", "label", "sim0", "line.count", "2000"));
            assertEquals(400, edit.statusCode(), edit.body());
            assertTrue(edit.body().contains("line.count 2000 is not between 1 and 1024"), edit.body());
            String form = gateway.postForm(sim, Map.of()).body();
            assertTrue(form.contains("\"line.count\":{\"name\":\"Number of lines\",\"optional\":false,"
                    + "\"is_set\":true,\"type\":3,\"value\":8,"), "the refused value was saved:\n" + form);
            HttpResponse<String> twin = gateway.postForm(ConsoleForms.NEW_FACTORY_INSTANCE, Map.of("apply", "true",
                    "action", "ajaxConfigManager", "factoryPid", "gpio.sim", "$location", "",
                    "propertylist", "label", "label", "sim0"));
            assertEquals(400, twin.statusCode(), twin.body());
            assertTrue(twin.body().contains("is already used by another GPIO controller (sim, service "), twin.body());
            String simulators = gateway.get("/system/console/configMgr").body();
            assertEquals(1, simulators.split("\"fpid\":\"gpio.sim\"", -1).length - 1,
                    "a refused simulator configuration was saved:\n" + simulators);
            // sim0 itself keeps its label through an edit.
            ConsoleForms.update(gateway, "gpio.sim~sim0", Map.of("label", "sim0", "line.count", "8"));

            gateway.awaitConfigurationForm("gpio.cdev");
            HttpResponse<String> create = gateway.postForm(ConsoleForms.NEW_FACTORY_INSTANCE, Map.of("apply", "true",
                    "action", "ajaxConfigManager", "factoryPid", "gpio.cdev", "$location", "",
                    "propertylist", "chip,debounce.us", "chip", "gpiochip0", "debounce.us", "3600000000"));
            assertEquals(400, create.statusCode(), create.body());
            assertTrue(create.body().contains(
                    "debounce.us 3600000000: debounce must be between 0 and 1 hour, got PT1H"), create.body());
            String page = gateway.get("/system/console/configMgr").body();
            assertFalse(page.contains("\"fpid\":\"gpio.cdev\""), "a refused chip configuration was saved:\n" + page);
            // The same form with a valid debounce is saved: the check refuses what is wrong, not the form.
            ConsoleForms.create(gateway, "gpio.cdev", Map.of("chip", "gpiochip0", "debounce.us", "3599999999"));
            page = gateway.get("/system/console/configMgr").body();
            assertTrue(page.contains("\"fpid\":\"gpio.cdev\""), page);
            gateway.stopCleanly();
        }
    }

    /**
     * A value no form check can refuse (the chip is only looked for when the
     * controller opens it) is refused at activation: the GPIO page's JSON and
     * the HTTP API show the instance refused with nothing running, until the
     * instance is deleted.
     */
    @Test
    void aChipThatCannotBeOpenedIsShownRefusedUntilDeleted() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dataDir)) {
            String pid = ConsoleForms.create(gateway, "gpio.cdev", Map.of("chip", "vgpio-no-such-chip"));
            String status = awaitStatus(gateway, STATUS, r -> r.body().contains("\"refusals\":[{")).body();
            String refusals = status.substring(status.indexOf("\"refusals\":"), status.length() - 1);
            assertTrue(refusals.startsWith("\"refusals\":[{\"pid\":\"" + pid + "\",\"factoryPid\":\"gpio.cdev\","
                    + "\"message\":\"no GPIO chip is named or labelled 'vgpio-no-such-chip'"), refusals);
            assertTrue(refusals.contains("\"previousRunning\":false,\"refusedAt\":\""), refusals);
            assertEquals("{" + refusals + "}", gateway.get("/gpio/api/refusals").body(),
                    "the HTTP API lists the refusals as the page does");

            ConsoleForms.delete(gateway, pid);
            awaitStatus(gateway, STATUS, r -> r.body().endsWith("\"refusals\":[]}"));
            gateway.stopCleanly();
        }
    }

    /** Sends one request and waits for its answer: status, then value. */
    private static byte[] send(VhostUserFrontend frontend, FrontendQueue queue, int type, int gpio, int value)
            throws Exception {
        ByteBuffer request = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        request.putShort((short) type).putShort((short) gpio).putInt(value);
        Completion answer = frontend.roundTrip(queue, request.array(), 2, Duration.ofSeconds(10));
        return answer.written();
    }

    private static String devicePid(String status) {
        int at = status.indexOf("\"pid\":\"") + 7;
        return status.substring(at, status.indexOf('"', at));
    }

    private static HttpResponse<String> awaitStatus(GatewayProcess gateway, String path,
            Predicate<HttpResponse<String>> condition) throws Exception {
        long deadline = System.nanoTime() + GatewayProcess.START_DEADLINE.toNanos();
        HttpResponse<String> last;
        do {
            last = gateway.get(path);
            if (last.statusCode() == 200 && condition.test(last)) {
                return last;
            }
            Thread.sleep(100); // polling with a deadline
        } while (System.nanoTime() < deadline);
        throw new AssertionError("GET " + path + " never showed what was expected; last (HTTP " + last.statusCode()
                + "):\n" + last.body() + "\ngateway output:\n" + gateway.output());
    }
}
