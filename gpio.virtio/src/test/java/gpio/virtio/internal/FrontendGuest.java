// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import gpio.vhostuser.frontend.Completion;
import gpio.vhostuser.frontend.FrontendQueue;
import gpio.vhostuser.frontend.RingOptions;
import gpio.vhostuser.frontend.VhostUserFrontend;

/**
 * A guest driver speaking to the device through the real vhost-user transport
 * with the test frontend: the requestq and eventq rings live in shared memory,
 * as QEMU sets them up for the Linux driver (indirect descriptors, EVENT_IDX).
 * Single-threaded, like the frontend. Every buffer the device returns is matched
 * to the one outstanding request with its token; a buffer returned for no
 * outstanding request (answered twice, or never sent) fails the test.
 */
final class FrontendGuest implements Guest, AutoCloseable {

    /** The eventq as QEMU sets it up for the Linux driver. */
    private static final RingOptions EVENT_RING = new RingOptions(64, true, true, 1, 16);
    private static final long FEATURES = VirtioGpio.F_VERSION_1 | VirtioGpio.F_IRQ | VirtioGpio.F_RING_INDIRECT_DESC
            | VirtioGpio.F_RING_EVENT_IDX;

    private VhostUserFrontend frontend;
    private FrontendQueue requests;
    private FrontendQueue events;
    private final Map<Integer, Outstanding> outstandingRequests = new HashMap<>();
    private final Map<Integer, Outstanding> outstandingEvents = new HashMap<>();

    /** One buffer given to the device. */
    private static final class Outstanding {
        byte[] written;
    }

    FrontendGuest(Path socket, int requestQueueSize) throws Exception {
        frontend = VhostUserFrontend.connect(socket);
        frontend.negotiate(FEATURES);
        requests = frontend.startQueue(VirtioGpio.REQUEST_QUEUE, requestRing(requestQueueSize));
        events = frontend.startQueue(VirtioGpio.EVENT_QUEUE, EVENT_RING);
    }

    /** The requestq as QEMU sets it up for the Linux driver: indirect descriptors, EVENT_IDX. */
    private static RingOptions requestRing(int size) {
        return new RingOptions(size, true, true, 1, 64);
    }

    /** The requestq itself, for a benchmark that drives it without this class's bookkeeping. */
    FrontendQueue requestQueue() {
        return requests;
    }

    VhostUserFrontend frontend() {
        return frontend;
    }

    @Override
    public Pending submit(int type, int gpio, int value) {
        ByteBuffer b = ByteBuffer.allocate(VirtioGpio.REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) type).putShort((short) gpio).putInt(value);
        Outstanding o = submit(requests, outstandingRequests, b.array(), VirtioGpio.RESPONSE_SIZE);
        return () -> {
            byte[] w = await(requests, outstandingRequests, o);
            return new int[] {w.length > 0 ? w[0] & 0xFF : -1, w.length > 1 ? w[1] & 0xFF : -1, w.length};
        };
    }

    @Override
    public byte[] lineNames(int size) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(VirtioGpio.REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) VirtioGpio.MSG_GET_LINE_NAMES);
        Outstanding o = submit(requests, outstandingRequests, b.array(), 1 + size);
        byte[] w = await(requests, outstandingRequests, o);
        if (w.length != 1 + size) {
            throw new AssertionError("used length " + w.length + ", expected " + (1 + size));
        }
        return w;
    }

    @Override
    public byte[] config() throws Exception {
        return frontend.getConfig(0, VirtioGpio.CONFIG_SIZE);
    }

    @Override
    public Irq unmask(int gpio) {
        ByteBuffer b = ByteBuffer.allocate(VirtioGpio.IRQ_REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) gpio);
        Outstanding o = submit(events, outstandingEvents, b.array(), VirtioGpio.IRQ_RESPONSE_SIZE);
        return new Irq() {
            @Override
            public boolean returned() {
                drain(events, outstandingEvents);
                return o.written != null;
            }

            @Override
            public int await() throws Exception {
                byte[] w = FrontendGuest.this.await(events, outstandingEvents, o);
                if (w.length != 1) {
                    throw new AssertionError("irq used length " + w.length);
                }
                return w[0] & 0xFF;
            }
        };
    }

    private static Outstanding submit(FrontendQueue queue, Map<Integer, Outstanding> outstanding, byte[] readable,
            int writable) {
        Outstanding o = new Outstanding();
        int token = queue.submit(readable, writable);
        outstanding.put(token, o);
        queue.kick();
        return o;
    }

    private static void drain(FrontendQueue queue, Map<Integer, Outstanding> outstanding) {
        Completion c;
        while ((c = queue.poll()) != null) {
            settle(outstanding, c);
        }
    }

    private static void settle(Map<Integer, Outstanding> outstanding, Completion c) {
        Outstanding o = outstanding.remove(c.token());
        if (o == null) {
            throw new AssertionError("buffer " + c.token() + " returned but not outstanding: answered twice?");
        }
        o.written = c.written();
    }

    private byte[] await(FrontendQueue queue, Map<Integer, Outstanding> outstanding, Outstanding o)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (o.written == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no answer within " + WAIT);
            }
            settle(outstanding, queue.await(java.time.Duration.ofNanos(left)));
        }
        return o.written;
    }

    /**
     * Stops both rings as QEMU does when the VM stops running (GET_VRING_BASE
     * each), without touching the driver's state.
     *
     * @return the indexes the device returned: requestq, eventq
     */
    int[] pause() throws Exception {
        return new int[] {frontend.stopQueue(VirtioGpio.REQUEST_QUEUE), frontend.stopQueue(VirtioGpio.EVENT_QUEUE)};
    }

    /** Starts both rings again where {@link #pause} stopped them, as QEMU does on {@code cont}. */
    void resume(int[] bases) throws Exception {
        frontend.resumeQueue(requests, bases[0]);
        frontend.resumeQueue(events, bases[1]);
    }

    /**
     * After {@link #pause}, starts new rings from index 0 on the same connection,
     * as QEMU does when the guest rebooted and its driver probes again.
     */
    void startOver() throws Exception {
        outstandingRequests.clear();
        outstandingEvents.clear();
        requests = frontend.startQueue(VirtioGpio.REQUEST_QUEUE, requestRing(requests.size()));
        events = frontend.startQueue(VirtioGpio.EVENT_QUEUE, EVENT_RING);
    }

    /**
     * Connects again on the same rings after the connection ended, as QEMU 7.2
     * does with a {@code reconnect} chardev when its backend went away (see
     * {@link VhostUserFrontend#reconnect}); the driver knows nothing of it, so
     * every buffer still outstanding stays outstanding and must be answered once.
     */
    void reconnect(Path socket) throws Exception {
        frontend = frontend.reconnect(socket, FEATURES);
    }

    /** How many buffers the device still holds on the requestq. */
    int outstandingRequests() {
        drain(requests, outstandingRequests);
        return outstandingRequests.size();
    }

    @Override
    public void close() {
        frontend.close();
    }
}
