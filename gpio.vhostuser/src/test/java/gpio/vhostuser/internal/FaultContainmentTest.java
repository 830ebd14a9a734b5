// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import static gpio.vhostuser.frontend.VhostUserFrontend.VIRTIO_F_VERSION_1;
import static gpio.vhostuser.internal.TransportTest.OWNER_ONLY;
import static gpio.vhostuser.internal.TransportTest.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.jna.LastErrorException;

import gpio.vhostuser.frontend.FrontendMemory;
import gpio.vhostuser.frontend.FrontendQueue;
import gpio.vhostuser.frontend.RingOptions;
import gpio.vhostuser.frontend.VhostUserFrontend;

/**
 * No frontend and no device can silence an endpoint: a frontend whose memory
 * faults, a second frontend, a device failing with an Error as a frontend
 * connects, a device holding the endpoint thread past close, a socket closed by
 * someone else in the process. Each through the
 * real socket with the test frontend; after each, the endpoint thread is alive
 * (where it should be), nothing leaked, and the next frontend is served.
 */
class FaultContainmentTest {

    private static final int EPERM = 1;
    private static final int DESC_F_NEXT = 1;
    private static final int DESC_F_WRITE = 2;

    @TempDir
    Path dir;
    Path socketPath;
    EchoDevice device;
    VhostUserTransportComponent transport;
    VhostUserEndpoint endpoint;
    LogCapture log;

    @BeforeEach
    void open() throws IOException {
        log = new LogCapture();
        socketPath = dir.resolve("fault.sock");
        device = new EchoDevice();
        transport = new VhostUserTransportComponent();
        endpoint = (VhostUserEndpoint) transport.open(socketPath, OWNER_ONLY, device);
    }

    @AfterEach
    void close() {
        transport.close();
        log.close();
    }

    @Test
    void aFrontendThatShrinksItsMemoryIsDroppedAndTheNextOneIsServed() throws Exception {
        try (VhostUserFrontend shrinking = VhostUserFrontend.connect(socketPath)) {
            shrinking.negotiate(VIRTIO_F_VERSION_1);
            FrontendQueue queue = shrinking.startQueue(0, RingOptions.plain(16));
            assertArrayEquals(new byte[] {8}, shrinking.roundTrip(queue, new byte[] {7}, 1, TIMEOUT).written());
            log.awaitLogged("is not sealed against shrinking");
            // Every page of the shared memory is gone now, rings included, for the backend's mapping too.
            shrinking.memory().truncate(0);
            queue.kickBlindly();
            assertTrue(shrinking.awaitClosedByBackend(5000), "the frontend whose memory faulted is dropped");
        }
        log.awaitLogged("failed; it is dropped (an InternalError here is how the JVM reports a fault on guest memory");
        assertTrue(endpoint.thread().isAlive(), "the endpoint thread lives on");
        Await.until("the endpoint shows no frontend", () -> !endpoint.connected());
        TransportTest.assertServes(socketPath);
        TransportTest.assertServes(socketPath);
        assertEquals(3, log.count("is not sealed against shrinking"), "said once for each of the three connections");
    }

    @Test
    void aFrontendSocketClosedBehindTheTransportsBackIsDroppedAndTheNextOneIsServed() throws Exception {
        try (VhostUserFrontend orphaned = VhostUserFrontend.connect(socketPath)) {
            orphaned.negotiate(VIRTIO_F_VERSION_1);
            Await.until("the endpoint serves the frontend", endpoint::connected);
            // As a bug elsewhere in the gateway's process would: epoll forgets the closed socket silently.
            LibC.closeQuietly(endpoint.frontendSocketFd());
            TransportTest.assertServes(socketPath);
        }
        log.awaitLogged("was closed by something else in this process; dropping the frontend");
        assertTrue(endpoint.thread().isAlive(), "the endpoint thread lives on");
    }

    @Test
    void aFrontendThatShrinksItsMemoryUnderABufferIsDroppedAndTheNextOneIsServed() throws Exception {
        try (VhostUserFrontend shrinking = VhostUserFrontend.connect(socketPath)) {
            shrinking.negotiate(VIRTIO_F_VERSION_1);
            FrontendQueue queue = shrinking.startQueue(0, RingOptions.plain(16));
            FrontendMemory memory = shrinking.memory();
            // A request whose buffers lie past the first MiB, its rings (allocated first) before it.
            long far = memory.allocate(16, 1 << 21);
            queue.writeDescriptor(0, far, 4, DESC_F_NEXT, 1);
            queue.writeDescriptor(1, far + 8, 4, DESC_F_WRITE, 0);
            memory.truncate(1 << 20);
            queue.publishRaw(0);
            queue.kick();
            assertTrue(shrinking.awaitClosedByBackend(5000), "the frontend whose buffer faulted is dropped");
        }
        log.awaitLogged("failed; it is dropped (an InternalError here is how the JVM reports a fault on guest memory");
        assertTrue(endpoint.thread().isAlive(), "the endpoint thread lives on");
        TransportTest.assertServes(socketPath);
    }

