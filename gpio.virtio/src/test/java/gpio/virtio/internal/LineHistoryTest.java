// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.InMemoryChain.irq;
import static gpio.virtio.internal.LineHistory.HIGH;
import static gpio.virtio.internal.LineHistory.INTERRUPT;
import static gpio.virtio.internal.LineHistory.LOW;
import static gpio.virtio.internal.LineHistory.UNKNOWN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_NONE;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.EVENT_QUEUE;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static gpio.virtio.internal.VirtioGpio.REQUEST_QUEUE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import gpio.vhostuser.RingPosition;

/**
 * What a device records of its lines for the waveform: the levels the guest
 * set and read, edges reported, interrupts delivered, releases; bounded, and
 * readable while written without locks.
 */
class LineHistoryTest {

    private final TestController controller = new TestController("test0", "led", "button");
    private final GpioDevice device = new GpioDevice(new DeviceOptions(null, Map.of(), "vm", true,
            Duration.ofSeconds(5)), Runnable::run, new DeviceLog("history"));

    LineHistoryTest() {
        device.setController(controller);
        device.featuresNegotiated(device.offeredFeatures());
    }

    private void send(int type, int gpio, int value) {
        device.handle(REQUEST_QUEUE, InMemoryChain.request(type, gpio, value));
    }

    private static void assertKinds(LineHistory.Events events, byte... kinds) {
        assertArrayEquals(kinds, events.kinds());
        for (int i = 1; i < events.nanos().length; i++) {
            assertTrue(events.nanos()[i] >= events.nanos()[i - 1], "in time order");
        }
    }

    @Test
    void anOutputRecordsEachLevelTheGuestDrivesOnceAndItsRelease() {
        LineHistory led = device.histories().get(0);
        assertEquals(0, led.offset());
        assertKinds(led.events());
        send(MSG_SET_DIRECTION, 0, DIRECTION_OUT);
        assertTrue(led.guestDrives());
        send(MSG_SET_VALUE, 0, 1);
        send(MSG_SET_VALUE, 0, 1); // no change: nothing new
        send(MSG_GET_VALUE, 0, 0); // reads what it drives: nothing new
        send(MSG_SET_VALUE, 0, 0);
        send(MSG_SET_DIRECTION, 0, DIRECTION_NONE);
        assertFalse(led.guestDrives());
        assertEquals(DIRECTION_NONE, led.direction());
        assertKinds(led.events(), LOW, HIGH, LOW, UNKNOWN);
    }

    @Test
    void aGuestComingBackDrivesItsOutputAgainAndTheHistorySaysSo() {
        LineHistory led = device.histories().get(0);
        send(MSG_SET_DIRECTION, 0, DIRECTION_OUT);
        send(MSG_SET_VALUE, 0, 1);
        RingPosition ring = new RingPosition(256, 0x10000L, 0x11000L, 0x12000L, 2, 2);
        device.queueClosed(REQUEST_QUEUE, ring);
        device.reset();
        assertFalse(led.guestDrives(), "released with the connection");
        device.queueStarted(REQUEST_QUEUE, ring);
        assertTrue(led.guestDrives(), "restored");
        assertKinds(led.events(), LOW, HIGH, UNKNOWN, HIGH);
    }

    @Test
    void anInputRecordsReadsEdgesAndTheInterruptsDelivered() {
        LineHistory button = device.histories().get(1);
        send(MSG_SET_DIRECTION, 1, DIRECTION_IN);
        assertEquals(DIRECTION_IN, button.direction());
        send(MSG_GET_VALUE, 1, 0);
        send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH);
        device.handle(EVENT_QUEUE, irq(1));
        controller.drive(1, true); // delivered: the buffer was held
        controller.drive(1, false); // latched: no buffer
        assertKinds(button.events(), LOW, HIGH, INTERRUPT, LOW);
        assertEquals(1, device.counters().snapshot().interruptsDelivered());
    }

    @Test
    void aRingKeepsItsCapacityOfTheLatestEntriesAndSaysFromWhenItIsComplete() {
        LineHistory history = new LineHistory(0, 0, 64);
        long before = System.nanoTime();
        for (int i = 0; i < 40; i++) {
            history.seen(i % 2 == 0);
        }
        LineHistory.Events some = history.events();
        assertEquals(40, some.kinds().length);
        assertTrue(some.completeSinceNanos() <= before, "nothing was dropped: complete since it was made");
        for (int i = 40; i < 200; i++) {
            history.seen(i % 2 == 0);
        }
        LineHistory.Events kept = history.events();
        assertEquals(63, kept.kinds().length, "the capacity but the slot the writer overwrites next");
        assertEquals(LOW, kept.kinds()[62], "the latest entry is the last one written (199 is odd: low)");
        assertEquals(kept.nanos()[0], kept.completeSinceNanos(), "complete from the oldest entry kept");
    }

    @Test
    void theBudgetIsSharedOutAmongTheLinesOfADevice() {
        assertEquals(16_384, LineHistory.capacityFor(1));
        assertEquals(4_096, LineHistory.capacityFor(64));
        assertEquals(2_048, LineHistory.capacityFor(100));
        assertEquals(64, LineHistory.capacityFor(65_535));
    }

    /**
     * A reader copying while the writer laps the ring never gets an entry out of
     * place: what it returns is always consecutive entries, alternating levels in
     * time order.
     */
    @Test
    void aReaderNeverSeesAnEntryTheWriterOverwroteWhileItCopied() throws Exception {
        LineHistory history = new LineHistory(0, 0, 64);
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            boolean level = false;
            while (!stop.get()) {
                level = !level;
                history.seen(level);
            }
        }, "history writer");
        writer.start();
        try {
            int copies = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (copies < 20_000 && System.nanoTime() < deadline) {
                LineHistory.Events events = history.events();
                for (int i = 1; i < events.kinds().length; i++) {
                    assertTrue(events.kinds()[i] != events.kinds()[i - 1], "levels alternate at entry " + i);
                    assertTrue(events.nanos()[i] >= events.nanos()[i - 1], "times in order at entry " + i);
                }
                copies++;
            }
            assertTrue(copies > 100, "the reader copied " + copies + " times");
        } finally {
            stop.set(true);
            writer.join();
        }
    }
}
