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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

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

/**
 * Each kind of bad input from the list, one by one: it is refused with a
 * log line and a failure reply or a dropped connection, nothing leaks, and the
 * endpoint then serves a valid frontend.
 */
class BadInputTest {

    private static final int DESC_F_NEXT = 1;
    private static final int DESC_F_WRITE = 2;
    private static final int DESC_F_INDIRECT = 4;

    @TempDir
    Path dir;
    Path socket;
    EchoDevice device;
    VhostUserTransportComponent transport;
    VhostUserFrontend frontend;
    LogCapture log;

    @BeforeEach
    void open() throws IOException {
        log = new LogCapture();
        device = new EchoDevice();
        transport = new VhostUserTransportComponent();
        socket = dir.resolve("bad.sock");
        transport.open(socket, OWNER_ONLY, device);
        frontend = VhostUserFrontend.connect(socket);
    }

    @AfterEach
    void close() throws Exception {
        frontend.close();
        TransportTest.assertServes(socket);
        transport.close();
        log.close();
    }

    private void assertLogged(String fragment) {
        log.awaitLogged(fragment);
    }

    private static byte[] bytes(int size, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        fill.accept(b);
        return b.array();
    }

    @Test
    void aBadHeaderDropsTheConnection() throws IOException {
        frontend.send(VhostUserFrontend.GET_FEATURES, 2, new byte[0]);
        assertTrue(frontend.awaitClosedByBackend(5000));
        assertLogged("version 1 expected");
    }

    @Test
    void anAbsurdPayloadSizeDropsTheConnection() throws IOException {
        frontend.sendRaw(bytes(12, b -> b.putInt(VhostUserFrontend.SET_FEATURES).putInt(1).putInt(1 << 30)));
        assertTrue(frontend.awaitClosedByBackend(5000));
        assertLogged("dropping the frontend");
    }

    @Test
    void aMessageCutShortDropsTheConnectionWhenTheFrontendLeaves() throws IOException {
        frontend.sendRaw(bytes(16, b -> b.putInt(VhostUserFrontend.SET_FEATURES).putInt(1).putInt(8).putInt(0)));
        frontend.close();
        assertLogged("message cut short after 4 of 8 bytes");
    }

    @Test
    void wrongPayloadSizesAndUnknownRequestsAreRefused() throws IOException {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        assertThrows(RefusedException.class, () -> frontend.sendChecked(VhostUserFrontend.SET_FEATURES, new byte[4]));
        assertThrows(RefusedException.class, () -> frontend.sendChecked(VhostUserFrontend.SET_VRING_NUM, new byte[9]));
        assertThrows(RefusedException.class, () -> frontend.sendChecked(1234, new byte[8]));
        assertLogged("unsupported request");
        assertLogged("payload of 9 bytes");
    }

    @Test
    void aMalformedGetConfigIsAnsweredWithAnEmptyPayload() throws IOException {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        VhostUserFrontend.Reply reply = frontend.request(VhostUserFrontend.GET_CONFIG, 0, new byte[4]);
        assertEquals(0, reply.payload().remaining());
        byte[] sizeMismatch = bytes(12 + 4, b -> b.putInt(0).putInt(8).putInt(0));
        assertEquals(0, frontend.request(VhostUserFrontend.GET_CONFIG, 0, sizeMismatch).payload().remaining());
        assertEquals(EchoDevice.configByte(0), frontend.getConfig(0, 1)[0], "the connection goes on");
        assertLogged("answered with an empty payload");
    }

    @Test
    void fdsWhereNoneBelongAreRefusedAndClosedAndMissingFdsAreRefused() throws IOException {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        long before = OpenFds.count();
        for (int i = 0; i < 20; i++) {
            int fd = LibC.newEventFd();
            try {
                assertThrows(RefusedException.class, () -> frontend.sendChecked(VhostUserFrontend.SET_OWNER,
                        new byte[0], fd));
            } finally {
                LibC.closeQuietly(fd);
            }
        }
        assertThrows(RefusedException.class, () -> frontend.sendChecked(VhostUserFrontend.SET_VRING_KICK,
                bytes(8, b -> b.putLong(0))));
        long after = OpenFds.count();
        assertTrue(after <= before, "every fd sent was closed by the backend: " + before + " open before, " + after
                + " after");
        assertLogged("file descriptors");
    }

