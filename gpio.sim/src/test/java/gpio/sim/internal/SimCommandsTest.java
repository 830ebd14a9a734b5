// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gpio.api.GpioException;
import gpio.api.GpioLine;
import gpio.api.LineSettings;
import gpio.sim.LevelChange;

class SimCommandsTest {

    private final SimChip chip = new SimChip(SimConfig.of("sim0", 4, new String[] {"BUTTON", "LED"}, null,
            Duration.ZERO, 100));
    private final SimCommands commands = new SimCommands(List.of(chip), List.of(chip));

    @AfterEach
    void closeChip() {
        chip.close();
    }

    private String refused(ThrowingCall call) {
        return assertThrows(IllegalArgumentException.class, call::run).getMessage();
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void listsTheChips() {
        String list = commands.list();
        assertTrue(list.lines().anyMatch(line -> line.matches("sim0\\s+4\\s+0\\s+0")), list);
        assertEquals("no simulated chips: create a configuration of factory PID gpio.sim",
                new SimCommands(List.of(), List.of()).list());
    }

    @Test
    void setsInputsByOffsetOrName() throws Exception {
        assertEquals("sim0 line 0 driven 1 from outside", commands.set("sim0", "BUTTON", "1"));
        assertTrue(chip.level(0));
        commands.set("sim0", "2", "high");
        assertTrue(chip.level(2));
        assertEquals("sim0 line 2 released, at its pull: 0", commands.release("sim0", "2"));
        assertFalse(chip.level(2));
    }

    @Test
    void showsTheLines() throws Exception {
        GpioLine led = chip.request(1, LineSettings.output(true), "blinker");
        String lines = commands.lines("sim0");
        assertTrue(lines.lines().anyMatch(line -> line.matches("\\s+1 LED\\s+yes\\s+blinker\\s+output\\s+high\\s+as_is"
                + "\\s+1\\s+0")), lines);
        assertTrue(lines.lines().anyMatch(line -> line.matches("\\s+3\\s+no\\s+-\\s+high\\s+as_is\\s+0\\s+0")), lines);
        led.close();
    }

    @Test
    void refusesBadInputAndChangesNothing() {
        assertEquals("no simulated chip 'nope'; there are: sim0", refused(() -> commands.set("nope", "0", "1")));
        assertEquals("sim0 has lines 0 to 3, not 4", refused(() -> commands.set("sim0", "4", "1")));
        assertEquals("sim0 has no line named 'LAMP'", refused(() -> commands.set("sim0", "LAMP", "1")));
        assertEquals("a level is 0 or 1 (or low or high), not '2'", refused(() -> commands.set("sim0", "0", "2")));
        assertEquals("a step is LEVEL:MILLISECONDS, such as 1:100, not '1-100'",
                refused(() -> commands.wave("sim0", "0", new String[] {"1:5", "1-100"})));
        assertEquals("milliseconds must be a whole number, not 'x'",
                refused(() -> commands.wave("sim0", "0", new String[] {"1:x"})));
        assertTrue(refused(() -> commands.pulse("sim0", "0", "1", -1)).startsWith("a duration is 0 to"));
        assertTrue(refused(() -> commands.fail("sim0", "0", "BOOM")).startsWith("unknown reason 'BOOM'"));
        assertTrue(refused(() -> commands.latency("sim0", -5)).startsWith("latency is 0 to"));
        assertEquals(List.of(), chip.recording());
    }

    @Test
    void playsWaveformsAndPulses() throws Exception {
        assertEquals("sim0 line 1 plays 3 steps", commands.wave("sim0", "LED", new String[] {"1:5", "0:5", "1:0"}));
        awaitChanges(3);
        assertEquals(List.of(true, false, true), chip.recording().stream().map(LevelChange::level).toList());
        commands.pulse("sim0", "LED", "0", 5);
        awaitChanges(5);
    }

    @Test
    void injectsFaultsAndLatency() throws Exception {
        assertEquals("sim0 line 0: the next operation fails with IO", commands.fail("sim0", "BUTTON", "io"));
        assertEquals(GpioException.Reason.IO,
                assertThrows(GpioException.class, () -> chip.request(0, LineSettings.input(), "t")).reason());
        commands.fail("sim0", "0", "BUSY");
        assertEquals("sim0 line 0: faults cleared", commands.fail("sim0", "0", "none"));
        chip.request(0, LineSettings.input(), "t").close();
        assertEquals("sim0 latency 250 us", commands.latency("sim0", 250));
        assertEquals(Duration.ofNanos(250_000), chip.latency());
    }

    @Test
    void dumpsAndClearsTheRecording(@TempDir Path directory) throws Exception {
        commands.set("sim0", "0", "1");
        String vcd = commands.trace("sim0");
        assertTrue(vcd.startsWith("$version gpio.sim $end\n$timescale 1ns $end\n"), vcd);
        assertTrue(vcd.endsWith("1!\n"), vcd);
        Path file = directory.resolve("sim0.vcd");
        assertEquals("sim0 recording written to " + file, commands.trace("sim0", file.toString()));
        assertEquals(vcd, Files.readString(file));
        assertEquals("sim0 recording cleared", commands.clear("sim0"));
        assertEquals(List.of(), chip.recording());
    }

    private void awaitChanges(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (chip.recording().size() < count) {
            assertTrue(System.nanoTime() < deadline, "expected " + count + " changes: " + chip.recording());
            Thread.sleep(1);
        }
    }
}
