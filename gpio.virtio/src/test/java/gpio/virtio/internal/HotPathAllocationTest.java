// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

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
    private static final class QuietController implements GpioController {
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

    @Test
    void requestsAllocateNothing() {
        GpioDevice device = new GpioDevice(new DeviceOptions(null, Map.of(), "vm", true, Duration.ofSeconds(5)),
                Runnable::run, new DeviceLog("alloc"));
        device.setController(new QuietController());
        InMemoryChain out = InMemoryChain.request(MSG_SET_DIRECTION, 0, DIRECTION_OUT);
        device.handle(REQUEST_QUEUE, out);
        InMemoryChain set = InMemoryChain.request(MSG_SET_VALUE, 0, 1);
        InMemoryChain get = InMemoryChain.request(MSG_GET_VALUE, 0, 0);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
                .getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int rounds = 200_000;
        roundTrips(device, set, get, rounds); // warm up, let the JIT settle
        long before = threads.getThreadAllocatedBytes(thread);
        roundTrips(device, set, get, rounds);
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertEquals(1, get.written(1), "the value set is read back");
        assertTrue(allocated < rounds / 10, allocated + " bytes allocated over " + (2 * rounds) + " requests");
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
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
                .getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int rounds = 200_000;
        roundTrips(device, high, low, rounds);
        long before = threads.getThreadAllocatedBytes(thread);
        roundTrips(device, high, low, rounds);
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        LineHistory.Events events = device.histories().get(0).events();
        assertEquals(LineHistory.capacityFor(1) - 1, events.kinds().length, "the ring is full");
        assertEquals(LineHistory.LOW, events.kinds()[events.kinds().length - 1], "the last level set");
        assertTrue(allocated < rounds / 10, allocated + " bytes allocated over " + (2 * rounds) + " requests");
    }

    private static void roundTrips(GpioDevice device, InMemoryChain set, InMemoryChain get, int rounds) {
        for (int i = 0; i < rounds; i++) {
            set.rearm();
            device.handle(REQUEST_QUEUE, set);
            get.rearm();
            device.handle(REQUEST_QUEUE, get);
            if (get.usedLength() != 2) {
                throw new AssertionError("not answered");
            }
        }
    }
}