    @Test
    void aRegionLargerThanItsFileIsRefusedBeforeMapping() throws IOException {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        try (FrontendMemory small = new FrontendMemory(1 << 16, 0x2_0000_0000L)) {
            byte[] region = bytes(40, b -> b.putLong(0).putLong(small.guestBase()).putLong(1 << 20)
                    .putLong(small.userBase()).putLong(0));
            assertThrows(RefusedException.class,
                    () -> frontend.sendChecked(VhostUserFrontend.ADD_MEM_REG, region, small.fd()));
            byte[] offset = bytes(40, b -> b.putLong(0).putLong(small.guestBase()).putLong(1 << 12)
                    .putLong(small.userBase()).putLong(1L << 16));
            assertThrows(RefusedException.class,
                    () -> frontend.sendChecked(VhostUserFrontend.ADD_MEM_REG, offset, small.fd()));
            byte[] wrapping = bytes(40, b -> b.putLong(0).putLong(-4096L).putLong(1 << 13)
                    .putLong(small.userBase()).putLong(0));
            assertThrows(RefusedException.class,
                    () -> frontend.sendChecked(VhostUserFrontend.ADD_MEM_REG, wrapping, small.fd()));
        }
        assertLogged("but its file has only 65536 bytes");
        assertLogged("overflows");
    }

    @Test
    void overlappingRegionsInOneTableAreRefused() throws IOException {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        FrontendMemory memory = frontend.memory();
        byte[] table = bytes(8 + 64, b -> {
            b.putInt(2).putInt(0);
            b.putLong(memory.guestBase()).putLong(memory.size()).putLong(memory.userBase()).putLong(0);
            b.putLong(memory.guestBase() + 4096).putLong(4096).putLong(memory.userBase() + (1L << 40)).putLong(0);
        });
        assertThrows(RefusedException.class,
                () -> frontend.sendChecked(VhostUserFrontend.SET_MEM_TABLE, table, memory.fd(), memory.fd()));
        assertLogged("overlaps");
    }

    @Test
    void ringAddressesOutsideMemoryAndBadQueueSetupAreRefused() throws IOException {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        long user = frontend.memory().userBase();
        long end = user + frontend.memory().size();
        frontend.vringState(VhostUserFrontend.SET_VRING_NUM, 0, 256);
        for (long[] addresses : new long[][] {{end, user, user}, {user, end - 8, user}, {user, user, -16},
                {user + 8, user, user}}) {
            byte[] payload = bytes(40, b -> b.putInt(0).putInt(0).putLong(addresses[0]).putLong(addresses[1])
                    .putLong(addresses[2]).putLong(0));
            assertThrows(RefusedException.class, () -> frontend.sendChecked(VhostUserFrontend.SET_VRING_ADDR,
                    payload));
        }
        for (int size : new int[] {0, 3, 2048, 65536, -1}) {
            assertThrows(RefusedException.class, () -> frontend.vringState(VhostUserFrontend.SET_VRING_NUM, 0, size));
        }
        assertThrows(RefusedException.class, () -> frontend.vringState(VhostUserFrontend.SET_VRING_BASE, 0, 1 << 16));
        assertThrows(RefusedException.class, () -> frontend.vringState(VhostUserFrontend.SET_VRING_NUM, 2, 16));
        assertThrows(RefusedException.class, () -> frontend.sendChecked(VhostUserFrontend.SET_VRING_CALL,
                bytes(8, b -> b.putLong(0x1ff | 1L << 20))));
        assertThrows(IOException.class, () -> frontend.stopQueue(7), "GET_VRING_BASE cannot fail politely");
        assertLogged("outside guest memory");
        assertLogged("misaligned");
        assertLogged("queue index 7");
    }

    /** Sets up queue 0 and returns it, with the device's handled count at 0. */
    private FrontendQueue started() throws IOException {
        frontend.negotiate(VIRTIO_F_VERSION_1 | VhostUserFrontend.VIRTIO_RING_F_INDIRECT_DESC);
        return frontend.startQueue(0, RingOptions.plain(16));
    }

    /** Publishes the raw chain at {@code head}, kicks, and expects it back empty, unseen by the device. */
    private void assertReturnedEmpty(FrontendQueue queue, int head, String logged) throws Exception {
        queue.publishRaw(head);
        queue.kick();
        Completion done = queue.await(TIMEOUT);
        assertEquals(head, done.token());
        assertEquals(0, done.written().length);
        assertEquals(0, device.handled.get());
        assertLogged(logged);
    }

