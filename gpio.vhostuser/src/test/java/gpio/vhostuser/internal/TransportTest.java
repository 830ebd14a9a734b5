// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gpio.vhostuser.Endpoint;
import gpio.vhostuser.frontend.Completion;
import gpio.vhostuser.frontend.FrontendQueue;
import gpio.vhostuser.frontend.RingOptions;
import gpio.vhostuser.frontend.VhostUserFrontend;

/** The transport against the test frontend over a real Unix socket. */
class TransportTest {

    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    Path socketPath;
    EchoDevice device;
    VhostUserTransportComponent transport;
    Endpoint endpoint;

    @BeforeEach
    void open() throws IOException {
        socketPath = dir.resolve("echo.sock");
        device = new EchoDevice();
        transport = new VhostUserTransportComponent();
        endpoint = transport.open(socketPath, OWNER_ONLY, device);
    }

    @AfterEach
    void close() {
        transport.close();
    }

    static byte[] plusOne(byte[] bytes) {
        byte[] expected = bytes.clone();
        for (int i = 0; i < expected.length; i++) {
            expected[i]++;
        }
        return expected;
    }

    /** A fresh frontend on {@code socket} is served: a request round trip and a config read. */
    static void assertServes(Path socket) throws Exception {
        try (VhostUserFrontend fresh = VhostUserFrontend.connect(socket)) {
            fresh.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            FrontendQueue queue = fresh.startQueue(0, RingOptions.plain(16));
            assertArrayEquals(new byte[] {2, 3}, fresh.roundTrip(queue, new byte[] {1, 2}, 2, TIMEOUT).written(),
                    "a fresh frontend is served");
            assertEquals(EchoDevice.configByte(3), fresh.getConfig(3, 1)[0]);
        }
    }

    @Test
    void handshakeNegotiatesFeaturesAndServesConfigAtAnyOffsetAndSize() throws IOException {
        try (VhostUserFrontend frontend = VhostUserFrontend.connect(socketPath)) {
            long offered = frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            assertEquals(EchoDevice.FEATURES | VhostUserFrontend.VHOST_USER_F_PROTOCOL_FEATURES, offered);
            assertEquals(2, frontend.getQueueNum());
            assertEquals(32, frontend.getMaxMemSlots());
            Await.until("the device sees the negotiated features", () -> endpoint.negotiatedFeatures() != 0);
            assertEquals(VhostUserFrontend.VIRTIO_F_VERSION_1, device.negotiated);
            assertEquals(VhostUserFrontend.VIRTIO_F_VERSION_1, endpoint.negotiatedFeatures());
            assertTrue(endpoint.connected());
            for (int offset = 0; offset < EchoDevice.CONFIG_SIZE; offset++) {
                for (int size = 1; offset + size <= EchoDevice.CONFIG_SIZE; size++) {
                    byte[] config = frontend.getConfig(offset, size);
                    assertEquals(size, config.length);
                    for (int i = 0; i < size; i++) {
                        assertEquals(EchoDevice.configByte(offset + i), config[i]);
                    }
                }
            }
            assertEquals(0, frontend.getConfig(EchoDevice.CONFIG_SIZE - 1, 2).length, "window past the end");
            assertEquals(0, frontend.getConfig(-1, 4).length, "offset 0xffffffff");
            frontend.setStatus(0x0f);
            assertEquals(0x0f, frontend.getStatus());
        }
    }

    @Test
    void transportFeaturesTheTransportLacksAreNotOffered() throws IOException {
        long packedAndAccessPlatform = 1L << 34 | 1L << 33;
        Endpoint other = transport.open(dir.resolve("packed.sock"), OWNER_ONLY,
                new EchoDevice(EchoDevice.FEATURES | packedAndAccessPlatform | 1L << 3));
        try (VhostUserFrontend frontend = VhostUserFrontend.connect(other.socketPath())) {
            assertEquals(EchoDevice.FEATURES | 1L << 3 | VhostUserFrontend.VHOST_USER_F_PROTOCOL_FEATURES,
                    frontend.getFeatures(), "device bits pass, RING_PACKED and ACCESS_PLATFORM do not");
            frontend.setProtocolFeatures(VhostUserFrontend.PROTOCOL_F_REPLY_ACK);
            assertThrows(VhostUserFrontend.RefusedException.class,
                    () -> frontend.setFeatures(VhostUserFrontend.VIRTIO_F_VERSION_1 | 1L << 34));
        }
    }

