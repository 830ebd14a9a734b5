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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gpio.vhostuser.frontend.Completion;
import gpio.vhostuser.frontend.FrontendQueue;
import gpio.vhostuser.frontend.RingOptions;
import gpio.vhostuser.frontend.VhostUserFrontend;

/**
 * The features repository in a real Apache Karaf 4.4, as an operator installs
 * it: repo-add, the features of the gateway and Karaf's own {@code http} and
 * {@code webconsole} in every order, each {@code feature:install} and
 * {@code feature:uninstall} within {@link KarafProcess#INSTALL_LIMIT}, a
 * simulator and a device configured from the Karaf shell, and the test
 * frontend talking to the device's socket after every step.
 */
class KarafFeaturesIT {

    private static final int MSG_SET_DIRECTION = 3;
    private static final int MSG_GET_VALUE = 4;
    private static final int DIRECTION_IN = 2;
    private static final int STATUS_OK = 0;

    @TempDir
    Path dir;

    @Test
    void theBackendsFirstThenTheConsoleThenTheSimulatorUninstalled() throws Exception {
        Path socket = dir.resolve("gpio0.sock");
        try (KarafProcess karaf = karaf()) {
            String listed = karaf.execute("feature:list");
            assertTrue(listed.contains("vgpio-sim") && listed.contains("vgpio-cdev"), listed);
            karaf.install("vgpio-sim");
            String installed = karaf.execute("feature:list -i");
            assertTrue(installed.contains("vgpio-sim ") && !installed.contains("vgpio-cdev "),
                    "cdev must stay optional:\n" + installed);
            configureSimulatorAndDevice(karaf, socket);
            assertServes(socket, karaf);

            karaf.install("http webconsole");
            assertServes(socket, karaf);
            assertPageAndApi(karaf, socket);
            karaf.install("vgpio-cdev");
            assertOneServletApi(karaf);

            karaf.uninstall("vgpio-sim");
            String devices = karaf.execute("echo (gpio:devices)");
            assertTrue(devices.contains(socket.toString()) && devices.contains("controller: (none bound)"),
                    "the device must stay, without its simulator:\n" + devices);
            String controllers = karaf.execute("echo (gpio:list)");
            assertTrue(controllers.contains("no GPIO controllers"), "the simulator is still there:\n" + controllers);
        }
    }

    @Test
    void theConsoleFirstThenTheBackendsThenTheConsoleAndCdevUninstalled() throws Exception {
        Path socket = dir.resolve("gpio0.sock");
        try (KarafProcess karaf = karaf()) {
            karaf.install("http webconsole");
            karaf.install("vgpio-sim");
            karaf.install("vgpio-cdev");
            assertOneServletApi(karaf);
            configureSimulatorAndDevice(karaf, socket);
            assertServes(socket, karaf);
            assertPageAndApi(karaf, socket);

            karaf.uninstall("webconsole");
            assertServes(socket, karaf);
            karaf.uninstall("vgpio-cdev");
            assertServes(socket, karaf);
        }
    }

    /**
     * As a user who ran {@code mvn install}: the features repository added by its
     * {@code mvn:} URL, it and the bundles found in Karaf's local Maven repository
     * (nothing in Karaf's system repository).
     */
    @Test
    void everythingInOneCommandFromTheLocalMavenRepository() throws Exception {
        Path socket = dir.resolve("gpio0.sock");
        try (KarafProcess karaf = KarafProcess.startWithLocalRepository(Path.of(System.getProperty("karaf.home")),
                Path.of(System.getProperty("karaf.system.extra")), dir)) {
            karaf.execute("feature:repo-add " + System.getProperty("karaf.features.mvn"));
            karaf.install("vgpio-cdev http vgpio-sim webconsole");
            String bundles = karaf.execute("bundle:list -l");
            assertTrue(bundles.contains("mvn:dev.vgpio/gpio.virtio/"), bundles);
            assertOneServletApi(karaf);
            configureSimulatorAndDevice(karaf, socket);
            assertServes(socket, karaf);
        }
    }

    /** A fresh Karaf with the features repository added by its URL. */
    private KarafProcess karaf() throws Exception {
        Path features = Path.of(System.getProperty("karaf.features"));
        KarafProcess karaf = KarafProcess.start(Path.of(System.getProperty("karaf.home")),
                Path.of(System.getProperty("karaf.system.extra")), dir);
        try {
            karaf.execute("feature:repo-add " + features.toUri());
            return karaf;
        } catch (RuntimeException | Error e) {
            karaf.close();
            throw e;
        }
    }