    @Test
    void aCallFdThatCannotTakeMoreDoesNotBlockTheBackend() throws Exception {
        FrontendQueue queue = started();
        int callFd = LibC.newEventFd();
        try (com.sun.jna.Memory max = new com.sun.jna.Memory(8)) {
            LibC.setBlocking(callFd, true);
            max.setLong(0, 0xffff_ffff_ffff_fffeL);
            assertEquals(8, LibC.writeCounter(callFd, com.sun.jna.Pointer.nativeValue(max)));
            frontend.setVringFd(VhostUserFrontend.SET_VRING_CALL, 0, callFd);
            queue.submit(new byte[] {1}, 1);
            queue.kick();
            Await.until("the request is used", () -> queue.poll() != null);
            assertEquals(EchoDevice.FEATURES | VhostUserFrontend.VHOST_USER_F_PROTOCOL_FEATURES,
                    frontend.getFeatures(), "the backend still answers");
        } finally {
            LibC.closeQuietly(callFd);
        }
    }

    @Test
    void aKickFdThatIsNoEventfdIsDroppedInsteadOfSpinning() throws Exception {
        started();
        // A regular file is always readable, and read(2) at its end returns 0 at once: epoll refuses it.
        int emptyFile = LibC.newMemFd("not-an-eventfd", 0);
        try {
            frontend.setVringFd(VhostUserFrontend.SET_VRING_KICK, 0, emptyFile);
            assertLogged("kick fd of queue 0 cannot be watched");
            assertEquals(EchoDevice.FEATURES | VhostUserFrontend.VHOST_USER_F_PROTOCOL_FEATURES,
                    frontend.getFeatures(), "the backend still answers");
        } finally {
            LibC.closeQuietly(emptyFile);
        }
    }

    @Test
    void aFloodOfBadChainsIsLoggedSparingly() throws Exception {
        FrontendQueue queue = started();
        long slot = queue.slotAddress(0);
        for (int batch = 0; batch < 5; batch++) {
            for (int i = 0; i < 8; i++) {
                queue.writeDescriptor(2 * i, slot, 4, DESC_F_NEXT, 2 * i + 1);
                queue.writeDescriptor(2 * i + 1, slot, 4, DESC_F_NEXT, 2 * i);
                queue.publishRaw(2 * i);
            }
            queue.kick();
            for (int i = 0; i < 8; i++) {
                assertEquals(0, queue.await(TIMEOUT).written().length);
            }
        }
        assertEquals(20, log.count("descriptor loop"), "40 bad chains, the first 20 logged");
    }

