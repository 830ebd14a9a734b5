// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.InMemoryChain.irq;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_NONE;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.EVENT_QUEUE;
import static gpio.virtio.internal.VirtioGpio.IRQ_STATUS_INVALID;
import static gpio.virtio.internal.VirtioGpio.IRQ_STATUS_VALID;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_RISING;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_LEVEL_HIGH;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_LEVEL_LOW;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_NONE;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_DIRECTION;
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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gpio.api.Direction;
import gpio.api.GpioException;
import gpio.api.GpioLine;
import gpio.api.LineSettings;

/**
 * The device logic against chains built in memory and a controller in memory,
 * one test per rule of the specification (OASIS virtio, "GPIO Device"). The
 * line queues run on the calling thread, so every answer is there when
 * {@code handle} returns.
 */
class GpioDeviceTest {

    private final TestController controller = new TestController("test0", "led", "button", "", "relay");
    private final GpioDevice device = newDevice(new DeviceOptions(null, Map.of(), "vm", true, Duration.ofSeconds(5)));

    private GpioDevice newDevice(DeviceOptions options) {
        GpioDevice d = new GpioDevice(options, Runnable::run, new DeviceLog("test"));
        d.setController(controller);
        d.featuresNegotiated(d.offeredFeatures());
        return d;
    }

    private InMemoryChain send(int type, int gpio, int value) {
        InMemoryChain chain = InMemoryChain.request(type, gpio, value);
        device.handle(REQUEST_QUEUE, chain);
        return chain;
    }

    private InMemoryChain unmask(int gpio) {
        InMemoryChain chain = irq(gpio);
        device.handle(EVENT_QUEUE, chain);
        return chain;
    }

    private static void assertOk(InMemoryChain chain, int value) {
        assertEquals(1, chain.completions(), "completed once");
        assertEquals(2, chain.usedLength(), "used length");
        assertEquals(STATUS_OK, chain.written(0), "status");
        assertEquals(value, chain.written(1), "value");
    }

    private static void assertErr(InMemoryChain chain) {
        assertEquals(1, chain.completions(), "completed once");
        assertEquals(2, chain.usedLength(), "used length");
        assertEquals(STATUS_ERR, chain.written(0), "status");
        assertEquals(0, chain.written(1), "value");
    }

    private static void assertIrq(InMemoryChain chain, int status) {
        assertEquals(1, chain.completions(), "completed once");
        assertEquals(1, chain.usedLength(), "used length");
        assertEquals(status, chain.written(0), "irq status");
    }

    @Test
    void identityIsGpioWithInterruptsAndTwoQueues() {
        assertEquals(41, device.deviceId());
        assertEquals(VirtioGpio.F_IRQ | VirtioGpio.F_VERSION_1, device.offeredFeatures()
                & (VirtioGpio.F_IRQ | VirtioGpio.F_VERSION_1));
        assertEquals(2, device.queueCount());
        GpioDevice noIrq = newDevice(new DeviceOptions(null, Map.of(), "vm", false, Duration.ofSeconds(5)));
        assertEquals(0, noIrq.offeredFeatures() & VirtioGpio.F_IRQ);
    }

    @Test
    void configSpaceAnswersAnyWindow() {
        byte[] names = "led\0button\0\0relay\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer all = ByteBuffer.allocate(8);
        device.readConfig(0, all);
        assertArrayEquals(new byte[] {4, 0, 0, 0, (byte) names.length, 0, 0, 0}, all.array());
        ByteBuffer ngpio = ByteBuffer.allocate(2);
        device.readConfig(0, ngpio);
        assertArrayEquals(new byte[] {4, 0}, ngpio.array());
        ByteBuffer size = ByteBuffer.allocate(4);
        device.readConfig(4, size);
        assertArrayEquals(new byte[] {(byte) names.length, 0, 0, 0}, size.array());
        ByteBuffer odd = ByteBuffer.allocate(3);
        device.readConfig(1, odd);
        assertArrayEquals(new byte[] {0, 0, 0}, odd.array());
    }

    @Test
    void lineNamesBlockIsExactZeroTerminatedAndUsedLengthCountsIt() {
        byte[] names = "led\0button\0\0relay\0".getBytes(StandardCharsets.US_ASCII);
        InMemoryChain chain = InMemoryChain.request(MSG_GET_LINE_NAMES, 0, 0, 1 + names.length);
        device.handle(REQUEST_QUEUE, chain);
        assertEquals(1 + names.length, chain.usedLength());
        byte[] expected = new byte[1 + names.length];
        System.arraycopy(names, 0, expected, 1, names.length);
        assertArrayEquals(expected, chain.writtenBytes());
    }

