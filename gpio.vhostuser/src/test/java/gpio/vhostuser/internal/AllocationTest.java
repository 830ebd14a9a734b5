// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import static gpio.vhostuser.internal.TransportTest.OWNER_ONLY;
import static gpio.vhostuser.internal.TransportTest.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gpio.vhostuser.frontend.FrontendQueue;
import gpio.vhostuser.frontend.RingOptions;
import gpio.vhostuser.frontend.VhostUserFrontend;

/**
 * Once warm, the endpoint thread allocates nothing per request: kick, poll,
 * parsing the available ring, the chain's read and write, completion, used
 * ring and call. Measured with the thread's allocated-bytes counter.
 */
class AllocationTest {

    private static final int WARM_UP = 30_000;
    private static final int MEASURED = 100_000;
    /** Slack for rare one-off allocations (a JIT deoptimisation, a first-time code path). */
    private static final long TOLERANCE_BYTES = 16 * 1024;

    @TempDir
    Path dir;

    @Test
    void theRequestPathAllocatesNothingOnceWarm() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        EchoDevice device = new EchoDevice();
        VhostUserTransportComponent transport = new VhostUserTransportComponent();
        try {
            VhostUserEndpoint endpoint =
                    (VhostUserEndpoint) transport.open(dir.resolve("alloc.sock"), OWNER_ONLY, device);
            long backend = endpoint.thread().getId();
            try (VhostUserFrontend frontend = VhostUserFrontend.connect(endpoint.socketPath())) {
                frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1 | VhostUserFrontend.VIRTIO_RING_F_EVENT_IDX);
                FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(64).withEventIdx());
                byte[] request = {1, 2, 3, 4, 5, 6, 7, 8};
                run(queue, request, WARM_UP);
                long before = threads.getThreadAllocatedBytes(backend);
                run(queue, request, MEASURED);
                long allocated = threads.getThreadAllocatedBytes(backend) - before;
                assertEquals(WARM_UP + MEASURED, device.handled.get());
                assertTrue(allocated < TOLERANCE_BYTES, "the endpoint thread allocated " + allocated + " bytes over "
                        + MEASURED + " requests");
            }
        } finally {
            transport.close();
        }
    }

    /** {@code count} requests, 8 in flight, each completed by the echo device. */
    private static void run(FrontendQueue queue, byte[] request, int count) throws Exception {
        int inFlight = 0;
        int submitted = 0;
        int completed = 0;
        while (completed < count) {
            while (inFlight < 8 && submitted < count) {
                queue.submit(request, 2);
                submitted++;
                inFlight++;
            }
            queue.kick();
            queue.awaitToken(TIMEOUT);
            completed++;
            inFlight--;
        }
    }
}
