// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import static gpio.vhostuser.frontend.VhostUserFrontend.VIRTIO_F_VERSION_1;
import static gpio.vhostuser.internal.TransportTest.OWNER_ONLY;
import static gpio.vhostuser.internal.TransportTest.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gpio.vhostuser.Endpoint;
import gpio.vhostuser.frontend.FrontendMemory;
import gpio.vhostuser.frontend.FrontendQueue;
import gpio.vhostuser.frontend.RingOptions;
import gpio.vhostuser.frontend.VhostUserFrontend;

/**
 * Thousands of randomly malformed sessions with a fixed seed: garbage messages,
 * messages with random fields and fds, and rings full of random descriptors. The
 * backend must survive all of them (no crash, no stuck thread, no leaked fd) and
 * then serve a fresh valid frontend.
 */
class MalformedInputFuzzTest {

    private static final long SEED = 0x5EEDL;
    private static final int CASES = 3000;
    private static final int[] REQUESTS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 21, 24, 25,
        31, 32, 34, 36, 37, 38, 39, 40, 0, 41, 255, -1};

    @TempDir
    Path dir;

    @Test
    void theBackendSurvivesMalformedInputAndServesAValidFrontendAfterwards() throws Exception {
        Logger transportLog = Logger.getLogger("gpio.vhostuser.internal");
        AtomicLong logged = new AtomicLong();
        // A socket closed under a live connection: an fd closed twice, or a lost connection not noticed.
        AtomicLong socketsLost = new AtomicLong();
        Handler counter = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    logged.incrementAndGet();
                }
                if (record.getMessage().contains("was closed by something else")) {
                    socketsLost.incrementAndGet();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        // Thousands of expected warnings would drown the build log: count them instead.
        boolean useParent = transportLog.getUseParentHandlers();
        transportLog.setUseParentHandlers(false);
        transportLog.addHandler(counter);
        EchoDevice device = new EchoDevice();
        VhostUserTransportComponent transport = new VhostUserTransportComponent();
        Path socket = dir.resolve("fuzz.sock");
        Map<String, String> fdsBefore;
        try {
            VhostUserEndpoint endpoint = (VhostUserEndpoint) transport.open(socket, OWNER_ONLY, device);
            fdsBefore = OpenFds.list();
            Random random = new Random(SEED);
            for (int i = 0; i < CASES; i++) {
                try (VhostUserFrontend frontend = VhostUserFrontend.connect(socket)) {
                    switch (i % 3) {
                        case 0 -> garbage(frontend, random);
                        case 1 -> randomFields(frontend, random);
                        default -> randomRing(frontend, random);
                    }
                } catch (IOException expected) {
                    // The backend may drop a malformed frontend at any point.
                }
                assertTrue(endpoint.thread().isAlive(), "endpoint thread alive after case " + i);
            }
            TransportTest.assertServes(socket);
            Await.until("the last frontend is gone", () -> !endpoint.connected());
            try {
                Await.until("every fd the frontends sent is closed", () -> OpenFds.list().size() <= fdsBefore.size());
            } catch (AssertionError e) {
                Map<String, String> leaked = OpenFds.list();
                leaked.keySet().removeAll(fdsBefore.keySet());
                throw new AssertionError(e.getMessage() + ": " + leaked, e);
            }
        } finally {
            transportLog.removeHandler(counter);
            transportLog.setUseParentHandlers(useParent);
            transport.close();
        }
        assertTrue(logged.get() >= CASES / 3, "bad input is logged: " + logged.get() + " warnings");
        assertEquals(0, socketsLost.get(), "connections whose socket was closed under them");
        assertTrue(device.resets.get() >= CASES, "the device was reset after every frontend");
    }

    /** Random bytes, sometimes behind a plausible header, sometimes with fds. */
    private static void garbage(VhostUserFrontend frontend, Random random) throws IOException {
        int messages = 1 + random.nextInt(4);
        for (int m = 0; m < messages; m++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            if (bytes.length >= 12 && random.nextBoolean()) {
                ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
                header.putInt(0, pick(random, REQUESTS)).putInt(4, random.nextInt(4) == 0 ? random.nextInt() : 1)
                        .putInt(8, random.nextInt(3) == 0 ? random.nextInt() : bytes.length - 12);
            }
            sendWithFds(frontend, random, bytes);
        }
    }

    /** A valid handshake, then messages with valid headers and random fields, sizes and fds. */
    private static void randomFields(VhostUserFrontend frontend, Random random) throws IOException {
        frontend.negotiate(VIRTIO_F_VERSION_1 | (random.nextBoolean() ? VhostUserFrontend.VIRTIO_RING_F_EVENT_IDX : 0)
                | (random.nextBoolean() ? VhostUserFrontend.VIRTIO_RING_F_INDIRECT_DESC : 0));
        FrontendMemory memory = frontend.memory();
        int messages = 1 + random.nextInt(6);
        for (int m = 0; m < messages; m++) {
            int request = pick(random, REQUESTS);
            int size = switch (random.nextInt(4)) {
                case 0 -> 8;
                case 1 -> 40;
                case 2 -> 8 + 32 * random.nextInt(10);
                default -> random.nextInt(300);
            };
            ByteBuffer payload = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
            while (payload.remaining() >= 8) {
                payload.putLong(plausible(random, memory));
            }
            if (size >= 8 && random.nextBoolean()) {
                payload.putInt(0, random.nextInt(4)).putInt(4, random.nextInt(3) == 0 ? random.nextInt()
                        : 1 << random.nextInt(12));
            }
            int flags = VhostUserFrontend.FLAG_VERSION_1
                    | (random.nextBoolean() ? VhostUserFrontend.FLAG_NEED_REPLY : 0);
            byte[] message = ByteBuffer.allocate(12 + size).order(ByteOrder.nativeOrder()).putInt(request)
                    .putInt(flags).putInt(size).put(payload.array()).array();
            sendWithFds(frontend, random, message);
        }
    }

    /** A valid queue, then random descriptors and available entries, kicked. */
    private static void randomRing(VhostUserFrontend frontend, Random random) throws IOException {
        frontend.negotiate(VIRTIO_F_VERSION_1 | VhostUserFrontend.VIRTIO_RING_F_INDIRECT_DESC
                | (random.nextBoolean() ? VhostUserFrontend.VIRTIO_RING_F_EVENT_IDX : 0));
        FrontendMemory memory = frontend.memory();
        FrontendQueue queue = frontend.startQueue(random.nextInt(2), RingOptions.plain(16));
        for (int round = 0; round < 1 + random.nextInt(3); round++) {
            for (int d = 0; d < 16; d++) {
                long address = random.nextInt(4) == 0 ? plausible(random, memory) : queue.slotAddress(d)
                        + random.nextInt(64);
                int length = random.nextInt(5) == 0 ? random.nextInt() : random.nextInt(8192);
                queue.writeDescriptor(d, address, length, random.nextInt(8), random.nextInt(20));
            }
            for (int a = 0; a < 1 + random.nextInt(20); a++) {
                queue.publishRaw(random.nextInt(10) == 0 ? random.nextInt(1 << 16) : random.nextInt(16));
            }
            if (random.nextInt(10) == 0) {
                queue.publishAvailIndex(random.nextInt(1 << 16));
            }
            queue.kick();
        }
        // Give the backend a reply to wait for, so the ring is processed before we leave.
        frontend.getFeatures();
    }

    /** An address near guest or user memory, or anywhere. */
    private static long plausible(Random random, FrontendMemory memory) {
        return switch (random.nextInt(5)) {
            case 0 -> memory.guestBase() + random.nextInt((int) memory.size() + 8192) - 4096;
            case 1 -> memory.userBase() + random.nextInt((int) memory.size() + 8192) - 4096;
            case 2 -> random.nextInt(1 << 16);
            case 3 -> -random.nextInt(1 << 12);
            default -> random.nextLong();
        };
    }

    private static void sendWithFds(VhostUserFrontend frontend, Random random, byte[] bytes) throws IOException {
        int count = random.nextInt(4) == 0 ? 1 + random.nextInt(9) : 0;
        int[] fds = new int[count];
        for (int i = 0; i < count; i++) {
            fds[i] = random.nextBoolean() ? LibC.newEventFd() : LibC.newMemFd("fuzz", 4096L * random.nextInt(4));
        }
        try {
            frontend.sendRaw(bytes, fds);
        } finally {
            for (int fd : fds) {
                LibC.closeQuietly(fd);
            }
        }
    }

    private static int pick(Random random, int[] values) {
        return values[random.nextInt(values.length)];
    }
}
