// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import static gpio.vhostuser.frontend.VhostUserFrontend.VIRTIO_F_VERSION_1;
import static gpio.vhostuser.frontend.VhostUserFrontend.VIRTIO_RING_F_EVENT_IDX;
import static gpio.vhostuser.frontend.VhostUserFrontend.VIRTIO_RING_F_INDIRECT_DESC;
import static gpio.vhostuser.internal.TransportTest.OWNER_ONLY;
import static gpio.vhostuser.internal.TransportTest.TIMEOUT;
import static gpio.vhostuser.internal.TransportTest.plusOne;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gpio.vhostuser.frontend.Completion;
import gpio.vhostuser.frontend.FrontendMemory;
import gpio.vhostuser.frontend.FrontendQueue;
import gpio.vhostuser.frontend.RingOptions;
import gpio.vhostuser.frontend.VhostUserFrontend;
import gpio.vhostuser.frontend.VhostUserFrontend.RefusedException;

/** Ring layouts, notification suppression, ring states and the rest of the message set. */
class RingTest {

    @TempDir
    Path dir;
    EchoDevice device;
    VhostUserTransportComponent transport;
    VhostUserFrontend frontend;

    @BeforeEach
    void open() throws IOException {
        device = new EchoDevice();
        transport = new VhostUserTransportComponent();
        Path socket = dir.resolve("ring.sock");
        transport.open(socket, OWNER_ONLY, device);
        frontend = VhostUserFrontend.connect(socket);
    }

    @AfterEach
    void close() {
        frontend.close();
        transport.close();
    }

