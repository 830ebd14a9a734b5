// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_NONE;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_RISING;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gpio.vhostuser.RingPosition;

/** When a guest counts as coming back, and the file that keeps its state across gateway restarts. */
class GuestStateTest {

    private static final RingPosition LEFT = new RingPosition(256, 0x7f0010000L, 0x7f0011000L, 0x7f0012000L, 42, 40);
    private static final GuestState STATE = new GuestState(LEFT, 8, List.of(
            new GuestState.LineSetting(0, DIRECTION_OUT, true, IRQ_TYPE_NONE),
            new GuestState.LineSetting(4, DIRECTION_IN, false, IRQ_TYPE_EDGE_RISING),
            new GuestState.LineSetting(5, DIRECTION_NONE, false, IRQ_TYPE_EDGE_RISING)));

    @TempDir
    Path dir;

    private static RingPosition start(long desc, int nextAvailable, int used) {
        return new RingPosition(256, desc, 0x7f0011000L, 0x7f0012000L, nextAvailable, used);
    }

    @Test
    void theSameRingsStartedAtTheUsedIndexLeftAreTheSameGuest() {
        assertTrue(STATE.continuedBy(start(0x7f0010000L, 40, 40), 8));
    }

    @Test
    void anythingElseIsANewDriverOrAnotherGuest() {
        assertFalse(STATE.continuedBy(start(0x7f0020000L, 40, 40), 8), "other rings");
        assertFalse(STATE.continuedBy(start(0x7f0010000L, 0, 0), 8), "the same rings after a reboot");
        assertFalse(STATE.continuedBy(start(0x7f0010000L, 42, 40), 8), "a base other than the used index");
        assertFalse(STATE.continuedBy(start(0x7f0010000L, 40, 40), 4), "another number of lines");
        GuestState wrapped = new GuestState(new RingPosition(256, 0x7f0010000L, 0x7f0011000L, 0x7f0012000L, 0, 0), 8,
                STATE.lines());
        assertFalse(wrapped.continuedBy(start(0x7f0010000L, 0, 0), 8),
                "a used index of 0 cannot be told from a fresh driver");
    }

    @Test
    void theFileGivesBackWhatWasStored() throws IOException {
        Path file = dir.resolve("guests").resolve("gpio.virtio~a.properties");
        assertNull(GuestState.load(file), "no file: nothing kept");
        STATE.store(file);
        assertEquals(STATE, GuestState.load(file));
        assertEquals("line 0 output high; line 4 input, interrupt edge-rising; line 5 not configured, interrupt"
                + " edge-rising", STATE.describe());
    }

    @Test
    void aDamagedFileIsRefusedWithWhatIsWrong() throws IOException {
        Path file = dir.resolve("state.properties");
        STATE.store(file);
        Files.writeString(file, Files.readString(file).replace("line.0=1 1 0", "line.0=1 1 9"));
        IOException refused = assertThrows(IOException.class, () -> GuestState.load(file));
        assertTrue(refused.getMessage().contains("line 0 has a setting no guest can make"), refused.getMessage());
        Files.writeString(file, "lines=8\n");
        assertThrows(IOException.class, () -> GuestState.load(file));
    }
}
