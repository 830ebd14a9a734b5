// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import gpio.api.GpioController;
import gpio.api.GpioLine;
import gpio.api.LineSettings;
import gpio.form.internal.Refusal;
import gpio.sim.GpioSimulator;
import gpio.sim.internal.SimChips;
import gpio.virtio.internal.DeviceCounters;
import gpio.virtio.internal.DeviceStatus;

/**
 * The rendering core of the GPIO page and the HTTP API over a real simulated
 * chip (through {@link SimulatorBridge}) and a device snapshot, and the page's
 * requests as either console passes them on.
 */
class OperatorViewTest {

    private final Object chip = SimChips.create("sim0", "BUTTON", "LED \"1\"");
    private final GpioController sim0 = (GpioController) chip;
    private final GpioSimulator simulator = (GpioSimulator) chip;
    private final DeviceStatus device = () -> new DeviceStatus.Snapshot("/run/gpio0.sock", false, 0, "", 0,
            new DeviceCounters.Snapshot(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            List.of(new DeviceStatus.GuestLine(0, 1, "level-low")),
            List.of(new DeviceStatus.MappedLine(0, "sim0", true, 1, "LED \"1\"", false, "high")));
    private final OperatorView view = new OperatorView(
            List.of(Map.entry(Map.of(GpioController.BACKEND_PROPERTY, "sim"), sim0)),
            List.of(Map.entry(Map.of("service.pid", "gpio.virtio.x", "controller.target", "(gpio.label=*)"), device)),
            new SimulatorBridge(List.of(simulator)), List::of);

    @AfterEach
    void stop() {
        SimChips.close(chip);
    }

    private static ByteArrayInputStream body(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private Answer call(String method, String path, String body) throws IOException {
        return view.api(method, path, body(body));
    }

    private static void assertError(int status, String message, Answer answer) {
        assertEquals(status, answer.status(), answer.body());
        assertEquals("{\"error\":\"" + message + "\"}", answer.body());
    }

    @Test
    void theStatusListsControllersAsTheApiDoesAndDevicesWithCounters() throws Exception {
        GpioLine led = sim0.request(1, LineSettings.output(true).withActiveLow(true), "blink\n<er>");
        try {
            String controllers = "{\"label\":\"sim0\",\"backend\":\"sim\",\"lineCount\":2,\"lines\":["
                    + "{\"offset\":0,\"name\":\"BUTTON\",\"used\":false,\"consumer\":\"\",\"direction\":\"input\","
                    + "\"activeLow\":false,\"bias\":\"as_is\",\"drive\":\"push_pull\",\"value\":0,\"external\":0},"
                    + "{\"offset\":1,\"name\":\"LED \\\"1\\\"\",\"used\":true,\"consumer\":\"blink\\n\\u003cer\\u003e\","
                    + "\"direction\":\"output\",\"activeLow\":true,\"bias\":\"as_is\",\"drive\":\"push_pull\","
                    + "\"value\":0,\"external\":0}]}";
            assertEquals("{\"controllers\":[" + controllers + "],"
                    + "\"devices\":[{\"pid\":\"gpio.virtio.x\",\"socket\":\"/run/gpio0.sock\",\"connected\":false,"
                    + "\"features\":[],\"controller\":\"\",\"target\":\"(gpio.label=*)\",\"lineCount\":0,"
                    + "\"requests\":{\"total\":0,\"getLineNames\":0,\"getDirection\":0,\"setDirection\":0,"
                    + "\"getValue\":0,\"setValue\":0,\"setIrqType\":0,\"unknown\":0},\"errors\":0,"
                    + "\"interrupts\":{\"delivered\":0,\"latched\":0,\"dropped\":0},"
                    + "\"interruptLines\":[{\"line\":0,\"offset\":1,\"interrupt\":\"level-low\"}],"
                    + "\"lines\":[{\"line\":0,\"controller\":\"sim0\",\"bound\":true,\"offset\":1,"
                    + "\"name\":\"LED \\\"1\\\"\",\"readOnly\":false,\"safeState\":\"high\"}]}],"
                    + "\"refusals\":[]}", view.status());
            Answer listed = call("GET", "/controllers", "");
            assertEquals(200, listed.status());
            assertEquals(Answer.JSON, listed.contentType());
            assertEquals("{\"controllers\":[" + controllers + "]}", listed.body());
        } finally {
            led.close();
        }
    }

    @Test
    void withoutTheSimulatorLinesHaveNoValuesAndNoInputs() throws Exception {
        OperatorView plain = new OperatorView(
                List.of(Map.entry(Map.of(GpioController.BACKEND_PROPERTY, "cdev"), sim0)), List.of(), null, List::of);
        Answer line = plain.api("GET", "/controllers/sim0/lines/0", body(""));
        assertEquals(200, line.status());
        assertTrue(line.body().endsWith("\"value\":null,\"external\":null}"), line.body());
        assertError(404, "no simulated chip 'sim0'", plain.api("PUT", "/sim/sim0/lines/0/input", body("1")));
    }

    @Test
    void theRefusalsAreInTheStatusAndTheApiSortedByPid() throws Exception {
        OperatorView refusing = new OperatorView(List.of(), List.of(), null, () -> List.of(
                new Refusal("gpio.virtio~vm0", "gpio.virtio", "socket.mode \"bad\" is not like rw-------", true,
                        Instant.parse("2026-12-04T17:00:00.250Z")),
                new Refusal("gpio.sim~bench", "gpio.sim", "label is missing", false,
                        Instant.parse("2026-12-04T17:01:00Z"))));
        String refusals = "\"refusals\":[{\"pid\":\"gpio.sim~bench\",\"factoryPid\":\"gpio.sim\","
                + "\"message\":\"label is missing\",\"previousRunning\":false,\"refusedAt\":\"2026-12-04T17:01:00Z\"},"
                + "{\"pid\":\"gpio.virtio~vm0\",\"factoryPid\":\"gpio.virtio\","
                + "\"message\":\"socket.mode \\\"bad\\\" is not like rw-------\",\"previousRunning\":true,"
                + "\"refusedAt\":\"2026-12-04T17:00:00.250Z\"}]";
        assertEquals("{\"controllers\":[],\"devices\":[]," + refusals + "}", refusing.status());
        Answer listed = refusing.api("GET", "/refusals", body(""));
        assertEquals(200, listed.status());
        assertEquals("{" + refusals + "}", listed.body());
        assertEquals(Map.of("Allow", "GET"), refusing.api("DELETE", "/refusals", body("")).headers());
    }

    @Test
    void unknownLabelsLinesAndPathsAre404() throws Exception {
        assertError(404, "no GPIO controller 'nope'", call("GET", "/controllers/nope/lines/0", ""));
        assertError(404, "sim0 has no line '2': its lines are 0 to 1", call("GET", "/controllers/sim0/lines/2", ""));
        assertError(404, "sim0 has no line '01': its lines are 0 to 1", call("GET", "/controllers/sim0/lines/01", ""));
        assertError(404, "no simulated chip 'nope'", call("GET", "/sim/nope/trace.vcd", ""));
        assertError(404, "no such resource: /gpio/api/things; see /gpio/api/controllers", call("GET", "/things", ""));
        assertError(404, "no such resource: /gpio/api; see /gpio/api/controllers", view.api("GET", null, body("")));
    }

    @Test
    void drivesASimulatedInputAndRefusesABadBodyWithoutChange() throws Exception {
        Answer pressed = call("PUT", "/sim/sim0/lines/0/input", "1\n");
        assertEquals(200, pressed.status(), pressed.body());
        assertTrue(pressed.body().endsWith("\"value\":1,\"external\":1}"), pressed.body());
        assertError(400, "the body must be 0 or 1 (the level to drive), not 'high'",
                call("PUT", "/sim/sim0/lines/0/input", "high"));
        assertEquals(400, call("PUT", "/sim/sim0/lines/0/input", "0" + " ".repeat(100)).status());
        assertTrue(simulator.level(0), "a refused request changed the line");
    }

    @Test
    void otherMethodsAre405WithAllow() throws Exception {
        Answer post = call("POST", "/sim/sim0/lines/0/input", "1");
        assertError(405, "POST is not allowed here; use PUT", post);
        assertEquals(Map.of("Allow", "PUT"), post.headers());
        assertEquals(Map.of("Allow", "GET, DELETE"), call("PUT", "/sim/sim0/trace.vcd", "").headers());
        assertFalse(simulator.level(0));
    }

    @Test
    void servesAndClearsTheTrace() throws Exception {
        call("PUT", "/sim/sim0/lines/0/input", "1");
        Answer trace = call("GET", "/sim/sim0/trace.vcd", "");
        assertEquals(200, trace.status());
        assertEquals("text/plain; charset=US-ASCII", trace.contentType());
        assertEquals("inline; filename=\"sim0.vcd\"", trace.headers().get("Content-Disposition"));
        assertTrue(trace.body().startsWith("$version gpio.sim $end\n"), trace.body());
        assertTrue(trace.body().endsWith("\n1!\n"), trace.body());
        assertEquals(204, call("DELETE", "/sim/sim0/trace.vcd", "").status());
        assertEquals(List.of(), simulator.recording());
    }

    @Test
    void thePageServesItsFragmentItsStatusAndTheApiBelowIt() throws Exception {
        Answer page = PageRequests.answer(view, "GET", "/gpio", body(""));
        assertEquals(200, page.status());
        assertTrue(page.body().contains("id=\"gpio-devices\"") && page.body().contains("/status.json"), page.body());
        assertEquals(view.status(), PageRequests.answer(view, "GET", "/gpio/status.json", body("")).body());
        Answer pressed = PageRequests.answer(view, "PUT", "/gpio/api/sim/sim0/lines/0/input", body("1"));
        assertEquals(200, pressed.status(), pressed.body());
        assertTrue(simulator.level(0));
        assertEquals(404, PageRequests.answer(view, "GET", "/gpio/apiary", body("")).status());
    }
}
