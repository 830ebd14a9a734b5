// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.frontend;

import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * A vhost-user frontend for tests: plays QEMU's part against a backend over a
 * real Unix socket, with guest memory from a memfd, eventfds for kicks and calls,
 * and split rings driven by {@link FrontendQueue}.
 *
 * <p>Typical use:
 * <pre>{@code
 * try (VhostUserFrontend frontend = VhostUserFrontend.connect(socketPath)) {
 *     frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1);   // realize + driver start, as QEMU
 *     byte[] config = frontend.getConfig(0, 8);
 *     FrontendQueue requests = frontend.startQueue(0, RingOptions.plain(256));
 *     Completion done = frontend.roundTrip(requests, new byte[] {1, 2, 3}, 16, Duration.ofSeconds(5));
 *     FrontendQueue events = frontend.startQueue(1, RingOptions.plain(64));
 *     events.submit(new byte[0], 8);                                // an eventq buffer the device holds
 *     events.kick();
 *     int base = frontend.stopQueue(0);                              // GET_VRING_BASE
 * }                                                                  // close = disconnect
 * }</pre>
 * {@link #negotiate} sends what QEMU sends at device realize and driver start:
 * GET_FEATURES, GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES, GET_QUEUE_NUM,
 * SET_OWNER, SET_FEATURES and SET_MEM_TABLE; {@link #startQueue} sends
 * SET_VRING_NUM, SET_VRING_BASE, SET_VRING_ADDR, SET_VRING_KICK, SET_VRING_CALL and
 * SET_VRING_ENABLE. Each step is also available alone, and {@link #request} /
 * {@link #sendRaw} send anything at all, for tests of malformed input.
 *
 * <p>When REPLY_ACK is negotiated, every message without a reply of its own is
 * sent with NEED_REPLY and a non-zero ack throws {@link RefusedException}. Every
 * reply is awaited for at most {@link #REPLY_TIMEOUT_MILLIS}. Not thread-safe.
 */
public final class VhostUserFrontend implements AutoCloseable {

    public static final long VIRTIO_F_VERSION_1 = 1L << 32;
    public static final long VIRTIO_RING_F_INDIRECT_DESC = 1L << 28;
    public static final long VIRTIO_RING_F_EVENT_IDX = 1L << 29;
    public static final long VHOST_USER_F_PROTOCOL_FEATURES = 1L << 30;
    public static final long PROTOCOL_F_MQ = 1L << 0;
    public static final long PROTOCOL_F_REPLY_ACK = 1L << 3;
    public static final long PROTOCOL_F_CONFIG = 1L << 9;
    public static final long PROTOCOL_F_RESET_DEVICE = 1L << 13;
    public static final long PROTOCOL_F_CONFIGURE_MEM_SLOTS = 1L << 15;
    public static final long PROTOCOL_F_STATUS = 1L << 16;

    public static final int GET_FEATURES = 1;
    public static final int SET_FEATURES = 2;
    public static final int SET_OWNER = 3;
    public static final int RESET_OWNER = 4;
    public static final int SET_MEM_TABLE = 5;
    public static final int SET_VRING_NUM = 8;
    public static final int SET_VRING_ADDR = 9;
    public static final int SET_VRING_BASE = 10;
    public static final int GET_VRING_BASE = 11;
    public static final int SET_VRING_KICK = 12;
    public static final int SET_VRING_CALL = 13;
    public static final int SET_VRING_ERR = 14;
    public static final int GET_PROTOCOL_FEATURES = 15;
    public static final int SET_PROTOCOL_FEATURES = 16;
    public static final int GET_QUEUE_NUM = 17;
    public static final int SET_VRING_ENABLE = 18;
    public static final int GET_CONFIG = 24;
    public static final int SET_CONFIG = 25;
    public static final int RESET_DEVICE = 34;
    public static final int GET_MAX_MEM_SLOTS = 36;
    public static final int ADD_MEM_REG = 37;
    public static final int REM_MEM_REG = 38;
    public static final int SET_STATUS = 39;
    public static final int GET_STATUS = 40;

    /** The no-fd flag of SET_VRING_KICK/CALL/ERR payloads. */
    public static final long VRING_NOFD = 1L << 8;
    public static final int FLAG_VERSION_1 = 1;
    public static final int FLAG_REPLY = 1 << 2;
    public static final int FLAG_NEED_REPLY = 1 << 3;
    /** How long a reply may take. */
    public static final int REPLY_TIMEOUT_MILLIS = 5000;
    /** The default guest memory size of {@link #negotiate}. */
    public static final long DEFAULT_MEMORY_SIZE = 16L << 20;

    /** The backend answered a REPLY_ACK request with a failure. */
    public static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    /**
     * A reply message.
     *
     * @param request the request code
     * @param flags the header flags
     * @param payload the payload, in host byte order
     */
    public record Reply(int request, int flags, ByteBuffer payload) {
    }

    private final AFUNIXSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Map<Integer, FrontendQueue> queues = new HashMap<>();
    private FrontendMemory memory;
    private long protocolFeatures;

    private VhostUserFrontend(AFUNIXSocket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(REPLY_TIMEOUT_MILLIS);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to a backend listening on {@code socketPath}. */
    public static VhostUserFrontend connect(Path socketPath) throws IOException {
        return new VhostUserFrontend(AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socketPath)));
    }

    /** The guest memory set by {@link #negotiate} or {@link #setMemTable}, or null. */
    public FrontendMemory memory() {
        return memory;
    }

    /**
     * The whole QEMU start-up sequence: realize (GET_FEATURES,
     * GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES with everything offered that this
     * frontend knows, GET_QUEUE_NUM, SET_OWNER), then driver start (SET_FEATURES
     * with {@code features} plus VHOST_USER_F_PROTOCOL_FEATURES, SET_MEM_TABLE with
     * {@link #DEFAULT_MEMORY_SIZE} bytes of fresh, unsealed memory).
     *
     * @param features the virtio features to set; must be offered
     * @return the features the backend offered
     */
    public long negotiate(long features) throws IOException {
        return negotiate(features, new FrontendMemory(DEFAULT_MEMORY_SIZE));
    }

    /** {@link #negotiate(long)} with {@code guestMemory} as the memory table; this frontend owns (and closes) it. */
    public long negotiate(long features, FrontendMemory guestMemory) throws IOException {
        try {
            long offered = getFeatures();
            if ((offered & VHOST_USER_F_PROTOCOL_FEATURES) == 0) {
                throw new IOException("backend does not offer VHOST_USER_F_PROTOCOL_FEATURES");
            }
            long known = PROTOCOL_F_MQ | PROTOCOL_F_REPLY_ACK | PROTOCOL_F_CONFIG | PROTOCOL_F_RESET_DEVICE
                    | PROTOCOL_F_CONFIGURE_MEM_SLOTS | PROTOCOL_F_STATUS;
            setProtocolFeatures(getProtocolFeatures() & known);
            if ((protocolFeatures & PROTOCOL_F_MQ) != 0) {
                getQueueNum();
            }
            setOwner();
            setFeatures(features | VHOST_USER_F_PROTOCOL_FEATURES);
            setMemTable(guestMemory);
            return offered;
        } finally {
            if (memory != guestMemory) {
                guestMemory.close();
            }
        }
    }

    public long getFeatures() throws IOException {
        return u64Reply(GET_FEATURES);
    }

    public void setFeatures(long features) throws IOException {
        sendChecked(SET_FEATURES, u64(features));
    }

    public long getProtocolFeatures() throws IOException {
        return u64Reply(GET_PROTOCOL_FEATURES);
    }

    /** Sets the protocol features; from then on REPLY_ACK, if included, is used. */
    public void setProtocolFeatures(long features) throws IOException {
        send(SET_PROTOCOL_FEATURES, FLAG_VERSION_1, u64(features));
        protocolFeatures = features;
    }

    public long getQueueNum() throws IOException {
        return u64Reply(GET_QUEUE_NUM);
    }

    public long getMaxMemSlots() throws IOException {
        return u64Reply(GET_MAX_MEM_SLOTS);
    }

    public void setOwner() throws IOException {
        sendChecked(SET_OWNER, new byte[0]);
    }

    public void resetDevice() throws IOException {
        sendChecked(RESET_DEVICE, new byte[0]);
    }

    public void setStatus(int status) throws IOException {
        sendChecked(SET_STATUS, u64(status));
    }

    public long getStatus() throws IOException {
        return u64Reply(GET_STATUS);
    }

    /** SET_MEM_TABLE with the one region {@code newMemory}, which this frontend then owns and closes. */
    public void setMemTable(FrontendMemory newMemory) throws IOException {
        ByteBuffer payload = buffer(8 + 32);
        payload.putInt(1).putInt(0);
        putRegion(payload, newMemory);
        sendChecked(SET_MEM_TABLE, payload.array(), newMemory.fd());
        if (memory != null && memory != newMemory) {
            memory.close();
        }
        memory = newMemory;
    }

    /** ADD_MEM_REG of {@code region} (the caller keeps owning it). */
    public void addMemoryRegion(FrontendMemory region) throws IOException {
        ByteBuffer payload = buffer(8 + 32);
        payload.putLong(0);
        putRegion(payload, region);
        sendChecked(ADD_MEM_REG, payload.array(), region.fd());
    }

    /** REM_MEM_REG of {@code region}. */
    public void removeMemoryRegion(FrontendMemory region) throws IOException {
        ByteBuffer payload = buffer(8 + 32);
        payload.putLong(0);
        putRegion(payload, region);
        sendChecked(REM_MEM_REG, payload.array());
    }

    private static void putRegion(ByteBuffer payload, FrontendMemory region) {
        payload.putLong(region.guestBase()).putLong(region.size()).putLong(region.userBase()).putLong(0);
    }

    /**
     * GET_CONFIG of {@code size} bytes at {@code offset}.
     *
     * @return the bytes, empty when the backend refused (a reply with no payload)
     */
    public byte[] getConfig(int offset, int size) throws IOException {
        ByteBuffer payload = buffer(12 + size);
        payload.putInt(offset).putInt(size).putInt(0);
        Reply reply = request(GET_CONFIG, 0, payload.array());
        ByteBuffer answer = reply.payload();
        if (answer.remaining() == 0) {
            return new byte[0];
        }
        if (answer.remaining() != 12 + size) {
            throw new IOException("GET_CONFIG reply of " + answer.remaining() + " bytes");
        }
        byte[] bytes = new byte[size];
        answer.get(12, bytes);
        return bytes;
    }

    /**
     * Sets up queue {@code index} in the current memory and starts it as QEMU
     * does: SET_VRING_NUM, SET_VRING_BASE 0, SET_VRING_ADDR, SET_VRING_KICK,
     * SET_VRING_CALL, SET_VRING_ENABLE 1.
     */
    public FrontendQueue startQueue(int index, RingOptions options) throws IOException {
        FrontendQueue queue = new FrontendQueue(memory, index, options);
        FrontendQueue old = queues.put(index, queue);
        if (old != null) {
            old.close();
        }
        setUpRing(queue, 0);
        return queue;
    }

    /** Closes the connection only, keeping guest memory and queues for {@link #reconnect}. */
    public void dropConnection() {
        try {
            socket.close();
        } catch (IOException e) {
            // Already gone with the backend.
        }
    }

    /**
     * Connects again after the backend went away, as QEMU 7.2 does with a
     * {@code reconnect} chardev: the whole start-up sequence of {@link #negotiate}
     * on a new connection with this frontend's guest memory, then every queue
     * started again on its own rings with SET_VRING_BASE set to the used index in
     * guest memory, so that every buffer the backend had not returned is offered
     * again. This frontend's socket is closed; the memory and the queues move to
     * the returned frontend.
     *
     * @param socketPath where the backend listens now
     * @param features the virtio features to set, as for {@link #negotiate}
     * @return the new connection
     */
    public VhostUserFrontend reconnect(Path socketPath, long features) throws IOException {
        dropConnection();
        VhostUserFrontend next = connect(socketPath);
        FrontendMemory guestMemory = memory;
        memory = null;
        next.negotiate(features, guestMemory);
        for (FrontendQueue queue : queues.values()) {
            next.queues.put(queue.index, queue);
            next.setUpRing(queue, queue.usedIndexInMemory());
        }
        queues.clear();
        return next;
    }

    /**
     * Starts a stopped queue again on its own rings, as QEMU does when the VM runs
     * again ({@code cont}): the same messages as {@link #startQueue}, with
     * SET_VRING_BASE {@code base}, the index GET_VRING_BASE returned.
     */
    public void resumeQueue(FrontendQueue queue, int base) throws IOException {
        setUpRing(queue, base);
    }

    private void setUpRing(FrontendQueue queue, int base) throws IOException {
        int index = queue.index;
        vringState(SET_VRING_NUM, index, queue.options.size());
        vringState(SET_VRING_BASE, index, base);
        ByteBuffer address = buffer(40);
        address.putInt(index).putInt(0).putLong(memory.userAddress(queue.descAddress))
                .putLong(memory.userAddress(queue.usedAddress)).putLong(memory.userAddress(queue.availAddress))
                .putLong(0);
        sendChecked(SET_VRING_ADDR, address.array());
        setVringFd(SET_VRING_KICK, index, queue.kickFd);
        setVringFd(SET_VRING_CALL, index, queue.callFd);
        vringState(SET_VRING_ENABLE, index, 1);
    }

    /**
     * SET_VRING_KICK, SET_VRING_CALL or SET_VRING_ERR for queue {@code index} with
     * {@code fd}, or with the no-fd flag (polling) when {@code fd} is negative.
     */
    public void setVringFd(int request, int index, int fd) throws IOException {
        if (fd < 0) {
            sendChecked(request, u64(index | VRING_NOFD));
        } else {
            sendChecked(request, u64(index), fd);
        }
    }

    /** GET_VRING_BASE: stops queue {@code index} and returns the backend's next available index. */
    public int stopQueue(int index) throws IOException {
        ByteBuffer payload = buffer(8);
        payload.putInt(index).putInt(0);
        Reply reply = request(GET_VRING_BASE, 0, payload.array());
        if (reply.payload().remaining() != 8 || reply.payload().getInt(0) != index) {
            throw new IOException("bad GET_VRING_BASE reply");
        }
        return reply.payload().getInt(4);
    }

    /** Sends a vring state message ({@code index}, {@code num}), checked with REPLY_ACK if negotiated. */
    public void vringState(int request, int index, int num) throws IOException {
        ByteBuffer payload = buffer(8);
        payload.putInt(index).putInt(num);
        sendChecked(request, payload.array());
    }

    /** Submits one request, kicks, and waits for its completion. */
    public Completion roundTrip(FrontendQueue queue, byte[] readable, int writable, Duration timeout)
            throws IOException, TimeoutException {
        int token = queue.submit(readable, writable);
        queue.kick();
        Completion done = queue.await(timeout);
        if (done.token() != token) {
            throw new IOException("completion " + done.token() + " for request " + token);
        }
        return done;
    }

    /**
     * Sends a message with NEED_REPLY when REPLY_ACK is negotiated and checks the ack.
     *
     * @throws RefusedException when the backend acked with a failure
     */
    public void sendChecked(int request, byte[] payload, int... fds) throws IOException {
        boolean ack = (protocolFeatures & PROTOCOL_F_REPLY_ACK) != 0;
        send(request, FLAG_VERSION_1 | (ack ? FLAG_NEED_REPLY : 0), payload, fds);
        if (ack) {
            Reply reply = receive(request);
            if (reply.payload().remaining() != 8) {
                throw new IOException("ack of " + reply.payload().remaining() + " bytes");
            }
            long value = reply.payload().getLong(0);
            if (value != 0) {
                throw new RefusedException("request " + request + " refused with " + value);
            }
        }
    }

    /** Sends a request that has a reply of its own and returns the reply. */
    public Reply request(int request, int extraFlags, byte[] payload, int... fds) throws IOException {
        send(request, FLAG_VERSION_1 | extraFlags, payload, fds);
        return receive(request);
    }

    /** Sends one message with the given header fields and fds; no reply is read. */
    public void send(int request, int flags, byte[] payload, int... fds) throws IOException {
        ByteBuffer message = buffer(12 + payload.length);
        message.putInt(request).putInt(flags).putInt(payload.length).put(payload);
        sendRaw(message.array(), fds);
    }

    /** Sends raw bytes (anything, for malformed-input tests) with the given fds. */
    public void sendRaw(byte[] bytes, int... fds) throws IOException {
        if (fds.length > 0) {
            FileDescriptor[] descriptors = new FileDescriptor[fds.length];
            for (int i = 0; i < fds.length; i++) {
                descriptors[i] = FileDescriptorCast.unsafeUsing(fds[i]).getFileDescriptor();
            }
            socket.setOutboundFileDescriptors(descriptors);
        }
        out.write(bytes);
        out.flush();
    }

    /** Reads one reply and checks it answers {@code request}. */
    public Reply receive(int request) throws IOException {
        byte[] header = readFully(12);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.nativeOrder());
        int size = h.getInt(8);
        if (size < 0 || size > 4096) {
            throw new IOException("reply payload of " + size + " bytes");
        }
        Reply reply = new Reply(h.getInt(0), h.getInt(4),
                ByteBuffer.wrap(readFully(size)).order(ByteOrder.nativeOrder()));
        if (reply.request() != request || reply.flags() != (FLAG_VERSION_1 | FLAG_REPLY)) {
            throw new IOException("reply " + reply.request() + " flags " + reply.flags() + " to request " + request);
        }
        return reply;
    }

    /** Whether the backend closed the connection, waiting at most {@code millis} for it. */
    public boolean awaitClosedByBackend(int millis) {
        try {
            socket.setSoTimeout(millis);
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            // junixsocket reports a connection the peer closed as a closed socket.
            return true;
        } finally {
            try {
                socket.setSoTimeout(REPLY_TIMEOUT_MILLIS);
            } catch (IOException e) {
                // Closed: no timeout to restore.
            }
        }
    }

    private byte[] readFully(int length) throws IOException {
        byte[] bytes = new byte[length];
        int done = 0;
        while (done < length) {
            int n = in.read(bytes, done, length - done);
            if (n < 0) {
                throw new EOFException("backend closed the connection after " + done + " of " + length + " bytes");
            }
            done += n;
        }
        return bytes;
    }

    private long u64Reply(int request) throws IOException {
        Reply reply = request(request, 0, new byte[0]);
        if (reply.payload().remaining() != 8) {
            throw new IOException("reply of " + reply.payload().remaining() + " bytes to " + request);
        }
        return reply.payload().getLong(0);
    }

    private static byte[] u64(long value) {
        return buffer(8).putLong(value).array();
    }

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    /** Disconnects, then frees the memory and eventfds. Never fails. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing is best effort.
        }
        queues.values().forEach(FrontendQueue::close);
        queues.clear();
        if (memory != null) {
            memory.close();
            memory = null;
        }
    }
}
