// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.EVENT_QUEUE;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.REQUEST_QUEUE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The counters an operator sees, against the device logic with chains in memory, line queues on the caller. */
class DeviceCountersTest {

    private final TestController controller = new TestController("test0", "led", "button");
    private final GpioDevice device = new GpioDevice(
            new DeviceOptions(null, Map.of(), "vm", true, Duration.ofSeconds(5)), Runnable::run,
            new DeviceLog("counters"));

    DeviceCountersTest() {
        device.setController(controller);
        device.featuresNegotiated(device.offeredFeatures());
    }

    private void send(int type, int gpio, int value) {
        device.handle(REQUEST_QUEUE, InMemoryChain.request(type, gpio, value));
    }

    @Test
    void requestsAreCountedByTypeAndErrorsApart() {
        send(MSG_GET_DIRECTION, 0, 0);
        send(MSG_SET_DIRECTION, 0, DIRECTION_IN);
        send(MSG_GET_VALUE, 0, 0);
        send(MSG_GET_VALUE, 1, 7); // non-zero value: ERR
        send(MSG_GET_VALUE, 9, 0); // no such line: ERR
        send(0x77, 0, 0); // unknown type: ERR
        DeviceCounters.Snapshot counts = device.counters().snapshot();
        assertEquals(1, counts.getDirection());
        assertEquals(1, counts.setDirection());
        assertEquals(3, counts.getValue());
        assertEquals(1, counts.unknown());
        assertEquals(6, counts.requests());
        assertEquals(3, counts.errors());
    }

    @Test
    void interruptsAreDeliveredLatchedOrDropped() {
        send(MSG_SET_DIRECTION, 1, DIRECTION_IN);
        send(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH);
        device.handle(EVENT_QUEUE, InMemoryChain.irq(1));
        controller.drive(1, true); // delivered into the held buffer
        controller.drive(1, false); // no buffer: latched
        controller.drive(1, true); // latch already set: dropped
        controller.drive(1, false); // dropped
        device.handle(EVENT_QUEUE, InMemoryChain.irq(1)); // the latch is delivered
        DeviceCounters.Snapshot counts = device.counters().snapshot();
        assertEquals(2, counts.interruptsDelivered());
        assertEquals(1, counts.interruptsLatched());
        assertEquals(2, counts.interruptsDropped());
        assertEquals(0, counts.errors());
        assertEquals(List.of(new DeviceStatus.GuestLine(1, 1, "edge-both")), device.interruptLines());
    }
}
