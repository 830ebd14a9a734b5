// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.GpioLine;
import gpio.api.LineInfo;
import gpio.api.LineSettings;
import gpio.sim.GpioSimulator;
import gpio.sim.internal.SimChips;

class GpioApiServletTest {

    private static final String ADMIN = basic("admin", "admin");

    private final SimChips.Chip sim0 = SimChips.create("sim0", 2, new String[] {"BUTTON", "LED \"1\""});
    /** Another backend: no simulator, one line, and a lineInfo that can be made to fail. */
    private final FakeController other = new FakeController();
    private final GpioApiServlet servlet = new GpioApiServlet(
            List.of(Map.entry(Map.of(GpioController.BACKEND_PROPERTY, "cdev"), other),
                    Map.entry(Map.of(GpioController.BACKEND_PROPERTY, "sim"), sim0.controller())),
            List.of(sim0.simulator()), () -> ConsoleCredentials.resolve(null, key -> null));

    @AfterEach
    void closeChip() {
        sim0.close();
    }

    private Fakes.Response call(String method, String path, String authorization, String body) throws Exception {
        Fakes.Response response = new Fakes.Response();
        servlet.service(Fakes.request(method, path, authorization, body), response.proxy);
        return response;
    }

    private Fakes.Response call(String method, String path) throws Exception {
        return call(method, path, ADMIN, "");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void listsEveryControllerWhateverItsBackend() throws Exception {
        GpioLine led = sim0.controller().request(1, LineSettings.output(true).withActiveLow(true), "blink\ner");
        Fakes.Response response = call("GET", "/controllers");
        assertEquals(200, response.status);
        assertEquals("application/json; charset=UTF-8", response.contentType);
        assertEquals("no-store", response.headers.get("Cache-Control"));
        assertEquals("{\"controllers\":["
                + "{\"label\":\"chip9\",\"backend\":\"cdev\",\"lineCount\":1,\"lines\":["
                + "{\"offset\":0,\"name\":\"\",\"used\":false,\"consumer\":\"\",\"direction\":\"input\","
                + "\"activeLow\":false,\"bias\":\"as_is\",\"drive\":\"push_pull\",\"value\":null,\"external\":null}]},"
                + "{\"label\":\"sim0\",\"backend\":\"sim\",\"lineCount\":2,\"lines\":["
                + "{\"offset\":0,\"name\":\"BUTTON\",\"used\":false,\"consumer\":\"\",\"direction\":\"input\","
                + "\"activeLow\":false,\"bias\":\"as_is\",\"drive\":\"push_pull\",\"value\":0,\"external\":0},"
                + "{\"offset\":1,\"name\":\"LED \\\"1\\\"\",\"used\":true,\"consumer\":\"blink\\ner\","
                + "\"direction\":\"output\",\"activeLow\":true,\"bias\":\"as_is\",\"drive\":\"push_pull\","
                + "\"value\":0,\"external\":0}]}]}", response.body());
        assertEquals(String.valueOf(response.body.size()), response.headers.get("Content-Length"));
        led.close();
    }

    @Test
    void aFailingBackendShowsItsErrorWithoutHidingTheOthers() throws Exception {
        other.failure = new GpioException(GpioException.Reason.IO, "chip went away");
        Fakes.Response response = call("GET", "/controllers");
        assertEquals(200, response.status);
        assertTrue(response.body().startsWith("{\"controllers\":[{\"label\":\"chip9\",\"backend\":\"cdev\","
                + "\"lineCount\":1,\"lines\":[],\"error\":\"IO: chip went away\"},{\"label\":\"sim0\""), response.body());
        Fakes.Response line = call("GET", "/controllers/chip9/lines/0");
        assertEquals(500, line.status);
        assertEquals("{\"error\":\"IO: chip went away\"}", line.body());
    }

    @Test
    void showsOneControllerAndOneLine() throws Exception {
        Fakes.Response controller = call("GET", "/controllers/sim0");
        assertEquals(200, controller.status);
        assertTrue(controller.body().startsWith("{\"label\":\"sim0\",\"backend\":\"sim\",\"lineCount\":2,"),
                controller.body());
        Fakes.Response line = call("GET", "/controllers/sim0/lines/0");
        assertEquals(200, line.status);
        assertEquals("{\"offset\":0,\"name\":\"BUTTON\",\"used\":false,\"consumer\":\"\",\"direction\":\"input\","
                + "\"activeLow\":false,\"bias\":\"as_is\",\"drive\":\"push_pull\",\"value\":0,\"external\":0}",
                line.body());
    }

    @Test
    void unknownLabelsLinesAndPathsAre404() throws Exception {
        assertError(404, "no GPIO controller 'nope'", call("GET", "/controllers/nope/lines/0"));
        assertError(404, "sim0 has no line '2': its lines are 0 to 1", call("GET", "/controllers/sim0/lines/2"));
        assertError(404, "sim0 has no line '-1': its lines are 0 to 1", call("GET", "/controllers/sim0/lines/-1"));
        assertError(404, "sim0 has no line '01': its lines are 0 to 1", call("GET", "/controllers/sim0/lines/01"));
        assertError(404, "no simulated chip 'chip9'", call("PUT", "/sim/chip9/lines/0/input", ADMIN, "1"));
        assertError(404, "no simulated chip 'nope'", call("GET", "/sim/nope/trace.vcd"));
        assertError(404, "sim0 has no line 'x': its lines are 0 to 1", call("PUT", "/sim/sim0/lines/x/input", ADMIN,
                "1"));
        assertError(404, "no such resource: /gpio/api/things; see /gpio/api/controllers", call("GET", "/things"));
        assertError(404, "no such resource: /gpio/api; see /gpio/api/controllers", call("GET", null));
    }

    @Test
    void drivesASimulatedInput() throws Exception {
        Fakes.Response response = call("PUT", "/sim/sim0/lines/0/input", ADMIN, "1\n");
        assertEquals(200, response.status);
        assertTrue(response.body().endsWith("\"value\":1,\"external\":1}"), response.body());
        assertTrue(sim0.simulator().level(0));
        call("PUT", "/sim/sim0/lines/0/input", ADMIN, "0");
        assertFalse(sim0.simulator().level(0));
    }

    @Test
    void aBadBodyIs400AndChangesNothing() throws Exception {
        assertError(400, "the body must be 0 or 1 (the level to drive), not '2'",
                call("PUT", "/sim/sim0/lines/0/input", ADMIN, "2"));
        assertError(400, "the body must be 0 or 1 (the level to drive), not ''",
                call("PUT", "/sim/sim0/lines/0/input", ADMIN, ""));
        assertError(400, "the body must be 0 or 1 (the level to drive), not 'high'",
                call("PUT", "/sim/sim0/lines/0/input", ADMIN, "high"));
        Fakes.Response long1 = call("PUT", "/sim/sim0/lines/0/input", ADMIN, "1" + " ".repeat(100));
        assertEquals(400, long1.status);
        assertEquals(List.of(), sim0.simulator().recording());
    }

    @Test
    void otherMethodsAre405WithAllow() throws Exception {
        Fakes.Response response = call("POST", "/sim/sim0/lines/0/input", ADMIN, "1");
        assertError(405, "POST is not allowed here; use PUT", response);
        assertEquals("PUT", response.headers.get("Allow"));
        assertEquals("GET", call("DELETE", "/controllers").headers.get("Allow"));
        assertEquals("GET, DELETE", call("PUT", "/sim/sim0/trace.vcd").headers.get("Allow"));
        assertFalse(sim0.simulator().level(0));
    }

    @Test
    void servesAndClearsTheTrace() throws Exception {
        call("PUT", "/sim/sim0/lines/0/input", ADMIN, "1");
        Fakes.Response trace = call("GET", "/sim/sim0/trace.vcd");
        assertEquals(200, trace.status);
        assertEquals("text/plain; charset=US-ASCII", trace.contentType);
        assertEquals("inline; filename=\"sim0.vcd\"", trace.headers.get("Content-Disposition"));
        String vcd = trace.body();
        assertTrue(vcd.startsWith("$version gpio.sim $end\n$timescale 1ns $end\n$scope module sim0 $end\n"
                + "$var wire 1 ! line0_BUTTON $end\n$var wire 1 \" line1_LED__1_ $end\n"), vcd);
        assertTrue(vcd.endsWith("\n1!\n"), vcd);
        Fakes.Response cleared = call("DELETE", "/sim/sim0/trace.vcd");
        assertEquals(204, cleared.status);
        assertEquals(List.of(), sim0.simulator().recording());
    }

    @Test
    void everyRequestNeedsTheConsoleCredentials() throws Exception {
        for (String authorization : new String[] {null, "", basic("admin", "wrong"), basic("root", "admin"),
            "Bearer abc", "Basic !!!", "Basic " + Base64.getEncoder().encodeToString("admin".getBytes(
                    StandardCharsets.US_ASCII))}) {
            Fakes.Response response = call("PUT", "/sim/sim0/lines/0/input", authorization, "1");
            assertError(401, "the user name and password of the web console are required", response);
            assertEquals("Basic realm=\"OSGi Management Console\"", response.headers.get("WWW-Authenticate"));
        }
        assertFalse(sim0.simulator().level(0));
        assertEquals(401, call("GET", "/nothing", null, "").status, "authentication comes before routing");
    }

    @Test
    void unreadableCredentialsAre503() throws Exception {
        GpioApiServlet broken = new GpioApiServlet(List.of(), List.of(), () -> {
            throw new IllegalStateException("cannot read the web console's configuration: disk on fire");
        });
        Fakes.Response response = new Fakes.Response();
        broken.service(Fakes.request("GET", "/controllers", ADMIN, ""), response.proxy);
        assertError(503, "cannot read the web console's configuration: disk on fire", response);
    }

    @Test
    void aChipReplacedDuringTheRequestIs500WithAMessage() throws Exception {
        // The chip behind the label shrank between the offset check and the level read.
        GpioSimulator shrunk = (GpioSimulator) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {GpioSimulator.class}, (proxy, method, args) -> {
                    if (method.getName().equals("level")) {
                        throw new IndexOutOfBoundsException("line 1 of 1");
                    }
                    try {
                        return method.invoke(sim0.simulator(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        GpioApiServlet racing = new GpioApiServlet(
                List.of(Map.entry(Map.of(GpioController.BACKEND_PROPERTY, "sim"), sim0.controller())),
                List.of(shrunk), () -> ConsoleCredentials.resolve(null, key -> null));
        Fakes.Response response = new Fakes.Response();
        racing.service(Fakes.request("GET", "/controllers/sim0/lines/1", ADMIN, ""), response.proxy);
        assertError(500, "the request failed: java.lang.IndexOutOfBoundsException: line 1 of 1", response);
    }

    private static void assertError(int status, String message, Fakes.Response response) {
        assertEquals(status, response.status, response.body());
        assertEquals("application/json; charset=UTF-8", response.contentType);
        assertEquals("{\"error\":\"" + message.replace("\"", "\\\"") + "\"}", response.body());
    }

    /** A controller of another backend with one free line. */
    private static final class FakeController implements GpioController {
        volatile GpioException failure;

        @Override
        public String label() {
            return "chip9";
        }

        @Override
        public int lineCount() {
            return 1;
        }

        @Override
        public LineInfo lineInfo(int offset) throws GpioException {
            if (failure != null) {
                throw failure;
            }
            return LineInfo.unusedInput(offset, "");
        }

        @Override
        public GpioLine request(int offset, LineSettings settings, String consumer) throws GpioException {
            throw new GpioException(GpioException.Reason.UNSUPPORTED, "not in this test");
        }
    }
}