    private static void configureSimulatorAndDevice(KarafProcess karaf, Path socket) throws Exception {
        karaf.execute("config:edit --factory --alias bench gpio.sim",
                "config:property-set label bench0",
                "config:property-set line.count 4",
                "config:update");
        karaf.execute("config:edit --factory --alias vm0 gpio.virtio",
                "config:property-set socket.path " + socket,
                "config:property-set controller.target \"(gpio.label=bench0)\"",
                "config:update");
        awaitFile(socket, karaf);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    /**
     * Karaf's web console shows the GPIO page with bench0 and the device, and
     * the HTTP API answers Karaf's admin user (200), nobody else: 401 without
     * credentials or with a wrong password, 403 for a user without the role admin.
     */
    private static void assertPageAndApi(KarafProcess karaf, Path socket) throws Exception {
        String status = awaitHttp(karaf, "/system/console/gpio/status.json", KarafProcess.USER, KarafProcess.PASSWORD,
                200);
        assertTrue(status.contains("\"label\":\"bench0\"") && status.contains("\"socket\":\"" + socket + "\""),
                status);
        assertTrue(awaitHttp(karaf, "/system/console/gpio", KarafProcess.USER, KarafProcess.PASSWORD, 200)
                .contains("id=\"gpio-devices\""), "the page is not in Karaf's console");
        String controllers = awaitHttp(karaf, "/gpio/api/controllers", KarafProcess.USER, KarafProcess.PASSWORD, 200);
        assertTrue(controllers.contains("\"label\":\"bench0\"") && controllers.contains("\"external\":0"),
                controllers);
        awaitHttp(karaf, "/gpio/api/controllers", null, null, 401);
        awaitHttp(karaf, "/gpio/api/controllers", KarafProcess.USER, "wrong", 401);
        String forbidden = awaitHttp(karaf, "/gpio/api/controllers", KarafProcess.VIEWER,
                KarafProcess.VIEWER_PASSWORD, 403);
        assertTrue(forbidden.contains("admin"), forbidden);
        // Karaf's console asks for configuration handlers too: the form checks (made for Felix's
        // console, whose SPI Karaf's does not export) must not be offered to it.
        assertFalse(karaf.log().contains("spi/ConfigurationHandler"), karaf.log());
    }

    /** GETs a path until it answers {@code expected} (HTTP and the console start in the background). */
    static String awaitHttp(KarafProcess karaf, String path, String user, String password, int expected)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(karaf.baseUri() + path))
                .timeout(Duration.ofSeconds(10));
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        long deadline = System.nanoTime() + KarafProcess.DEADLINE.toNanos();
        String last = "(no answer)";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == expected) {
                    return response.body();
                }
                last = "HTTP " + response.statusCode() + ":\n" + response.body();
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(200); // polling with a deadline
        }
        throw new AssertionError("GET " + path + " as " + user + " never answered " + expected + "; last " + last
                + "\nKaraf log:\n" + karaf.log());
    }

    /**
     * Karaf's servlet API is the only one: nothing of ours brought Felix's
     * (which carries the javax and the jakarta packages and made Karaf rewire
     * its console to it).
     */
    private static void assertOneServletApi(KarafProcess karaf) throws Exception {
        String bundles = karaf.execute("bundle:list -s");
        assertFalse(bundles.contains("org.apache.felix.http.servlet-api"), bundles);
    }

    private static void assertServes(Path socket, KarafProcess karaf) throws Exception {
        assertServes(socket, karaf, "bench0", 4);
    }

    /**
     * A new frontend connection gets the device of a simulator and reads a line
     * through it. The socket may be a moment away: Karaf refreshes (restarts)
     * a bundle whose optional import a feature just installed can now satisfy.
     */
    static void assertServes(Path socket, KarafProcess karaf, String label, int lines) throws Exception {
        awaitFile(socket, karaf);
        try (VhostUserFrontend frontend = VhostUserFrontend.connect(socket)) {
            frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            byte[] config = frontend.getConfig(0, 8);
            assertEquals(lines, (config[0] & 0xFF) | (config[1] & 0xFF) << 8, "ngpio of " + label);
            FrontendQueue requests = frontend.startQueue(0, RingOptions.plain(16));
            assertEquals(STATUS_OK, send(frontend, requests, MSG_SET_DIRECTION, 2, DIRECTION_IN)[0]);
            byte[] value = send(frontend, requests, MSG_GET_VALUE, 2, 0);
            assertEquals(STATUS_OK, value[0]);
            assertEquals(0, value[1], "an unconnected simulated input sits at its pull-down");
            // The client's batch mode runs the lines as a script, which prints only what
            // commands print, not their results (the interactive console prints both).
            String devices = karaf.execute("echo (gpio:devices)");
            assertTrue(devices.contains(socket.toString()) && devices.contains("frontend:   connected")
                    && devices.contains("controller: " + label), devices);
            String info = karaf.execute("echo (gpio:info " + label + ")");
            assertTrue(info.matches("(?s).*\\n\\s+2 \\S*\\s+yes\\s+virtio-gpio\\s+input.*"), info);
        }
    }

    private static byte[] send(VhostUserFrontend frontend, FrontendQueue queue, int type, int gpio, int value)
            throws Exception {
        ByteBuffer request = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        request.putShort((short) type).putShort((short) gpio).putInt(value);
        Completion answer = frontend.roundTrip(queue, request.array(), 2, Duration.ofSeconds(10));
        return answer.written();
    }

    static void awaitFile(Path socket, KarafProcess karaf) throws InterruptedException {
        long deadline = System.nanoTime() + KarafProcess.DEADLINE.toNanos();
        while (!Files.exists(socket)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no socket at " + socket + "; Karaf log:\n" + karaf.log());
            }
            Thread.sleep(100); // polling with a deadline
        }
    }
}
