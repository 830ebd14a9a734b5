// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_NONE;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.IRQ_STATUS_INVALID;
import static gpio.virtio.internal.VirtioGpio.IRQ_STATUS_VALID;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_FALLING;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_LEVEL_HIGH;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_NONE;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import gpio.api.GpioController;
import gpio.api.GpioLine;
import gpio.api.LineSettings;
import gpio.sim.GpioSimulator;

/**
 * The message sequences of the Linux driver (drivers/gpio/gpio-virtio.c) and
 * the libgpiod tools, against the simulator. Subclasses say how buffers get
 * to the device.
 */
abstract class DriverSequences {

    /** The names of the simulated chip's lines. */
    static final String[] NAMES = {"led", "button", "", "relay"};

    abstract Guest guest();

    abstract GpioSimulator sim();

    abstract GpioController controller();

    /** Binds the spare simulated chip (same lines) instead of the first, then closes the first. */
    abstract GpioController swapToSpare();

    /** Adds latency to every call on the first chip; returns the spare chip's simulator. */
    abstract GpioSimulator slowDown(Duration latency);

    private int[] ok(int type, int gpio, int value) throws Exception {
        int[] r = guest().call(type, gpio, value);
        assertEquals(0, r[0], "status OK for message " + type + " on line " + gpio);
        assertEquals(2, r[2], "used length");
        return r;
    }

    @Test
    void probeReadsConfigNamesAndTheDirectionOfEveryLine() throws Exception {
        ByteBuffer config = ByteBuffer.wrap(guest().config()).order(ByteOrder.LITTLE_ENDIAN);
        int ngpio = config.getShort(0) & 0xFFFF;
        int namesSize = config.getInt(4);
        assertEquals(NAMES.length, ngpio);
        byte[] expected = "\0led\0button\0\0relay\0".getBytes(StandardCharsets.US_ASCII);
        assertEquals(expected.length - 1, namesSize);
        assertArrayEquals(expected, guest().lineNames(namesSize));
        for (int line = 0; line < ngpio; line++) {
            int direction = ok(MSG_GET_DIRECTION, line, 0)[1];
            assertTrue(direction == DIRECTION_IN || direction == DIRECTION_OUT, "never none at probe");
        }
    }

    @Test
    void gpiogetReadsALevelDrivenFromOutside() throws Exception {
        sim().setInput(1, true);
        ok(MSG_GET_DIRECTION, 1, 0);
        ok(MSG_SET_DIRECTION, 1, DIRECTION_IN);
        assertEquals(1, ok(MSG_GET_VALUE, 1, 0)[1]);
        ok(MSG_SET_DIRECTION, 1, DIRECTION_NONE);
        sim().setInput(1, false);
        ok(MSG_SET_DIRECTION, 1, DIRECTION_IN);
        assertEquals(0, ok(MSG_GET_VALUE, 1, 0)[1]);
        ok(MSG_SET_DIRECTION, 1, DIRECTION_NONE);
    }

    @Test
    void gpiogetAsIsReadsALineTheGuestNeverConfigured() throws Exception {
        // libgpiod v2 gpioget --as-is (and sysfs, GPIOD_ASIS): the direction, then the value, no SET_DIRECTION.
        sim().setInput(1, true);
        assertEquals(DIRECTION_IN, ok(MSG_GET_DIRECTION, 1, 0)[1]);
        assertEquals(1, ok(MSG_GET_VALUE, 1, 0)[1]);
        assertFalse(controller().lineInfo(1).used(), "released after the read");
        sim().setInput(1, false);
        assertEquals(0, ok(MSG_GET_VALUE, 1, 0)[1]);
        try (GpioLine other = controller().request(2, LineSettings.input(), "host-tool")) {
            assertEquals(DIRECTION_IN, ok(MSG_GET_DIRECTION, 2, 0)[1]);
            assertEquals(1, guest().call(MSG_GET_VALUE, 2, 0)[0], "ERR: another consumer holds the line");
            assertEquals("host-tool", controller().lineInfo(2).consumer(), "and keeps it");
            sim().setInput(2, true);
            assertTrue(other.getValue(), "undisturbed");
        }
    }

