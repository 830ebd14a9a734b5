// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import gpio.api.GpioController;
import gpio.sim.GpioSimulator;
import gpio.sim.internal.SimChips;
import gpio.virtio.internal.DeviceCounters;
import gpio.virtio.internal.DeviceStatus;
import gpio.virtio.internal.LineHistory;
import gpio.virtio.internal.TestHistories;

/**
 * The waveform of the HTTP API ({@code /controllers/{label}/waveform/{ms}.json} and
 * its {@code .vcd}): levels of a simulated chip from its recording, levels of
 * any other backend from what a device saw, interrupts from the device, who
 * drives each line, and the window's bounds.
 */
class WaveformTest {

    private final Object chip = SimChips.create("sim0", "BUTTON", "LED");
    private final GpioController sim0 = (GpioController) chip;
    private final GpioSimulator simulator = (GpioSimulator) chip;
    /** A device of sim0 whose guest drives LED (guest line 1) and takes interrupts from BUTTON (guest line 0). */
    private final List<LineHistory> histories = List.of(TestHistories.interrupting(0, 0, true, false, true),
            TestHistories.driven(1, 1, false, true));
    private final DeviceStatus device = new DeviceStatus() {
        @Override
        public Snapshot status() {
            return new Snapshot("/run/gpio0.sock", true, 0, "sim0", 2,
                    new DeviceCounters.Snapshot(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), List.of(),
                    List.of(new DeviceStatus.MappedLine(0, "sim0", true, 0, "BUTTON", false, "release"),
                            new DeviceStatus.MappedLine(1, "sim0", true, 1, "LED", false, "release")));
        }

        @Override
        public List<LineHistory> lineHistories() {
            return histories;
        }
    };
    private final List<Map.Entry<Map<String, ?>, DeviceStatus>> devices =
            List.of(Map.entry(Map.of("service.pid", "gpio.virtio~vm0"), device));

    @AfterEach
    void stop() {
        SimChips.close(chip);
    }

    private static Answer get(OperatorView view, String path) throws IOException {
        return view.api("GET", path, new ByteArrayInputStream(new byte[0]));
    }

    /** The object of line {@code offset} in a waveform's JSON. */
    private static String line(String json, int offset) {
        int start = json.indexOf("{\"offset\":" + offset + ",");
        int end = json.indexOf("{\"offset\":" + (offset + 1) + ",");
        return json.substring(start, end < 0 ? json.length() : end);
    }

    /** A composed chip: only the guest lines the device's mapping puts on sim0 show on sim0's waveform. */
    @Test
    void aComposedChipsLineOfAnotherControllerIsNotShownOnThisOne() throws Exception {
        DeviceStatus composed = new DeviceStatus() {
            @Override
            public Snapshot status() {
                return new Snapshot("/run/gpio1.sock", true, 0, "board, sim0", 2,
                        new DeviceCounters.Snapshot(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), List.of(),
                        List.of(new DeviceStatus.MappedLine(0, "board", true, 0, "RELAY", false, "low"),
                                new DeviceStatus.MappedLine(1, "sim0", true, 1, "LED", false, "release")));
            }

            @Override
            public List<LineHistory> lineHistories() {
                return List.of(TestHistories.driven(0, 0, false, true), TestHistories.driven(1, 1, false, true));
            }
        };
        OperatorView view = new OperatorView(List.of(Map.entry(Map.of(GpioController.BACKEND_PROPERTY, "sim"), sim0)),
                List.of(Map.entry(Map.of("service.pid", "gpio.virtio~vm1"), composed)),
                new SimulatorBridge(List.of(simulator)), List::of);
        String json = get(view, "/controllers/sim0/waveform/10000.json").body();
        assertTrue(line(json, 1).contains("\"driver\":\"guest via gpio.virtio~vm1 (line 1)\""), json);
        assertFalse(line(json, 0).contains("guest via"), "guest line 0 is board's line 0, not sim0's: " + json);
    }

    @Test
    void aSimulatedChipsLevelsComeFromItsRecordingAndTheInterruptsFromTheDevice() throws Exception {
        OperatorView view = new OperatorView(List.of(Map.entry(Map.of(GpioController.BACKEND_PROPERTY, "sim"), sim0)),
                devices, new SimulatorBridge(List.of(simulator)), List::of);
        simulator.setInput(0, true);
        simulator.setInput(0, false);
        simulator.setInput(0, true);
        Answer answer = get(view, "/controllers/sim0/waveform/10000.json");
        assertEquals(200, answer.status(), answer.body());
        String json = answer.body();
        assertTrue(json.startsWith("{\"label\":\"sim0\",\"backend\":\"sim\",\"windowMs\":10000,\"endEpochMicros\":"),
                json);
        assertTrue(json.contains("\"maxChangesPerLine\":400,"), json);
        String button = line(json, 0);
        assertTrue(button.startsWith("{\"offset\":0,\"name\":\"BUTTON\",\"direction\":\"unused\","
                + "\"driver\":\"simulator input\",\"source\":\"simulator\",\"start\":null,\"transitions\":3,"), button);
        assertTrue(button.contains("\"interruptCount\":2,"), "the device delivered two: " + button);
        String led = line(json, 1);
        assertTrue(led.contains("\"driver\":\"guest via gpio.virtio~vm0 (line 1)\""), led);
        assertTrue(led.contains("\"transitions\":0,"), "the simulator never saw the LED change: " + led);
    }

