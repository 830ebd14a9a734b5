// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.InMemoryChain.irq;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.EVENT_QUEUE;
import static gpio.virtio.internal.VirtioGpio.IRQ_STATUS_VALID;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_RISING;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_LINE_NAMES;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static gpio.virtio.internal.VirtioGpio.REQUEST_QUEUE;
import static gpio.virtio.internal.VirtioGpio.STATUS_ERR;
import static gpio.virtio.internal.VirtioGpio.STATUS_OK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A chip composed of two controllers in memory, with the operator's policies:
 * each controller swapped or gone on its own, read-only lines, and every safe
 * state applied when the guest lets go unexpectedly. The line queues run on the
 * calling thread, so every answer is there when {@code handle} returns.
 */
class LinePolicyTest {

    /** Guest lines: 0 a:0 (low), 1 a:1 (read-only), 2 b:3 (high), 3 b:0 (hold), 4 a:2 (release). */
    private static final LineMap MAP = LineMap.parse("a:0-1, b:3, b:0, a:2", new String[] {"b:3=RELAY"}, "a:1",
            new String[] {"a:0=low, RELAY=high", "b:0=hold"});

    private final TestController a = new TestController("a", "a0", "a1", "a2");
    private final TestController b = new TestController("b", "b0", "b1", "b2", "b3");
    private final GpioDevice device = new GpioDevice(new DeviceOptions(MAP, "vm", true, Duration.ofSeconds(5)),
            Runnable::run, new DeviceLog("test"));

    LinePolicyTest() {
        device.setController(0, a);
        device.setController(1, b);
        device.featuresNegotiated(device.offeredFeatures());
    }

    private InMemoryChain send(int type, int gpio, int value) {
        InMemoryChain chain = InMemoryChain.request(type, gpio, value);
        device.handle(REQUEST_QUEUE, chain);
        assertEquals(1, chain.completions(), "answered once");
        return chain;
    }

    private void ok(int type, int gpio, int value) {
        assertEquals(STATUS_OK, send(type, gpio, value).written(0), "message " + type + " on line " + gpio);
    }

    private void err(int type, int gpio, int value) {
        assertEquals(STATUS_ERR, send(type, gpio, value).written(0), "message " + type + " on line " + gpio);
    }

    private void drive(int gpio, int value) {
        ok(MSG_SET_VALUE, gpio, value);
        ok(MSG_SET_DIRECTION, gpio, DIRECTION_OUT);
    }

    @Test
    void theGuestSeesTheLinesInTheOrderGivenWithTheirNames() {
        byte[] names = "a0\0a1\0RELAY\0b0\0a2\0".getBytes(StandardCharsets.US_ASCII);
        InMemoryChain chain = InMemoryChain.request(MSG_GET_LINE_NAMES, 0, 0, 1 + names.length);
        device.handle(REQUEST_QUEUE, chain);
        assertEquals(5, device.lineCount());
        assertArrayEquals(names, java.util.Arrays.copyOfRange(chain.writtenBytes(), 1, 1 + names.length));
        drive(2, 1);
        assertTrue(b.level(3) && b.isHeld(3), "guest line 2 is b:3");
        assertFalse(a.isHeld(2) || a.isHeld(0));
    }

    @Test
    void aReadOnlyLineIsReadAndWatchedButNeverDrivenAndTheRefusalIsLoggedOnce() throws Exception {
        try (LogCapture log = new LogCapture()) {
            err(MSG_SET_VALUE, 1, 1);
            err(MSG_SET_DIRECTION, 1, DIRECTION_OUT);
            err(MSG_SET_VALUE, 1, 0);
            assertFalse(a.isHeld(1), "never requested");
            assertFalse(a.level(1));
            assertEquals(1, log.containing("WARNING", "line 1 (controller offset 1) is read-only: SET_VALUE").size(),
                    "logged once for the line");
            assertEquals(1, log.containing("read-only").size(), () -> log.containing("").toString());
        }
        ok(MSG_SET_DIRECTION, 1, DIRECTION_IN);
        a.drive(1, true);
        assertEquals(1, send(MSG_GET_VALUE, 1, 0).written(1));
        ok(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_RISING);
        InMemoryChain event = irq(1);
        device.handle(EVENT_QUEUE, event);
        a.drive(1, false);
        a.drive(1, true);
        assertEquals(IRQ_STATUS_VALID, event.written(0), "interrupts work on a read-only line");
        drive(0, 1);
        assertTrue(a.level(0), "the other lines of the controller are driven as usual");
    }