    @Test
    void gpiosetDrivesTheLineFromTheFirstMomentAndReleasesIt() throws Exception {
        sim().clearRecording();
        ok(MSG_GET_DIRECTION, 0, 0);
        ok(MSG_SET_VALUE, 0, 1);
        ok(MSG_SET_DIRECTION, 0, DIRECTION_OUT);
        assertTrue(sim().level(0));
        assertEquals(1, sim().recording().stream().filter(c -> c.offset() == 0).count(),
                "one change: straight to high, no glitch");
        ok(MSG_SET_DIRECTION, 0, DIRECTION_NONE);
        assertFalse(controller().lineInfo(0).used(), "released");
    }

    @Test
    void gpiomonGetsEdgesFromTheSimulatorAndItsBufferBackOnClose() throws Exception {
        ok(MSG_SET_DIRECTION, 1, DIRECTION_IN);
        ok(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH);
        for (int i = 0; i < 5; i++) {
            Guest.Irq irq = guest().unmask(1);
            sim().setInput(1, i % 2 == 0);
            assertEquals(IRQ_STATUS_VALID, irq.await(), "edge " + i);
        }
        Guest.Irq last = guest().unmask(1);
        ok(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_NONE);
        assertEquals(IRQ_STATUS_INVALID, last.await());
        ok(MSG_SET_DIRECTION, 1, DIRECTION_NONE);
    }

    @Test
    void edgeWhileMaskedIsDeliveredOnUnmask() throws Exception {
        ok(MSG_SET_DIRECTION, 1, DIRECTION_IN);
        ok(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_FALLING);
        sim().setInput(1, true);
        sim().setInput(1, false);
        assertEquals(IRQ_STATUS_VALID, guest().unmask(1).await());
        ok(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_NONE);
    }

    @Test
    void levelInterruptIsRepeatedWhileActiveAndNotLatched() throws Exception {
        ok(MSG_SET_DIRECTION, 3, DIRECTION_IN);
        ok(MSG_SET_IRQ_TYPE, 3, IRQ_TYPE_LEVEL_HIGH);
        Guest.Irq first = guest().unmask(3);
        sim().setInput(3, true);
        assertEquals(IRQ_STATUS_VALID, first.await());
        assertEquals(IRQ_STATUS_VALID, guest().unmask(3).await(), "still high: again");
        sim().setInput(3, false);
        Guest.Irq quiet = guest().unmask(3);
        assertFalse(quiet.returned(), "low: nothing to report");
        sim().setInput(3, true);
        assertEquals(IRQ_STATUS_VALID, quiet.await());
        sim().setInput(3, false);
        // While masked, a pulse comes and goes: a level interrupt is not latched.
        sim().pulse(3, true, Duration.ofMillis(5)).get();
        Guest.Irq after = guest().unmask(3);
        ok(MSG_SET_IRQ_TYPE, 3, IRQ_TYPE_NONE);
        assertEquals(IRQ_STATUS_INVALID, after.await(), "the masked pulse was not latched");
    }

    @Test
    void swapUnderLoadLosesDuplicatesAndFailsNothing() throws Exception {
        for (int line = 0; line < NAMES.length; line++) {
            ok(MSG_SET_DIRECTION, line, DIRECTION_OUT);
        }
        GpioSimulator spare = slowDown(Duration.ofMillis(1));
        java.util.List<Guest.Pending> sent = new java.util.ArrayList<>();
        int rounds = 60;
        for (int round = 0; round < rounds; round++) {
            for (int line = 0; line < NAMES.length; line++) {
                sent.add(guest().submit(MSG_SET_VALUE, line, round & 1));
            }
            if (round == rounds / 3) {
                swapToSpare();
            }
        }
        for (Guest.Pending p : sent) {
            int[] r = p.await();
            assertEquals(0, r[0], "status OK");
            assertEquals(2, r[2], "used length");
        }
        for (int line = 0; line < NAMES.length; line++) {
            assertEquals((rounds - 1) & 1, ok(MSG_GET_VALUE, line, 0)[1]);
            assertEquals(((rounds - 1) & 1) == 1, spare.level(line), "the spare chip drives the last value");
        }
    }
}
