// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.LineSettings;
import gpio.sim.GpioSimulator;
import gpio.sim.internal.SimChips;
import gpio.virtio.internal.DeviceCounters;
import gpio.virtio.internal.DeviceStatus;

/** The gpio: shell commands over a real simulated chip, as an operator types them. */
class GpioCommandsTest {

    private final Object chip = SimChips.create("sim0", "LED", "BUTTON", "", "RELAY");
    private final GpioController controller = (GpioController) chip;
    private final GpioSimulator simulator = (GpioSimulator) chip;
    private final DeviceStatus device = () -> new DeviceStatus.Snapshot("/run/gpio0.sock", true,
            (1L << 32) | 1L, "sim0", 4, new DeviceCounters.Snapshot(1, 4, 2, 3, 5, 1, 0, 2, 7, 1, 3),
            List.of(new DeviceStatus.GuestLine(1, 1, "edge-both")),
            List.of(new DeviceStatus.MappedLine(0, "sim0", true, 0, "LED", false, "low"),
                    new DeviceStatus.MappedLine(1, "sim0", true, 1, "BUTTON", true, "release"),
                    new DeviceStatus.MappedLine(2, "board", false, 7, "", false, "release")));
    private final GpioCommands commands = new GpioCommands(
            List.of(Map.entry(Map.of(GpioController.BACKEND_PROPERTY, "sim"), controller)),
            List.of(Map.entry(Map.of("controller.target", "(gpio.label=sim0)"), device)));

    @AfterEach
    void stop() {
        commands.releaseAll();
        SimChips.close(chip);
    }

    @Test
    void listShowsEachControllerWithItsBackendAndLinesInUse() throws Exception {
        commands.set("sim0", "LED", "1");
        String list = commands.list();
        assertTrue(list.matches("(?s)LABEL\\s+BACKEND\\s+LINES\\s+IN USE\\s+sim0\\s+sim\\s+4\\s+1\\s*"), list);
    }

    @Test
    void infoShowsNamesAndWhoUsesEachLine() throws Exception {
        commands.set("sim0", "3", "0");
        String info = commands.info("sim0");
        assertTrue(info.contains("LED"), info);
        assertTrue(info.matches("(?s).*\\n\\s+3 RELAY\\s+yes\\s+gogo-shell\\s+output.*"), info);
        assertTrue(info.matches("(?s).*\\n\\s+1 BUTTON\\s+no\\s+.*"), info);
    }

    @Test
    void setHoldsTheLineDrivenUntilReleased() throws Exception {
        assertTrue(commands.set("sim0", "LED", "1").contains("driven 1"));
        assertTrue(simulator.level(0), "the pin is high");
        assertEquals("sim0 line 0: 1", commands.get("sim0", "0"));
        GpioException busy = assertThrows(GpioException.class,
                () -> controller.request(0, LineSettings.input(), "other"));
        assertEquals(GpioException.Reason.BUSY, busy.reason());
        commands.set("sim0", "LED", "0");
        assertEquals("sim0 line 0: 0", commands.get("sim0", "LED"));
        assertEquals("sim0 line 0 released", commands.release("sim0", "LED"));
        controller.request(0, LineSettings.input(), "other").close();
        IllegalArgumentException notHeld = assertThrows(IllegalArgumentException.class,
                () -> commands.release("sim0", "LED"));
        assertEquals("sim0 line 0 is not driven by gpio:set", notHeld.getMessage());
    }

    @Test
    void getReadsAFreeLineAsAnInputAndLeavesItFree() throws Exception {
        simulator.setInput(1, true);
        assertEquals("sim0 line 1: 1", commands.get("sim0", "BUTTON"));
        assertTrue(!controller.lineInfo(1).used(), "the line was left in use");
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        assertEquals("no GPIO controller labelled 'nope' (gpio:list shows them)",
                assertThrows(IllegalArgumentException.class, () -> commands.info("nope")).getMessage());
        assertEquals("sim0 has no line 4 (offsets 0 to 3)",
                assertThrows(IllegalArgumentException.class, () -> commands.get("sim0", "4")).getMessage());
        assertEquals("sim0 has no line named 'FAN'",
                assertThrows(IllegalArgumentException.class, () -> commands.get("sim0", "FAN")).getMessage());
        assertEquals("value '2' is not 0 or 1",
                assertThrows(IllegalArgumentException.class, () -> commands.set("sim0", "0", "2")).getMessage());
        assertEquals("edges 'up' is not rising, falling or both", assertThrows(IllegalArgumentException.class,
                () -> commands.watch("up", 0, 1, "sim0", "1")).getMessage());
    }

    @Test
    void watchPrintsEdgesUntilTheCountIsReached() throws Exception {
        CompletableFuture<String> watch = CompletableFuture.supplyAsync(() -> {
            try {
                return commands.watch("rising", 2, 30, "sim0", "BUTTON");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // Toggle until the watch has seen its two rising edges; it may subscribe late.
        boolean high = false;
        while (!watch.isDone()) {
            high = !high;
            simulator.setInput(1, high);
            Thread.sleep(5); // pacing the simulated button, not synchronisation
        }
        assertEquals("2 edges seen", watch.get(30, TimeUnit.SECONDS));
        assertTrue(!controller.lineInfo(1).used(), "watch left the line in use");
    }

    @Test
    void watchEndsAtItsTimeoutWithoutEdges() throws Exception {
        assertEquals("0 edges seen", commands.watch("both", 0, 1, "sim0", "1"));
    }

    @Test
    void devicesShowSocketFrontendFeaturesControllerAndCounters() {
        String out = commands.devices();
        assertTrue(out.startsWith("/run/gpio0.sock\n"), out);
        assertTrue(out.contains("frontend:   connected"), out);
        assertTrue(out.contains("features:   VIRTIO_GPIO_F_IRQ VIRTIO_F_VERSION_1"), out);
        assertTrue(out.contains("controller: sim0 (target (gpio.label=sim0)), 4 lines"), out);
        assertTrue(out.contains("requests:   16 (get-names 1, get-direction 4, set-direction 2, get-value 3,"
                + " set-value 5, set-irq-type 1, unknown 0)"), out);
        assertTrue(out.contains("errors:     2"), out);
        assertTrue(out.contains("interrupts: 7 delivered, 1 latched, 3 dropped"), out);
        assertTrue(out.contains("irq lines:  1 (offset 1) edge-both\n"), out);
        assertTrue(out.contains("  line   0 -> sim0:0 LED, read-write, safe state low\n"), out);
        assertTrue(out.contains("  line   1 -> sim0:1 BUTTON, read-only, safe state release\n"), out);
        assertTrue(out.contains("  line   2 -> board:7 (not bound: ERR), read-write, safe state release\n"), out);
    }
}
