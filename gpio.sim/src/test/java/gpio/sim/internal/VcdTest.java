// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import gpio.api.GpioLine;
import gpio.api.LineSettings;
import gpio.sim.LevelChange;

class VcdTest {

    @Test
    void writesHeaderStartLevelsAndChangesInNanoseconds() throws Exception {
        Recording.Snapshot recording = new Recording.Snapshot(List.of("RESET BTN", "", "led/1"),
                new boolean[] {true, false, false}, 1_000, List.of(new LevelChange(1_000, 1, true),
                        new LevelChange(1_500, 0, false), new LevelChange(1_500, 2, true),
                        new LevelChange(2_000_000_123L, 1, false)));
        StringBuilder out = new StringBuilder();
        Vcd.write("board.sim-0", recording, out);
        assertEquals("""
                $version gpio.sim $end
                $timescale 1ns $end
                $scope module board_sim_0 $end
                $var wire 1 ! line0_RESET_BTN $end
                $var wire 1 " line1 $end
                $var wire 1 # line2_led_1 $end
                $upscope $end
                $enddefinitions $end
                #0
                $dumpvars
                1!
                0"
                0#
                $end
                1"
                #500
                0!
                1#
                #1999999123
                0"
                """, out.toString());
    }

    @Test
    void identifiersStayUniqueAndPrintableForManyLines() {
        Set<String> ids = new HashSet<>();
        for (int offset = 0; offset < SimConfig.MAX_LINES; offset++) {
            String id = Vcd.identifier(offset);
            for (char c : id.toCharArray()) {
                assertEquals(true, c >= '!' && c <= '~', id);
            }
            ids.add(id);
        }
        assertEquals(SimConfig.MAX_LINES, ids.size());
        assertEquals("~", Vcd.identifier(93));
        assertEquals("!!", Vcd.identifier(94));
        assertEquals("\"!", Vcd.identifier(95));
    }

    @Test
    void aChipExportsWhatItRecorded() throws Exception {
        SimChip chip = new SimChip(SimConfig.of("sim1", 2, new String[] {"IN", "OUT"}, new String[] {"up"},
                Duration.ZERO, 100));
        try {
            chip.setInput(0, false);
            GpioLine out = chip.request(1, LineSettings.output(true), "test");
            StringBuilder vcd = new StringBuilder();
            chip.writeVcd(vcd);
            String text = vcd.toString();
            String[] lines = text.split("\n");
            assertEquals(List.of("$var wire 1 ! line0_IN $end", "$var wire 1 \" line1_OUT $end"),
                    List.of(lines[3], lines[4]));
            assertEquals(List.of("$dumpvars", "1!", "0\"", "$end"), List.of(lines).subList(8, 12));
            assertEquals("0!", lines[lines.length - 3]);
            assertEquals("1\"", lines[lines.length - 1]);
            chip.clearRecording();
            out.setValue(false);
            vcd.setLength(0);
            chip.writeVcd(vcd);
            assertEquals(List.of("$dumpvars", "0!", "1\"", "$end"), List.of(vcd.toString().split("\n")).subList(8, 12));
            assertEquals("0\"", vcd.toString().split("\n")[13]);
        } finally {
            chip.close();
        }
    }
}
