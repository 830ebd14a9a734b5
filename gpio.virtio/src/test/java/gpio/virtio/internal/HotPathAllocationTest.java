// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static gpio.virtio.internal.VirtioGpio.REQUEST_QUEUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import gpio.api.EdgeDetection;
import gpio.api.EdgeListener;
import gpio.api.EdgeSubscription;
import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.GpioLine;
import gpio.api.LineInfo;
import gpio.api.LineSettings;

/**
 * The request path (parse, queue, controller call, response, completion)
 * allocates nothing per request, measured with the thread's allocation counter
 * around many GET_VALUE and SET_VALUE round trips on reused chains.
 */
class HotPathAllocationTest {

    /** A controller whose line allocates nothing itself. */
    private static class QuietController implements GpioController {
        private final LineSettings[] settings = new LineSettings[1];
        private boolean value;

        @Override
        public String label() {
            return "quiet";
        }

        @Override
        public int lineCount() {
            return 1;
        }

        @Override
        public LineInfo lineInfo(int offset) {
            return LineInfo.unusedInput(offset, "");
        }

        @Override
        public GpioLine request(int offset, LineSettings lineSettings, String consumer) {
            settings[0] = lineSettings;
            return new GpioLine() {
                @Override
                public int offset() {
                    return 0;
                }

                @Override
                public LineSettings settings() {
                    return settings[0];
                }

                @Override
                public boolean getValue() {
                    return value;
                }

                @Override
                public void setValue(boolean active) {
                    value = active;
                }

                @Override
                public void reconfigure(LineSettings newSettings) {
                    settings[0] = newSettings;
                }

                @Override
                public EdgeSubscription watchEdges(EdgeDetection edges, EdgeListener listener)
                        throws GpioException {
                    throw new GpioException(GpioException.Reason.UNSUPPORTED, "no edges");
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /** The same, declaring its calls non-blocking: requests take the fast path. */
    private static final class QuietNonBlockingController extends QuietController {
        @Override
        public boolean nonBlocking() {
            return true;
        }
    }

    /**
     * On the fast path (the controller's calls cannot block) the requests are
     * carried out on the thread that hands them to the device, the transport's,
     * without a worker, and allocate nothing either.
     */
    @Test
    void requestsOnTheFastPathAllocateNothingAndNeedNoWorker() {
        AtomicInteger handedToWorkers = new AtomicInteger();
        GpioDevice device = new GpioDevice(new DeviceOptions(null, Map.of(), "vm", true, Duration.ofSeconds(5)),
                task -> {
                    handedToWorkers.incrementAndGet();
                    task.run();
                }, new DeviceLog("alloc"));
        device.setController(new QuietNonBlockingController());
        device.handle(REQUEST_QUEUE, InMemoryChain.request(MSG_SET_DIRECTION, 0, DIRECTION_OUT));
        handedToWorkers.set(0);
        InMemoryChain set = InMemoryChain.request(MSG_SET_VALUE, 0, 1);
        InMemoryChain get = InMemoryChain.request(MSG_GET_VALUE, 0, 0);
        assertNoAllocation(device, set, get);
        assertEquals(1, get.written(1), "the value set is read back");
        assertEquals(0, handedToWorkers.get(), "requests handed to a worker");
    }

    @Test
    void requestsAllocateNothing() {
        GpioDevice device = new GpioDevice(new DeviceOptions(null, Map.of(), "vm", true, Duration.ofSeconds(5)),
                Runnable::run, new DeviceLog("alloc"));
        device.setController(new QuietController());
        InMemoryChain out = InMemoryChain.request(MSG_SET_DIRECTION, 0, DIRECTION_OUT);
        device.handle(REQUEST_QUEUE, out);
        InMemoryChain set = InMemoryChain.request(MSG_SET_VALUE, 0, 1);
        InMemoryChain get = InMemoryChain.request(MSG_GET_VALUE, 0, 0);
        assertNoAllocation(device, set, get);
        assertEquals(1, get.written(1), "the value set is read back");
    }

    /** A composed chip's lines, a read-only line's refused SET_VALUE included (logged once, before measuring). */
    @Test
    void requestsOnAComposedChipWithPoliciesAllocateNothing() {
        LineMap map = LineMap.parse("a:0, b:0", new String[0], "b:0", new String[] {"a:0=high"});
        GpioDevice device = new GpioDevice(new DeviceOptions(map, "vm", true, Duration.ofSeconds(5)),
                Runnable::run, new DeviceLog("alloc"));
        device.setController(0, new QuietController());
        device.setController(1, new QuietController());
        device.handle(REQUEST_QUEUE, InMemoryChain.request(MSG_SET_DIRECTION, 0, DIRECTION_OUT));
        device.handle(REQUEST_QUEUE, InMemoryChain.request(MSG_SET_DIRECTION, 1, DIRECTION_IN));
        InMemoryChain set = InMemoryChain.request(MSG_SET_VALUE, 0, 1);
        InMemoryChain get = InMemoryChain.request(MSG_GET_VALUE, 1, 0);
        InMemoryChain refused = InMemoryChain.request(MSG_SET_VALUE, 1, 1);
        assertNoAllocation(device, set, get, refused);
        assertEquals(VirtioGpio.STATUS_ERR, refused.written(0), "the read-only line refuses");
        assertEquals(VirtioGpio.STATUS_OK, get.written(0), "and is read");
    }

    private static void assertNoAllocation(GpioDevice device, InMemoryChain... chains) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
                .getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int rounds = 200_000;
        roundTrips(device, chains, rounds); // warm up, let the JIT settle
        long before = threads.getThreadAllocatedBytes(thread);
        roundTrips(device, chains, rounds);
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(allocated < rounds / 10, allocated + " bytes allocated over " + (chains.length * rounds)
                + " requests");
    }

    /**
     * A guest toggling an output writes an entry into the line's history with
     * every request (the waveform's data): that allocates nothing either, the
     * ring wrapping many times over.
     */
    @Test
    void recordingTheLevelsOfAToggledLineAllocatesNothing() {
        GpioDevice device = new GpioDevice(new DeviceOptions(null, Map.of(), "vm", true, Duration.ofSeconds(5)),
                Runnable::run, new DeviceLog("alloc"));
        device.setController(new QuietController());
        device.handle(REQUEST_QUEUE, InMemoryChain.request(MSG_SET_DIRECTION, 0, DIRECTION_OUT));
        InMemoryChain high = InMemoryChain.request(MSG_SET_VALUE, 0, 1);
        InMemoryChain low = InMemoryChain.request(MSG_SET_VALUE, 0, 0);
        assertNoAllocation(device, high, low);
        LineHistory.Events events = device.histories().get(0).events();
        assertEquals(LineHistory.capacityFor(1) - 1, events.kinds().length, "the ring is full");
        assertEquals(LineHistory.LOW, events.kinds()[events.kinds().length - 1], "the last level set");
    }

    private static void roundTrips(GpioDevice device, InMemoryChain[] chains, int rounds) {
        for (int i = 0; i < rounds; i++) {
            for (InMemoryChain chain : chains) {
                chain.rearm();
                device.handle(REQUEST_QUEUE, chain);
                if (chain.usedLength() != 2) {
                    throw new AssertionError("not answered");
                }
            }
        }
    }
}