    @Test
    void memorySealedAgainstShrinkingIsReportedAndCannotBeShrunk() throws Exception {
        FrontendMemory sealed = new FrontendMemory(VhostUserFrontend.DEFAULT_MEMORY_SIZE);
        sealed.sealAgainstShrinking();
        try (VhostUserFrontend frontend = VhostUserFrontend.connect(socketPath)) {
            frontend.negotiate(VIRTIO_F_VERSION_1, sealed);
            FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(16));
            LastErrorException refused = assertThrows(LastErrorException.class, () -> sealed.truncate(0));
            assertEquals(EPERM, refused.getErrorCode());
            assertArrayEquals(new byte[] {8}, frontend.roundTrip(queue, new byte[] {7}, 1, TIMEOUT).written());
        }
        log.awaitLogged("guest memory is sealed against shrinking (F_SEAL_SHRINK)");
        assertEquals(0, log.count("not sealed"));
    }

    @Test
    void aSecondFrontendIsClosedAtOnceWhileTheFirstKeepsBeingServed() throws Exception {
        try (VhostUserFrontend first = VhostUserFrontend.connect(socketPath)) {
            first.negotiate(VIRTIO_F_VERSION_1);
            FrontendQueue queue = first.startQueue(0, RingOptions.plain(16));
            assertArrayEquals(new byte[] {2}, first.roundTrip(queue, new byte[] {1}, 1, TIMEOUT).written());
            for (int i = 0; i < 3; i++) {
                try (VhostUserFrontend second = VhostUserFrontend.connect(socketPath)) {
                    assertTrue(second.awaitClosedByBackend(2000), "the second frontend is closed at once");
                }
                byte[] request = {(byte) i};
                assertArrayEquals(TransportTest.plusOne(request), first.roundTrip(queue, request, 1, TIMEOUT)
                        .written(), "the first frontend is still served");
            }
            log.awaitLogged("a second frontend connected to " + socketPath + " while one is served");
            assertEquals(EchoDevice.configByte(0), first.getConfig(0, 1)[0]);
        }
        TransportTest.assertServes(socketPath);
    }

    @Test
    void anErrorWhileSettingUpAConnectionCostsThatFrontendOnlyAndLeaksNothing() throws Exception {
        int before = OpenFds.count();
        device.queueCountFailure.set(new InternalError("injected failure while a frontend connects"));
        try (VhostUserFrontend first = VhostUserFrontend.connect(socketPath)) {
            assertTrue(first.awaitClosedByBackend(5000), "the frontend the device failed on is dropped");
        }
        Await.until("every fd of the dropped connection is closed", () -> OpenFds.count() <= before);
        assertTrue(endpoint.thread().isAlive(), "the endpoint thread lives on");
        log.awaitLogged("setting up a frontend connection on " + socketPath + " failed; it is dropped");
        TransportTest.assertServes(socketPath);
    }

    @Test
    void aThreadHeldByTheDevicePastCloseClosesItsWakeFdWhenItGetsOut() throws Exception {
        EchoDevice holding = new EchoDevice();
        CountDownLatch release = new CountDownLatch(1);
        holding.handleGate = release;
        int before = OpenFds.count();
        VhostUserEndpoint held = VhostUserEndpoint.open(dir.resolve("held.sock"), OWNER_ONLY, holding, closed -> {
        }, 50);
        try (VhostUserFrontend frontend = VhostUserFrontend.connect(held.socketPath())) {
            frontend.negotiate(VIRTIO_F_VERSION_1);
            FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(16));
            queue.submit(new byte[] {1}, 1);
            queue.kick();
            Await.until("the device holds the endpoint thread", () -> holding.handled.get() == 1);
            held.close();
            assertTrue(held.thread().isAlive(), "close gave up waiting for the held thread");
        } finally {
            release.countDown();
        }
        Await.until("the endpoint thread gets out", () -> !held.thread().isAlive());
        Await.until("every fd of the endpoint is closed, its wake fd included", () -> OpenFds.count() <= before);
    }
}