    private void roundTrips(FrontendQueue queue, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            byte[] request = new byte[1 + i % 37];
            for (int j = 0; j < request.length; j++) {
                request[j] = (byte) (i + j);
            }
            Completion done = frontend.roundTrip(queue, request, request.length + i % 3, TIMEOUT);
            assertArrayEquals(plusOne(request), done.written());
        }
    }

    /** Collects {@code count} completions by looking at the used ring only, never at the call fd. */
    private static List<Completion> collectWithoutCalls(FrontendQueue queue, int count) {
        List<Completion> done = new ArrayList<>();
        Await.until(count + " used buffers", () -> {
            Completion next = queue.poll();
            if (next != null) {
                done.add(next);
            }
            return done.size() == count;
        });
        return done;
    }

    @Test
    void requestsSplitOverSeveralDescriptors() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        roundTrips(frontend.startQueue(0, RingOptions.plain(32).withSegments(5)), 100);
    }

    @Test
    void indirectTables() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1 | VIRTIO_RING_F_INDIRECT_DESC);
        roundTrips(frontend.startQueue(0, RingOptions.plain(16).withIndirect().withSegments(3)), 100);
    }

    /**
     * An indirect table may run from one region into the next when the two are
     * adjacent in guest memory (DIMMs plugged side by side): the chain is served
     * as if the table were in one piece.
     */
    @Test
    void anIndirectTableAcrossTwoAdjacentRegionsIsFollowed() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1 | VIRTIO_RING_F_INDIRECT_DESC);
        FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(16));
        FrontendMemory first = frontend.memory();
        try (FrontendMemory second = new FrontendMemory(1 << 16, first.guestBase() + first.size())) {
            frontend.addMemoryRegion(second);
            long table = second.guestBase() - VirtQueue.DESCRIPTOR_SIZE; // entry 0 in the first, 1 in the second
            long request = first.allocate(3, 8);
            first.view(request, 3).put(new byte[] {7, 8, 9});
            first.view(table, 16).putLong(0, request).putInt(8, 3).putShort(12, (short) VirtQueue.DESC_F_NEXT)
                    .putShort(14, (short) 1);
            second.view(second.guestBase(), 16).putLong(0, queue.slotAddress(0)).putInt(8, 3)
                    .putShort(12, (short) VirtQueue.DESC_F_WRITE);
            queue.writeDescriptor(0, table, 2 * VirtQueue.DESCRIPTOR_SIZE, VirtQueue.DESC_F_INDIRECT, 0);
            queue.publishRaw(0);
            queue.kick();
            assertArrayEquals(new byte[] {8, 9, 10}, queue.await(TIMEOUT).written());
        }
    }

    @Test
    void anIndirectTableWithoutTheFeatureIsReturnedEmpty() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(16).withIndirect());
        Completion refused = frontend.roundTrip(queue, new byte[] {1}, 1, TIMEOUT);
        assertEquals(0, refused.written().length);
        assertEquals(0, device.handled.get(), "the device never saw it");
    }

    @Test
    void theRingWrapsAroundItsSizeAndTheSixteenBitIndexes() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        // Two descriptors per request: a ring of 8 holds a batch of 4.
        FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(8));
        int batches = 70_000 / 4;
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < 4; i++) {
                queue.submit(new byte[] {(byte) (b + i)}, 1);
            }
            queue.kick();
            for (int i = 0; i < 4; i++) {
                assertEquals(1, queue.await(TIMEOUT).written().length);
            }
        }
        assertEquals(batches * 4 & 0xffff, queue.availIndex());
        assertEquals(8, queue.freeDescriptors(), "every descriptor came back");
        assertEquals(batches * 4L, device.handled.get());
    }

    @Test
    void eventIdxSuppressesKicksAndCallsBothWays() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1 | VIRTIO_RING_F_EVENT_IDX);
        FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(64).withEventIdx());
        roundTrips(queue, 50);
        assertEquals(queue.availIndex(), queue.availEvent(), "the backend asks for a kick on the next buffer");

        // Calls: with used_event 8 ahead, 4 used buffers bring no call, then 4 more bring one.
        queue.takeCall();
        queue.setUsedEvent(queue.lastUsedIndex() + 7);
        for (int i = 0; i < 4; i++) {
            queue.submit(new byte[] {1}, 1);
        }
        queue.kick();
        collectWithoutCalls(queue, 4);
        assertFalse(queue.takeCall(), "no call before used_event is passed");
        for (int i = 0; i < 4; i++) {
            queue.submit(new byte[] {1}, 1);
        }
        queue.kick();
        collectWithoutCalls(queue, 4);
        Await.until("a call once used_event is passed", queue::takeCall);

        // Kicks: while the backend has not caught up (its ring disabled here), a second kick is not wanted.
        frontend.vringState(VhostUserFrontend.SET_VRING_ENABLE, 0, 0);
        long suppressedBefore = queue.suppressedKicks();
        queue.submit(new byte[] {1}, 1);
        assertTrue(queue.kick(), "the first new buffer is kicked");
        queue.submit(new byte[] {2}, 1);
        assertFalse(queue.kick(), "the second is not: avail_event has not moved");
        assertEquals(suppressedBefore + 1, queue.suppressedKicks());
        frontend.vringState(VhostUserFrontend.SET_VRING_ENABLE, 0, 1);
        assertArrayEquals(new byte[] {2}, queue.await(TIMEOUT).written());
        assertArrayEquals(new byte[] {3}, queue.await(TIMEOUT).written());
    }

    @Test
    void noInterruptSuppressesCallsWithoutEventIdx() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(16));
        queue.suppressCalls(true);
        queue.submit(new byte[] {1}, 1);
        queue.kick();
        collectWithoutCalls(queue, 1);
        assertFalse(queue.takeCall(), "VRING_AVAIL_F_NO_INTERRUPT honoured");
        queue.suppressCalls(false);
        roundTrips(queue, 100);
        assertEquals(0, queue.suppressedKicks(), "VRING_USED_F_NO_NOTIFY is cleared once the ring is drained");
    }

    @Test
    void aDisabledRingWaitsUntilEnabled() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(16));
        frontend.vringState(VhostUserFrontend.SET_VRING_ENABLE, 0, 0);
        queue.submit(new byte[] {5}, 1);
        queue.kick();
        assertThrows(TimeoutException.class, () -> queue.await(Duration.ofMillis(100)));
        assertEquals(0, device.handled.get());
        frontend.vringState(VhostUserFrontend.SET_VRING_ENABLE, 0, 1);
        assertArrayEquals(new byte[] {6}, queue.await(TIMEOUT).written());
    }

    @Test
    void aRingWithoutKickFdIsPolled() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(16));
        frontend.setVringFd(VhostUserFrontend.SET_VRING_KICK, 0, -1);
        queue.submit(new byte[] {7}, 1);
        assertArrayEquals(new byte[] {8}, queue.await(TIMEOUT).written(), "served without a kick");
    }

    @Test
    void replyAckReportsAFailureAndTheConnectionGoesOn() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        assertThrows(RefusedException.class, () -> frontend.vringState(VhostUserFrontend.SET_VRING_NUM, 0, 3));
        assertThrows(RefusedException.class, () -> frontend.vringState(VhostUserFrontend.SET_VRING_NUM, 9, 16));
        assertThrows(RefusedException.class, () -> frontend.setStatus(0x100));
        assertThrows(RefusedException.class, () -> frontend.sendChecked(VhostUserFrontend.SET_CONFIG,
                new byte[] {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9}));
        assertThrows(RefusedException.class, () -> frontend.sendChecked(99, new byte[0]));
        roundTrips(frontend.startQueue(0, RingOptions.plain(16)), 3);
    }

    @Test
    void memoryRegionsAreAddedAndRemoved() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        try (FrontendMemory extra = new FrontendMemory(1 << 20, 0x1_0000_0000L);
                FrontendMemory overlapping = new FrontendMemory(1 << 20, FrontendMemory.DEFAULT_GUEST_BASE)) {
            frontend.addMemoryRegion(extra);
            assertThrows(RefusedException.class, () -> frontend.addMemoryRegion(overlapping));
            frontend.removeMemoryRegion(extra);
            assertThrows(RefusedException.class, () -> frontend.removeMemoryRegion(extra));
        }
        roundTrips(frontend.startQueue(0, RingOptions.plain(16)), 3);
    }

    @Test
    void aBufferMaySpanTwoAdjacentRegions() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        FrontendMemory first = frontend.memory();
        try (FrontendMemory second = new FrontendMemory(1 << 20, first.guestBase() + first.size())) {
            frontend.addMemoryRegion(second);
            FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(16));
            long boundary = second.guestBase();
            byte[] request = {10, 11, 12, 13, 14, 15, 16, 17};
            first.view(boundary - 4, 4).put(0, request, 0, 4);
            second.view(boundary, 4).put(0, request, 4, 4);
            queue.writeDescriptor(0, boundary - 4, 8, 1, 1);
            queue.writeDescriptor(1, boundary + 64 - 3, 8, 2, 0);
            queue.publishRaw(0);
            queue.kick();
            Completion done = queue.await(TIMEOUT);
            assertEquals(8, done.written().length, "used length");
            byte[] written = new byte[8];
            second.view(boundary + 64 - 3, 8).get(0, written);
            assertArrayEquals(plusOne(request), written, "read across the boundary, written inside the second region");
            // And a writable part that crosses the boundary the other way.
            queue.writeDescriptor(2, boundary - 4, 8, 1, 3);
            queue.writeDescriptor(3, boundary - 2, 8, 2, 0);
            byte[] before = new byte[8];
            first.view(boundary - 4, 4).get(0, before, 0, 4);
            second.view(boundary, 4).get(0, before, 4, 4);
            queue.publishRaw(2);
            queue.kick();
            queue.await(TIMEOUT);
            byte[] after = new byte[8];
            first.view(boundary - 2, 2).get(0, after, 0, 2);
            second.view(boundary, 6).get(0, after, 2, 6);
            assertArrayEquals(plusOne(before), after);
        }
    }

    @Test
    void resetDeviceStopsTheRingsUntilTheyAreSetUpAgain() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(16));
        roundTrips(queue, 2);
        frontend.resetDevice();
        assertEquals(1, device.resets.get());
        queue.submit(new byte[] {1}, 1);
        queue.kick();
        assertThrows(TimeoutException.class, () -> queue.await(Duration.ofMillis(100)));
        frontend.setFeatures(VIRTIO_F_VERSION_1 | VhostUserFrontend.VHOST_USER_F_PROTOCOL_FEATURES);
        roundTrips(frontend.startQueue(0, RingOptions.plain(16)), 2);
        assertTrue(device.handled.get() >= 4);
    }
}