    @Test
    void removingTheMemoryUnderStartedRingsStopsThemAndResetsTheDevice() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        FrontendQueue requests = frontend.startQueue(0, RingOptions.plain(16));
        FrontendQueue events = frontend.startQueue(1, RingOptions.plain(16));
        frontend.roundTrip(requests, new byte[] {1}, 1, TIMEOUT);
        events.submit(new byte[0], 8);
        events.kick();
        Await.until("the device holds the event buffer", () -> device.held.size() == 1);
        frontend.removeMemoryRegion(frontend.memory());
        assertLogged("the queue stops");
        assertEquals(1, device.resets.get(), "the device is reset once the last started ring stops, as on"
                + " GET_VRING_BASE");
        assertTrue(device.held.isEmpty(), "the device dropped the buffer it held in the stopped ring");
    }

    /**
     * A buffer the device holds in a region the frontend removes meanwhile: the
     * answer written afterwards lands nowhere (that memory is unmapped; writing
     * through where the buffer was would fault or hit whatever is mapped there
     * now), and the buffer comes back empty.
     */
    @Test
    void aHeldBufferInARegionRemovedMeanwhileGetsNothingWritten() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        FrontendQueue events = frontend.startQueue(1, RingOptions.plain(16));
        try (FrontendMemory extra = new FrontendMemory(1 << 16, 0x1_0000_0000L)) {
            frontend.addMemoryRegion(extra);
            events.writeDescriptor(0, extra.allocate(8, 8), 8, DESC_F_WRITE, 0);
            events.publishRaw(0);
            events.kick();
            Await.until("the device holds the buffer", () -> device.held.size() == 1);
            frontend.removeMemoryRegion(extra);
            assertTrue(device.fireEvent(new byte[] {1, 2}));
            assertEquals(0, events.await(TIMEOUT).written().length);
        }
        FrontendQueue requests = frontend.startQueue(0, RingOptions.plain(16));
        assertArrayEquals(new byte[] {5}, frontend.roundTrip(requests, new byte[] {4}, 1, TIMEOUT).written());
    }

    @Test
    void aHeadOfferedAgainWhileTheDeviceHoldsItIsSkipped() throws Exception {
        frontend.negotiate(VIRTIO_F_VERSION_1);
        FrontendQueue events = frontend.startQueue(1, RingOptions.plain(16));
        events.writeDescriptor(0, events.slotAddress(0), 8, DESC_F_WRITE, 0);
        events.publishRaw(0);
        events.kick();
        Await.until("the device holds the buffer", () -> device.held.size() == 1);
        events.publishRaw(0);
        events.kick();
        assertLogged("again while the device still holds it");
        assertEquals(1, device.held.size(), "the device saw the head once");
        assertTrue(device.fireEvent(new byte[] {1, 2}));
        assertEquals(0, events.await(TIMEOUT).token());
        // Once returned, the head may be offered again.
        events.publishRaw(0);
        events.kick();
        Await.until("the device holds the buffer again", () -> device.held.size() == 1);
    }

    @Test
    void aDescriptorLoopIsReturnedEmpty() throws Exception {
        FrontendQueue queue = started();
        long slot = queue.slotAddress(0);
        queue.writeDescriptor(0, slot, 4, DESC_F_NEXT, 1);
        queue.writeDescriptor(1, slot, 4, DESC_F_NEXT, 0);
        assertReturnedEmpty(queue, 0, "descriptor loop");
    }

    @Test
    void aNextIndexBeyondTheTableIsReturnedEmpty() throws Exception {
        FrontendQueue queue = started();
        queue.writeDescriptor(0, queue.slotAddress(0), 4, DESC_F_NEXT, 16);
        assertReturnedEmpty(queue, 0, "beyond the table size");
    }

    @Test
    void aBufferOutsideMemoryIsReturnedEmpty() throws Exception {
        FrontendQueue queue = started();
        FrontendMemory memory = frontend.memory();
        queue.writeDescriptor(0, memory.guestBase() + memory.size() - 2, 4, DESC_F_WRITE, 0);
        assertReturnedEmpty(queue, 0, "outside guest memory");
    }

    @Test
    void aHugeLengthIsReturnedEmpty() throws Exception {
        FrontendQueue queue = started();
        queue.writeDescriptor(0, queue.slotAddress(0), -1, DESC_F_WRITE, 0);
        assertReturnedEmpty(queue, 0, "4294967295 bytes");
    }

    @Test
    void aReadableDescriptorAfterAWritableOneIsReturnedEmpty() throws Exception {
        FrontendQueue queue = started();
        long slot = queue.slotAddress(0);
        queue.writeDescriptor(0, slot, 4, DESC_F_WRITE | DESC_F_NEXT, 1);
        queue.writeDescriptor(1, slot + 4, 4, 0, 0);
        assertReturnedEmpty(queue, 0, "device-readable descriptor after a device-writable one");
    }

    @Test
    void badIndirectTablesAreReturnedEmpty() throws Exception {
        FrontendQueue queue = started();
        long slot = queue.slotAddress(0);
        queue.writeDescriptor(0, slot, 17, DESC_F_INDIRECT, 0);
        assertReturnedEmpty(queue, 0, "not a multiple of 16");
        // An indirect table that points at itself as a nested indirect descriptor.
        frontend.memory().view(slot, 16).putLong(0, slot).putInt(8, 16).putShort(12, (short) DESC_F_INDIRECT);
        queue.writeDescriptor(0, slot, 16, DESC_F_INDIRECT, 0);
        assertReturnedEmpty(queue, 0, "nested indirect");
    }

    @Test
    void aHeadBeyondTheQueueIsSkippedAndAnIndexJumpStopsTheQueue() throws Exception {
        FrontendQueue queue = started();
        queue.publishRaw(200);
        queue.kick();
        assertLogged("beyond the queue size");
        queue.publishAvailIndex(queue.availIndex() + 100);
        queue.kick();
        assertLogged("ahead of");
        assertEquals(0, device.handled.get());
    }
}