    @Test
    void requestsRoundTripOverTheSocket() throws Exception {
        try (VhostUserFrontend frontend = VhostUserFrontend.connect(socketPath)) {
            frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(64));
            for (int i = 0; i < 200; i++) {
                byte[] request = {(byte) i, 2, 3, 4, 5};
                Completion done = frontend.roundTrip(queue, request, 5, TIMEOUT);
                assertArrayEquals(plusOne(request), done.written());
            }
        }
    }

    @Test
    void aBatchInOneKickIsAnsweredWithOneNotification() throws Exception {
        try (VhostUserFrontend frontend = VhostUserFrontend.connect(socketPath)) {
            frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(64));
            for (int i = 0; i < 16; i++) {
                queue.submit(new byte[] {(byte) i}, 1);
            }
            queue.kick();
            for (int i = 0; i < 16; i++) {
                Completion done = queue.await(TIMEOUT);
                assertEquals(1, done.written().length);
            }
            if (queue.calls() == 0) {
                queue.awaitCall(TIMEOUT);
            }
            queue.takeCall();
            assertEquals(1, queue.kicks(), "one kick for the whole batch");
            assertEquals(1, queue.calls(), "one call for the whole batch");
        }
    }

    /**
     * With ring polling, requests sent one after the other are taken while the
     * transport watches the ring: the frontend is asked not to kick for them.
     * Without it, every request needs its kick. Frontend messages are still
     * served while requests keep coming (a ring stop and start as on a VM
     * pause).
     */
    @Test
    void withRingPollingRequestsOneAfterTheOtherNeedNoKick() throws Exception {
        int roundTrips = 1000;
        try (VhostUserFrontend frontend = VhostUserFrontend.connect(socketPath)) {
            frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1 | VhostUserFrontend.VIRTIO_RING_F_EVENT_IDX);
            FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(64).withEventIdx());
            for (int i = 0; i < roundTrips; i++) {
                frontend.roundTrip(queue, new byte[] {(byte) i}, 1, TIMEOUT);
            }
            assertEquals(0, queue.suppressedKicks(), "without polling every request is kicked");

            device.ringPoll = Duration.ofMillis(1).toNanos();
            for (int i = 0; i < roundTrips; i++) {
                frontend.roundTrip(queue, new byte[] {(byte) i}, 1, TIMEOUT);
            }
            assertTrue(queue.suppressedKicks() > roundTrips / 4, "with polling, requests taken without a kick: "
                    + queue.suppressedKicks() + " of " + roundTrips);

            int base = frontend.stopQueue(0);
            frontend.resumeQueue(queue, base);
            assertArrayEquals(new byte[] {8}, frontend.roundTrip(queue, new byte[] {7}, 1, TIMEOUT).written(),
                    "served after a ring stop and start");
        }
    }

    @Test
    void aDeviceFailingAsAFrontendConnectsCostsOnlyThatFrontend() throws Exception {
        device.queueCountFailure.set(new IllegalStateException("injected device failure"));
        try (VhostUserFrontend first = VhostUserFrontend.connect(socketPath)) {
            assertTrue(first.awaitClosedByBackend(5000), "the frontend the device failed on is dropped");
        }
        try (VhostUserFrontend frontend = VhostUserFrontend.connect(socketPath)) {
            frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(16));
            assertArrayEquals(new byte[] {43}, frontend.roundTrip(queue, new byte[] {42}, 1, TIMEOUT).written(),
                    "the next frontend is served");
        }
    }

    @Test
    void aFrontendCanReconnectAfterADisconnect() throws Exception {
        for (int round = 0; round < 5; round++) {
            try (VhostUserFrontend frontend = VhostUserFrontend.connect(socketPath)) {
                frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
                FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(16));
                byte[] request = {(byte) round};
                assertArrayEquals(plusOne(request), frontend.roundTrip(queue, request, 1, TIMEOUT).written());
            }
            int expectedResets = round + 1;
            Await.until("the device is reset after disconnect", () -> device.resets.get() >= expectedResets);
            Await.until("the endpoint shows no frontend", () -> !endpoint.connected());
        }
    }

    @Test
    void heldBuffersCompleteFromAnotherThread() throws Exception {
        try (VhostUserFrontend frontend = VhostUserFrontend.connect(socketPath)) {
            frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            FrontendQueue events = frontend.startQueue(1, RingOptions.plain(8));
            for (int i = 0; i < 4; i++) {
                events.submit(new byte[0], 8);
            }
            events.kick();
            Await.until("the device holds 4 buffers", () -> device.held.size() == 4);
            assertThrows(TimeoutException.class, () -> events.await(Duration.ofMillis(50)));
            Thread firing = new Thread(() -> device.fireEvent(new byte[] {9, 8, 7}));
            firing.start();
            firing.join();
            Completion done = events.await(TIMEOUT);
            assertArrayEquals(new byte[] {9, 8, 7}, done.written());
        }
    }

    /** Three request round trips, then an eventq buffer the device holds; returns the buffer's token. */
    private int threeRequestsAndAHeldBuffer(VhostUserFrontend frontend, FrontendQueue requests, FrontendQueue events)
            throws Exception {
        for (int i = 0; i < 3; i++) {
            frontend.roundTrip(requests, new byte[] {1}, 1, TIMEOUT);
        }
        return offerEventBuffer(events);
    }

    /** Offers one eventq buffer, which the echo device holds, and waits until it does; returns its token. */
    private int offerEventBuffer(FrontendQueue events) {
        int token = events.submit(new byte[0], 8);
        events.kick();
        Await.until("the device holds the event buffer", () -> device.held.size() == 1);
        return token;
    }

    /**
     * vhost-user: GET_VRING_BASE stops the ring and returns the next available
     * index; QEMU sends it whenever the VM stops running and starts the ring again
     * with that index on resume. The guest's driver knows nothing of it, so it is
     * not a reset: held buffers survive it, and what the device completes while the
     * ring is stopped reaches the driver after the resume.
     */
    @Test
    void getVringBaseStopsTheRingWithoutResettingTheDevice() throws Exception {
        try (VhostUserFrontend frontend = VhostUserFrontend.connect(socketPath)) {
            frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            FrontendQueue requests = frontend.startQueue(0, RingOptions.plain(16));
            FrontendQueue events = frontend.startQueue(1, RingOptions.plain(8));
            int held = threeRequestsAndAHeldBuffer(frontend, requests, events);

            assertEquals(3, frontend.stopQueue(0));
            assertEquals(1, frontend.stopQueue(1));
            assertEquals(0, device.resets.get(), "a stop is not a reset");
            int sentWhileStopped = requests.submit(new byte[] {7}, 1);
            requests.kick();
            assertThrows(TimeoutException.class, () -> requests.await(Duration.ofMillis(100)),
                    "a stopped ring is not processed");
            device.held.poll().complete(0);
            assertThrows(TimeoutException.class, () -> events.await(Duration.ofMillis(10)),
                    "nothing is written into a stopped ring");

            frontend.resumeQueue(requests, 3);
            frontend.resumeQueue(events, 1);
            assertEquals(held, events.await(TIMEOUT).token(), "the completion made while stopped, after the resume");
            Completion answer = requests.await(TIMEOUT);
            assertEquals(sentWhileStopped, answer.token(), "the request made while stopped, after the resume");
            assertArrayEquals(new byte[] {8}, answer.written());
            assertEquals(0, device.resets.get());
        }
    }

    /**
     * A ring that starts again on new rings from index 0 belongs to a driver that
     * started over (a guest reboot): the device is reset and what it held is void.
     */
    @Test
    void aRingRestartedByANewDriverResetsTheDeviceAndVoidsHeldChains() throws Exception {
        try (VhostUserFrontend frontend = VhostUserFrontend.connect(socketPath)) {
            frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            FrontendQueue requests = frontend.startQueue(0, RingOptions.plain(16));
            FrontendQueue events = frontend.startQueue(1, RingOptions.plain(8));
            frontend.roundTrip(requests, new byte[] {1}, 1, TIMEOUT);
            offerEventBuffer(events);
            var stale = device.held.poll();
            frontend.stopQueue(0);
            frontend.stopQueue(1);

            FrontendQueue newRequests = frontend.startQueue(0, RingOptions.plain(16));
            FrontendQueue newEvents = frontend.startQueue(1, RingOptions.plain(8));
            assertEquals(1, device.resets.get(), "the device is reset once for the new driver");
            stale.complete(0);
            assertThrows(TimeoutException.class, () -> newEvents.await(Duration.ofMillis(10)),
                    "a chain of the old driver completes nothing");
            assertArrayEquals(new byte[] {3}, frontend.roundTrip(newRequests, new byte[] {2}, 1, TIMEOUT).written());
        }
    }

    /**
     * The backend restarts under a frontend that reconnects (QEMU 7.2 with
     * {@code reconnect=1}): the old device is told where each ring was left before
     * it is reset, the new one where each ring starts; for the guest's unchanged
     * rings they are the same place, and the buffer the old device held is
     * offered to the new one.
     */
    @Test
    void aDeviceIsToldWhereARingWasLeftAndWhereItStartsAfterAReconnect() throws Exception {
        VhostUserFrontend frontend = VhostUserFrontend.connect(socketPath);
        try {
            frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            FrontendQueue requests = frontend.startQueue(0, RingOptions.plain(16));
            FrontendQueue events = frontend.startQueue(1, RingOptions.plain(8));
            int held = threeRequestsAndAHeldBuffer(frontend, requests, events);
            transport.close();
            EchoDevice oldDevice = device;
            Await.until("the old device is reset", () -> oldDevice.resets.get() == 1);
            String[] leftOld = oldDevice.ringEvents.toArray(String[]::new);
            assertEquals(4, leftOld.length, Arrays.toString(leftOld));
            assertTrue(leftOld[2].matches("closed 0 RingPosition\\[size=16, .*nextAvailable=3, used=3\\]"), leftOld[2]);
            assertTrue(leftOld[3].matches("closed 1 RingPosition\\[size=8, .*nextAvailable=1, used=0\\]"), leftOld[3]);

            open();
            frontend = frontend.reconnect(socketPath, VhostUserFrontend.VIRTIO_F_VERSION_1);
            Await.until("the new device holds the buffer offered again", () -> device.held.size() == 1);
            String[] startedNew = device.ringEvents.toArray(String[]::new);
            assertEquals(leftOld[2].replace("closed", "started"), startedNew[0], "requestq");
            assertEquals(leftOld[3].replace("closed", "started").replace("nextAvailable=1", "nextAvailable=0"),
                    startedNew[1], "eventq: the held buffer is offered again");
            device.fireEvent(new byte[] {5});
            assertEquals(held, events.await(TIMEOUT).token());
            assertArrayEquals(new byte[] {5}, frontend.roundTrip(requests, new byte[] {4}, 1, TIMEOUT).written());
        } finally {
            frontend.close();
        }
    }

    /** virtio: writing 0 to the device status resets the device (VHOST_USER_PROTOCOL_F_STATUS). */
    @Test
    void aStatusOfZeroResetsTheDevice() throws Exception {
        try (VhostUserFrontend frontend = VhostUserFrontend.connect(socketPath)) {
            frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            frontend.startQueue(0, RingOptions.plain(16));
            FrontendQueue events = frontend.startQueue(1, RingOptions.plain(8));
            frontend.setStatus(0x0f);
            offerEventBuffer(events);
            assertEquals(0, device.resets.get());
            var stale = device.held.peek();
            frontend.setStatus(0);
            assertEquals(1, device.resets.get(), "status 0 is a reset");
            stale.complete(0);
            assertThrows(TimeoutException.class, () -> events.await(Duration.ofMillis(10)),
                    "a chain from before the reset completes nothing");
            FrontendQueue requests = frontend.startQueue(0, RingOptions.plain(16));
            assertArrayEquals(new byte[] {5}, frontend.roundTrip(requests, new byte[] {4}, 1, TIMEOUT).written());
        }
    }

    /**
     * QEMU's device_del and device_add on the same chardev: the new device
     * repeats the whole setup on the open connection (SET_OWNER again, the
     * regions again with ADD_MEM_REG, new rings), as a driver that starts over.
     */
    @Test
    void aDeviceSetUpAgainOnTheSameConnectionIsServed() throws Exception {
        try (VhostUserFrontend frontend = VhostUserFrontend.connect(socketPath)) {
            frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            frontend.addMemoryRegion(frontend.memory());
            FrontendQueue requests = frontend.startQueue(0, RingOptions.plain(16));
            FrontendQueue events = frontend.startQueue(1, RingOptions.plain(8));
            frontend.roundTrip(requests, new byte[] {1}, 1, TIMEOUT);
            offerEventBuffer(events);
            frontend.stopQueue(0);
            frontend.stopQueue(1);

            frontend.setOwner();
            frontend.setFeatures(
                    VhostUserFrontend.VIRTIO_F_VERSION_1 | VhostUserFrontend.VHOST_USER_F_PROTOCOL_FEATURES);
            frontend.addMemoryRegion(frontend.memory());
            FrontendQueue again = frontend.startQueue(0, RingOptions.plain(16));
            frontend.startQueue(1, RingOptions.plain(8));

            assertEquals(1, device.resets.get(), "the new device is a driver that starts over");
            assertArrayEquals(new byte[] {10}, frontend.roundTrip(again, new byte[] {9}, 1, TIMEOUT).written());
        }
    }

    @Test
    void aMisbehavingFrontendDoesNotDisturbAnotherEndpoint() throws Exception {
        EchoDevice otherDevice = new EchoDevice();
        Endpoint other = transport.open(dir.resolve("other.sock"), OWNER_ONLY, otherDevice);
        try (VhostUserFrontend good = VhostUserFrontend.connect(other.socketPath())) {
            good.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            FrontendQueue queue = good.startQueue(0, RingOptions.plain(16));
            for (int i = 0; i < 50; i++) {
                try (VhostUserFrontend bad = VhostUserFrontend.connect(socketPath)) {
                    bad.send(VhostUserFrontend.GET_FEATURES, 3, new byte[] {1, 2, 3});
                    assertTrue(bad.awaitClosedByBackend(5000), "the bad frontend is dropped");
                }
                byte[] request = {(byte) i};
                assertArrayEquals(plusOne(request), good.roundTrip(queue, request, 1, TIMEOUT).written());
            }
        }
        assertEquals(0, device.handled.get());
        assertEquals(50, otherDevice.handled.get());
    }

    @Test
    void closeReturnsEvenWhenTheFrontendStopsReadingReplies() throws Exception {
        VhostUserEndpoint backend = (VhostUserEndpoint) endpoint;
        VhostUserFrontend stubborn = VhostUserFrontend.connect(socketPath);
        try {
            Thread flood = new Thread(() -> {
                try {
                    while (true) {
                        stubborn.send(VhostUserFrontend.GET_FEATURES, VhostUserFrontend.FLAG_VERSION_1, new byte[0]);
                    }
                } catch (IOException e) {
                    // The backend shut the connection down.
                }
            });
            flood.start();
            Await.until("the endpoint thread blocks writing replies nobody reads", () -> Arrays
                    .stream(backend.thread().getStackTrace()).anyMatch(f -> f.getMethodName().contains("write")
                            && f.getClassName().startsWith("org.newsclub")));
            long start = System.nanoTime();
            endpoint.close();
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos(), "close returned promptly");
            assertFalse(backend.thread().isAlive());
            flood.join(TIMEOUT.toMillis());
            assertFalse(flood.isAlive(), "the frontend sees the connection shut down");
        } finally {
            stubborn.close();
        }
    }

    @Test
    void theSocketFileIsCreatedWithTheRequestedMode() throws IOException {
        assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(socketPath));
        assertEquals(Set.of(socketPath.getFileName().toString()),
                Set.of(Files.list(dir).map(p -> p.getFileName().toString()).toArray(String[]::new)),
                "no staging directory left behind");
    }

    @Test
    void aStaleSocketIsReplacedButALiveOneOrAFileIsNot() throws IOException {
        endpoint.close();
        assertFalse(Files.exists(socketPath), "close removes the socket file");
        // A stale socket file: bound, then its listener closed without removing it.
        var stale = org.newsclub.net.unix.AFUNIXServerSocket.newInstance();
        stale.setDeleteOnClose(false);
        stale.bind(org.newsclub.net.unix.AFUNIXSocketAddress.of(socketPath));
        stale.close();
        assertTrue(Files.exists(socketPath));
        endpoint = transport.open(socketPath, OWNER_ONLY, device);
        IOException live = assertThrows(IOException.class, () -> transport.open(socketPath, OWNER_ONLY, device));
        assertTrue(live.getMessage().contains("listening"), live.getMessage());
        Path file = dir.resolve("file");
        Files.writeString(file, "x");
        IOException notSocket = assertThrows(IOException.class, () -> transport.open(file, OWNER_ONLY, device));
        assertTrue(notSocket.getMessage().contains("not a socket"), notSocket.getMessage());
        IOException noParent = assertThrows(IOException.class,
                () -> transport.open(dir.resolve("missing/x.sock"), OWNER_ONLY, device));
        assertTrue(noParent.getMessage().contains("parent directory"), noParent.getMessage());
    }

    @Test
    void aPathTooLongForASocketIsRefusedClearly() throws IOException {
        int fits = 107 - ".vu12345678/s".length();
        Path longest = dir.resolve("l".repeat(fits - dir.toString().length() - 1));
        assertEquals(fits, longest.toString().length());
        transport.open(longest, OWNER_ONLY, new EchoDevice()).close();
        Path tooLong = dir.resolve("l".repeat(fits - dir.toString().length()));
        IOException refused = assertThrows(IOException.class, () -> transport.open(tooLong, OWNER_ONLY, device));
        assertTrue(refused.getMessage().contains("at most 94"), refused.getMessage());
    }

    @Test
    void anEndpointMovesToANewPathAndKeepsItsFrontend() throws Exception {
        Path moved = dir.resolve("moved.sock");
        try (VhostUserFrontend before = VhostUserFrontend.connect(socketPath)) {
            before.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            FrontendQueue queue = before.startQueue(0, RingOptions.plain(16));
            endpoint.moveTo(moved, PosixFilePermissions.fromString("rw-rw----"));
            assertEquals(moved, endpoint.socketPath());
            assertFalse(Files.exists(socketPath));
            assertEquals(PosixFilePermissions.fromString("rw-rw----"), Files.getPosixFilePermissions(moved));
            assertArrayEquals(new byte[] {5}, before.roundTrip(queue, new byte[] {4}, 1, TIMEOUT).written(),
                    "the connected frontend stays connected");
            try (VhostUserFrontend second = VhostUserFrontend.connect(moved)) {
                assertTrue(second.awaitClosedByBackend(2000), "a second frontend on the new path is refused");
            }
        }
        try (VhostUserFrontend after = VhostUserFrontend.connect(moved)) {
            after.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);
            FrontendQueue queue = after.startQueue(0, RingOptions.plain(16));
            assertArrayEquals(new byte[] {2}, after.roundTrip(queue, new byte[] {1}, 1, TIMEOUT).written());
        }
        assertThrows(IOException.class, () -> VhostUserFrontend.connect(socketPath), "nobody at the old path");
    }
}