    @Test
    void aResetLeavesEachOutputAtItsSafeState() {
        drive(0, 1); // a:0, low
        drive(2, 0); // b:3, high
        drive(3, 1); // b:0, hold
        drive(4, 1); // a:2, release
        long releasesOfB = count(b.calls(), "release");

        device.reset();

        assertTrue(a.isHeld(0), "low: still held");
        assertFalse(a.level(0), "low: driven low");
        assertTrue(b.isHeld(3), "high: still held");
        assertTrue(b.level(3), "high: driven high");
        assertTrue(b.isHeld(0) && b.level(0), "hold: the guest's last value");
        assertFalse(a.isHeld(2), "release: released");
        assertEquals(releasesOfB, count(b.calls(), "release"), "never released on the way (no glitch)");
        assertEquals(1, send(MSG_GET_VALUE, 2, 0).written(1), "a new driver reads the safe level");
    }

    @Test
    void anInputIsReleasedWhateverItsSafeState() {
        ok(MSG_SET_DIRECTION, 2, DIRECTION_IN);
        assertTrue(b.isHeld(3));
        device.reset();
        assertFalse(b.isHeld(3), "the guest did not drive it: nothing to keep safe");
    }

    @Test
    void theNextDriverTakesTheSafeLineOverWithoutARelease() {
        drive(2, 0);
        device.reset();
        assertTrue(b.level(3));
        ok(MSG_SET_DIRECTION, 2, DIRECTION_OUT);
        assertFalse(b.level(3), "the new driver's value");
        assertTrue(b.calls().contains("reconfigure out=0 3"), b.calls().toString());
        assertEquals(0, count(b.calls(), "release 3"), "taken over, not released and requested again");
        ok(MSG_SET_DIRECTION, 2, 0);
        assertFalse(b.isHeld(3), "a guest's own release releases");
    }

    @Test
    void stoppingTheDeviceReleasesTheLinesItHeldAtTheirSafeState() {
        drive(2, 0);
        device.reset();
        device.stop();
        assertFalse(b.isHeld(3));
        assertTrue(b.level(3), "after being driven high");
    }

    @Test
    void oneControllerSwappedOrGoneLeavesTheOtherServing() {
        drive(0, 1);
        drive(2, 1);
        long requestsOfA = count(a.calls(), "request") + count(a.calls(), "release");
        TestController b2 = new TestController("b", "n0", "n1", "n2", "n3");
        device.setController(1, b2);
        assertEquals(1, send(MSG_GET_VALUE, 2, 0).written(1));
        assertTrue(b2.isHeld(3) && b2.level(3), "the guest's output replayed on the new b");
        assertFalse(b.isHeld(3), "the old b released");
        assertEquals(requestsOfA, count(a.calls(), "request") + count(a.calls(), "release"),
                "a's lines untouched (only its names are read again)");
        assertTrue(a.isHeld(0) && a.level(0));

        device.setController(1, null);
        err(MSG_GET_VALUE, 2, 0);
        assertEquals(1, send(MSG_GET_VALUE, 0, 0).written(1), "a still serves");
        device.setController(1, b);
        assertEquals(1, send(MSG_GET_VALUE, 2, 0).written(1), "b back: the state replayed");
        assertTrue(b.level(3));
    }

    @Test
    void aSafeStateMovesWithItsController() {
        drive(2, 0);
        device.reset();
        TestController b2 = new TestController("b", "n0", "n1", "n2", "n3");
        device.setController(1, b2);
        assertTrue(b2.isHeld(3) && b2.level(3), "driven high on the new b");
        assertFalse(b.isHeld(3), "and let go on the old one");
        device.setController(1, null);
        assertFalse(b2.isHeld(3), "no controller, nothing held");
        device.setController(1, b2);
        assertTrue(b2.isHeld(3) && b2.level(3), "driven high again when b comes back");
    }

    @Test
    void anOutputTheGuestHadSetIsNotRestoredOnALineMadeReadOnlySince() throws Exception {
        LineState.Events events = new LineState.Events() {
            @Override
            public void complete(gpio.vhostuser.DescriptorChain chain, byte status) {
            }

            @Override
            public void discardEdges() {
            }

            @Override
            public void heldBack(int latched, int dropped) {
            }
        };
        LineState readOnly = new LineState(1, 1, true, SafeState.RELEASE, "vm", event -> { }, events,
                new DeviceLog("test"), new LineHistory(1, 1, 64));
        readOnly.rebind(a);
        try (LogCapture log = new LogCapture()) {
            readOnly.restore(new GuestState.LineSetting(1, DIRECTION_OUT, true, VirtioGpio.IRQ_TYPE_NONE));
            assertFalse(a.isHeld(1), "not driven");
            assertEquals(1, log.containing("WARNING", "is read-only: the output the guest had set on it is not"
                    + " restored").size());
        }
    }

    private static long count(List<String> calls, String prefix) {
        return calls.stream().filter(call -> call.startsWith(prefix)).count();
    }
}