    @Test
    void anotherBackendsLevelsComeFromWhatTheDeviceSaw() throws Exception {
        OperatorView view = new OperatorView(List.of(Map.entry(Map.of(GpioController.BACKEND_PROPERTY, "cdev"), sim0)),
                devices, null, List::of);
        String json = get(view, "/controllers/sim0/waveform/1000.json").body();
        String button = line(json, 0);
        assertTrue(button.contains("\"driver\":\"nobody\",\"source\":\"gateway\",\"start\":null,\"transitions\":2,"),
                "edges high, low, high: two transitions after the first: " + button);
        assertTrue(button.contains("\"interruptCount\":2,"), button);
        String led = line(json, 1);
        assertTrue(led.contains("\"source\":\"gateway\",\"start\":null,\"transitions\":1,"), led);
        assertTrue(led.matches(".*\"changes\":\\[\\[\\d+,0\\],\\[\\d+,1\\]\\].*"), led);
    }

    @Test
    void theVcdHoldsTheSameWindowWithEveryChange() throws Exception {
        OperatorView view = new OperatorView(List.of(Map.entry(Map.of(GpioController.BACKEND_PROPERTY, "cdev"), sim0)),
                devices, null, List::of);
        Answer vcd = get(view, "/controllers/sim0/waveform/5000.vcd");
        assertEquals(200, vcd.status(), vcd.body());
        assertEquals("attachment; filename=\"sim0-5000ms.vcd\"", vcd.headers().get("Content-Disposition"));
        String text = vcd.body();
        assertTrue(text.contains("$timescale 1ns $end\n$scope module sim0 $end\n$var wire 1 l0 line0_BUTTON $end\n"
                + "$var event 1 i0 line0_BUTTON_irq $end\n$var wire 1 l1 line1_LED $end\n$upscope $end\n"), text);
        assertTrue(text.contains("$dumpvars\nxl0\nxl1\n$end\n"), text);
        List<String> changes = List.of(text.substring(text.indexOf("$end\n", text.indexOf("$dumpvars")) + "$end\n".length()).split("\n"));
        assertEquals(List.of("1l0", "0l0", "1l0"), changes.stream().filter(l -> l.endsWith("l0")).toList(),
                "every edge of BUTTON: " + text);
        assertEquals(2, changes.stream().filter(l -> l.equals("1i0")).count(), "both interrupts: " + text);
        assertEquals(List.of("0l1", "1l1"), changes.stream().filter(l -> l.endsWith("l1")).toList(), text);
    }

    @Test
    void theWindowMustBeOneSecondToTenMinutes() throws Exception {
        OperatorView view = new OperatorView(List.of(Map.entry(Map.of(), sim0)), List.of(), null, List::of);
        for (String window : List.of("999", "600001", "10s", "010000", "-5")) {
            Answer refused = get(view, "/controllers/sim0/waveform/" + window + ".json");
            assertEquals(400, refused.status(), window);
        }
        assertEquals("{\"error\":\"the window must be 1000 to 600000 milliseconds, not '10s'\"}",
                get(view, "/controllers/sim0/waveform/10s.vcd").body());
        assertEquals(200, get(view, "/controllers/sim0/waveform/600000.json").status());
        assertEquals(404, get(view, "/controllers/sim0/waveform/1000").status(), "json or vcd");
        assertEquals(404, get(view, "/controllers/nope/waveform/1000.json").status());
        assertEquals(405, view.api("PUT", "/controllers/sim0/waveform/1000.json", new ByteArrayInputStream(new byte[0]))
                .status());
    }

    @Test
    void thePageAsksForItBelowItselfWithAnExtensionSoThatNoConsoleFramesIt() throws Exception {
        OperatorView view = new OperatorView(List.of(Map.entry(Map.of(), sim0)), devices, null, List::of);
        Answer answer = PageRequests.answer(view, "GET", "/gpio/api/controllers/sim0/waveform/10000.json",
                new ByteArrayInputStream(new byte[0]));
        assertEquals(200, answer.status(), answer.body());
        assertEquals(Answer.JSON, answer.contentType());
        assertTrue(PageRequests.answer(view, "GET", "/gpio", new ByteArrayInputStream(new byte[0])).body()
                .contains("'/waveform/' + p.windowMs + '.json'"), "the page's script asks for this resource");
    }

    @Test
    void aControllerOfManyLinesGetsFewerElementsPerLine() {
        assertEquals(400, Waveform.changesPerLine(8));
        assertEquals(400, Waveform.changesPerLine(64));
        assertEquals(24, Waveform.changesPerLine(1_024));
        assertEquals(16, Waveform.changesPerLine(65_535));
    }
}