    @Test
    void lineNamesAreUniqueAsciiAndOverridable() {
        TestController odd = new TestController("odd", "a", "a", "b\u00e9", "x");
        GpioDevice d = new GpioDevice(new DeviceOptions(null, Map.of(3, "a2"), "vm", true, Duration.ofSeconds(5)),
                Runnable::run, new DeviceLog("test"));
        d.setController(odd);
        byte[] names = "a\0\0\0a2\0".getBytes(StandardCharsets.US_ASCII);
        InMemoryChain chain = InMemoryChain.request(MSG_GET_LINE_NAMES, 0, 0, 1 + names.length);
        d.handle(REQUEST_QUEUE, chain);
        assertEquals(1 + names.length, chain.usedLength());
        assertArrayEquals(names, java.util.Arrays.copyOfRange(chain.writtenBytes(), 1, 1 + names.length));
    }

    @Test
    void namesSizeIsZeroWhenNoLineHasAName() {
        TestController unnamed = new TestController("u", "", "");
        GpioDevice d = new GpioDevice(new DeviceOptions(null, Map.of(), "vm", true, Duration.ofSeconds(5)),
                Runnable::run, new DeviceLog("test"));
        d.setController(unnamed);
        ByteBuffer config = ByteBuffer.allocate(8);
        d.readConfig(0, config);
        assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 0, 0, 0}, config.array());
    }

    @Test
    void selectedLinesAreRenumberedFromZero() {
        GpioDevice d = newDevice(new DeviceOptions(new int[] {1, 3}, Map.of(), "vm", true, Duration.ofSeconds(5)));
        ByteBuffer config = ByteBuffer.allocate(2);
        d.readConfig(0, config);
        assertEquals(2, config.get(0));
        InMemoryChain chain = InMemoryChain.request(MSG_SET_DIRECTION, 1, DIRECTION_IN);
        d.handle(REQUEST_QUEUE, chain);
        assertOk(chain, 0);
        assertTrue(controller.isHeld(3));
    }

    @Test
    void getDirectionOfUnconfiguredLineReportsTheControllersDirectionNeverNone() {
        controller.setDirection(3, Direction.OUTPUT);
        assertOk(send(MSG_GET_DIRECTION, 0, 0), DIRECTION_IN);
        assertOk(send(MSG_GET_DIRECTION, 3, 0), DIRECTION_OUT);
    }

    @Test
    void getDirectionReportsWhatTheGuestSet() {
        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_OUT), 0);
        assertOk(send(MSG_GET_DIRECTION, 1, 0), DIRECTION_OUT);
        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertOk(send(MSG_GET_DIRECTION, 1, 0), DIRECTION_IN);
    }

    @Test
    void setValueBeforeOutputIsRememberedAndDrivenFromTheFirstMoment() {
        assertOk(send(MSG_SET_VALUE, 0, 1), 0);
        assertFalse(controller.isHeld(0), "SET_VALUE alone does not request the line");
        assertOk(send(MSG_SET_DIRECTION, 0, DIRECTION_OUT), 0);
        assertTrue(controller.calls().contains("request 0 out=1"), controller.calls().toString());
        assertTrue(controller.level(0));
        assertOk(send(MSG_GET_VALUE, 0, 0), 1);
    }

    @Test
    void setValueDrivesAnOutput() {
        assertOk(send(MSG_SET_DIRECTION, 0, DIRECTION_OUT), 0);
        assertOk(send(MSG_SET_VALUE, 0, 1), 0);
        assertTrue(controller.level(0));
        assertOk(send(MSG_SET_VALUE, 0, 0), 0);
        assertFalse(controller.level(0));
    }

    @Test
    void getValueReadsAnInput() {
        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        controller.drive(1, true);
        assertOk(send(MSG_GET_VALUE, 1, 0), 1);
        controller.drive(1, false);
        assertOk(send(MSG_GET_VALUE, 1, 0), 0);
    }

    @Test
    void getValueOfAnUnconfiguredInputReadsItAsGetDirectionReportsItAndLeavesItFree() {
        controller.drive(1, true);
        assertOk(send(MSG_GET_DIRECTION, 1, 0), DIRECTION_IN);
        assertOk(send(MSG_GET_VALUE, 1, 0), 1);
        assertFalse(controller.isHeld(1), "released after the read");
        controller.drive(1, false);
        assertOk(send(MSG_GET_VALUE, 1, 0), 0);
        assertTrue(controller.calls().contains("request 1 in"), controller.calls().toString());
        assertOk(send(MSG_GET_DIRECTION, 1, 0), DIRECTION_IN);
    }

    @Test
    void getValueOfAnUnconfiguredLineHeldElsewhereOrDrivenIsErrAndLeavesItAlone() throws GpioException {
        try (LogCapture log = new LogCapture(); GpioLine other = controller.request(2, LineSettings.input(), "other")) {
            assertOk(send(MSG_GET_DIRECTION, 2, 0), DIRECTION_IN);
            assertErr(send(MSG_GET_VALUE, 2, 0));
            assertTrue(controller.isHeld(2), "the other consumer keeps it");
            controller.drive(2, true);
            assertTrue(other.getValue(), "undisturbed");
            assertEquals(1, log.containing("line 2", "GET_VALUE", "another consumer holds it on the host").size(),
                    "logged why");
        }
        controller.setDirection(3, Direction.OUTPUT);
        assertOk(send(MSG_GET_DIRECTION, 3, 0), DIRECTION_OUT);
        assertErr(send(MSG_GET_VALUE, 3, 0));
        assertFalse(controller.calls().stream().anyMatch(c -> c.startsWith("request 3")),
                "an output is not requested (and so changed) to read it: " + controller.calls());
    }

    @Test
    void setDirectionNoneReleasesTheLineAndDiscardsAllItsState() {
        assertOk(send(MSG_SET_VALUE, 1, 1), 0);
        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertOk(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH), 0);
        InMemoryChain held = unmask(1);
        assertFalse(held.completed());

        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_NONE), 0);
        assertIrq(held, IRQ_STATUS_INVALID);
        assertFalse(controller.isHeld(1), "released");
        assertOk(send(MSG_GET_DIRECTION, 1, 0), DIRECTION_IN);
        controller.drive(1, true);
        assertIrq(unmask(1), IRQ_STATUS_INVALID); // interrupt type discarded
        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_OUT), 0);
        assertTrue(controller.calls().contains("request 1 out=0"), "output value discarded: "
                + controller.calls());
    }

    @Test
    void badInputIsAnsweredErrAndTheQueueGoesOn() {
        assertErr(send(MSG_GET_DIRECTION, 4, 0)); // out of range
        assertErr(send(0x7777, 0, 0)); // unknown type
        assertErr(send(MSG_SET_DIRECTION, 0, 3)); // undefined direction
        assertErr(send(MSG_SET_VALUE, 0, 2)); // undefined value
        assertErr(send(MSG_SET_IRQ_TYPE, 0, 5)); // undefined irq type
        assertErr(send(MSG_GET_DIRECTION, 0, 9)); // non-zero value
        assertErr(send(MSG_GET_LINE_NAMES, 1, 0)); // names ask gpio 0
        InMemoryChain tooSmall = InMemoryChain.request(MSG_GET_LINE_NAMES, 0, 0, 4);
        device.handle(REQUEST_QUEUE, tooSmall);
        assertErr(tooSmall);
        assertOk(send(MSG_GET_DIRECTION, 0, 0), DIRECTION_IN);
    }

    @Test
    void malformedChainsAreReturnedWithoutStoppingTheQueue() {
        InMemoryChain shortRequest = new InMemoryChain(new byte[] {2, 0, 0}, 2);
        device.handle(REQUEST_QUEUE, shortRequest);
        assertErr(shortRequest);
        InMemoryChain noResponse = new InMemoryChain(new byte[8], 1);
        device.handle(REQUEST_QUEUE, noResponse);
        assertEquals(0, noResponse.usedLength());
        InMemoryChain shortIrq = new InMemoryChain(new byte[1], 1);
        device.handle(EVENT_QUEUE, shortIrq);
        assertEquals(0, shortIrq.usedLength());
        InMemoryChain badQueue = InMemoryChain.request(MSG_GET_DIRECTION, 0, 0);
        device.handle(7, badQueue);
        assertEquals(0, badQueue.usedLength());
        assertIrq(unmask(9), IRQ_STATUS_INVALID); // no such line
        assertOk(send(MSG_GET_DIRECTION, 0, 0), DIRECTION_IN);
    }

    @Test
    void controllerFailureIsErrAndTheLineStaysUsable() {
        controller.failNext(GpioException.Reason.BUSY);
        assertErr(send(MSG_SET_DIRECTION, 0, DIRECTION_OUT));
        assertOk(send(MSG_GET_DIRECTION, 0, 0), DIRECTION_IN); // the failed SET_DIRECTION left no state
        assertOk(send(MSG_SET_DIRECTION, 0, DIRECTION_OUT), 0);
        controller.failNext(GpioException.Reason.IO);
        assertErr(send(MSG_SET_VALUE, 0, 1));
        assertOk(send(MSG_GET_VALUE, 0, 0), 0);
    }

    @Test
    void withoutControllerRequestsAreErrNotHeld() {
        GpioDevice d = new GpioDevice(new DeviceOptions(new int[] {0, 1}, Map.of(), "vm", true,
                Duration.ofSeconds(5)), Runnable::run, new DeviceLog("test"));
        InMemoryChain chain = InMemoryChain.request(MSG_GET_DIRECTION, 0, 0);
        d.handle(REQUEST_QUEUE, chain);
        assertErr(chain);
        InMemoryChain names = InMemoryChain.request(MSG_GET_LINE_NAMES, 0, 0);
        d.handle(REQUEST_QUEUE, names);
        assertErr(names);
    }

    @Test
    void edgeInterruptIsDeliveredWhenEnabledAndUnmasked() {
        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertOk(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_RISING), 0);
        InMemoryChain held = unmask(1);
        controller.drive(1, true);
        assertIrq(held, IRQ_STATUS_VALID);
    }

    @Test
    void edgeOfTheOtherKindIsNotAnInterrupt() {
        controller.drive(1, true);
        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertOk(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_RISING), 0);
        InMemoryChain held = unmask(1);
        controller.drive(1, false);
        assertFalse(held.completed());
    }

    @Test
    void edgeWhileMaskedIsLatchedOnceAndDeliveredOnUnmask() {
        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertOk(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH), 0);
        controller.drive(1, true);
        controller.drive(1, false);
        controller.drive(1, true);
        assertIrq(unmask(1), IRQ_STATUS_VALID);
        InMemoryChain second = unmask(1);
        assertFalse(second.completed(), "one pending flag, not one per edge");
    }

    @Test
    void secondEdgeWhileMaskedAfterDeliveryIsLatched() {
        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertOk(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH), 0);
        InMemoryChain held = unmask(1);
        controller.drive(1, true);
        assertIrq(held, IRQ_STATUS_VALID);
        controller.drive(1, false);
        assertIrq(unmask(1), IRQ_STATUS_VALID);
    }

    @Test
    void disablingDiscardsTheLatchedEdgeAndReturnsTheHeldBufferInvalid() {
        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertOk(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH), 0);
        controller.drive(1, true);
        assertOk(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_NONE), 0);
        assertOk(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH), 0);
        InMemoryChain held = unmask(1);
        assertFalse(held.completed(), "the latched edge was discarded");
        assertOk(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_NONE), 0);
        assertIrq(held, IRQ_STATUS_INVALID);
        assertFalse(controller.isWatched(1));
        assertTrue(controller.isHeld(1), "still an input");
    }

    @Test
    void bufferForADisabledInterruptIsReturnedInvalid() {
        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertIrq(unmask(1), IRQ_STATUS_INVALID);
    }

    @Test
    void levelInterruptIsNotLatchedWhileMasked() {
        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertOk(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_LEVEL_HIGH), 0);
        controller.drive(1, true);
        controller.drive(1, false);
        assertFalse(unmask(1).completed(), "the level went away while masked");
    }

    @Test
    void levelInterruptIsDeliveredAgainOnUnmaskWhileActive() {
        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertOk(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_LEVEL_HIGH), 0);
        InMemoryChain held = unmask(1);
        assertFalse(held.completed());
        controller.drive(1, true);
        assertIrq(held, IRQ_STATUS_VALID);
        assertIrq(unmask(1), IRQ_STATUS_VALID); // still high
        controller.drive(1, false);
        assertFalse(unmask(1).completed());
    }

    @Test
    void levelLowInterruptOnALineNotRequestedByTheGuest() {
        // In-kernel consumers enable an interrupt without setting a direction.
        assertOk(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_LEVEL_LOW), 0);
        assertTrue(controller.isWatched(1));
        assertIrq(unmask(1), IRQ_STATUS_VALID); // the line is low
        controller.drive(1, true);
        InMemoryChain held = unmask(1);
        assertFalse(held.completed());
        controller.drive(1, false);
        assertIrq(held, IRQ_STATUS_VALID);
        assertOk(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_NONE), 0);
        assertFalse(controller.isHeld(1), "released with the interrupt");
    }

    @Test
    void interruptMessagesNeedTheNegotiatedFeature() {
        device.featuresNegotiated(VirtioGpio.F_VERSION_1);
        assertOk(send(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertErr(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH));
    }

    @Test
    void interruptOnAnOutputIsRefused() {
        assertOk(send(MSG_SET_DIRECTION, 0, DIRECTION_OUT), 0);
        assertErr(send(MSG_SET_IRQ_TYPE, 0, IRQ_TYPE_EDGE_BOTH));
    }

    @Test
    void resetReleasesEveryLineAndDropsHeldBuffersUncompleted() {
        assertOk(send(MSG_SET_DIRECTION, 0, DIRECTION_OUT), 0);
        assertOk(send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH), 0);
        InMemoryChain held = unmask(1);
        device.reset();
        assertFalse(controller.isHeld(0));
        assertFalse(controller.isHeld(1));
        controller.drive(1, true);
        assertFalse(held.completed(), "void after reset");
        device.featuresNegotiated(device.offeredFeatures());
        assertOk(send(MSG_GET_DIRECTION, 0, 0), DIRECTION_IN);
    }
}
