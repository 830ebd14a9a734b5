// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.BooleanSupplier;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.FileDescriptorCast;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import gpio.vhostuser.VirtioDevice;

/**
 * One connected frontend: reads its messages, answers them, and services the
 * kicks of its rings, all on the endpoint thread (see {@link VhostUserEndpoint}).
 *
 * <p>A frontend is not trusted. Every message is checked (header, payload size,
 * file descriptors, indexes, addresses); a bad one is logged and gets a failure
 * reply when REPLY_ACK allows one, while a broken stream (bad header, absurd
 * size, a message cut short) or a failed request that must be answered with data
 * drops the connection. File descriptors a message brings are always either
 * kept by what they are for or closed.
 */
final class Connection implements AutoCloseable {

    private static final Logger LOG = System.getLogger(Connection.class.getName());
    /** How long a message may take to arrive in full once its first byte is there. */
    private static final int MESSAGE_TIMEOUT_MILLIS = 5000;
    /** Poll interval for rings whose frontend asked for polling instead of kicks. */
    private static final int RING_POLL_MILLIS = 1;
    private static final int MEMORY_REGION_SIZE = 32;
    private static final int CONFIG_HEADER_SIZE = 12;
    private static final int VRING_STATE_SIZE = 8;
    private static final int VRING_ADDR_SIZE = 40;
    private static final int U64_SIZE = 8;

    private final AFUNIXSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int socketFd;
    private final VirtioDevice device;
    private final VirtQueue[] queues;
    private final String name;
    private final ByteBuffer header = ByteBuffer.allocate(Protocol.HEADER_SIZE).order(ByteOrder.nativeOrder());
    private final ByteBuffer payload = ByteBuffer.allocate(Protocol.MAX_PAYLOAD).order(ByteOrder.nativeOrder());
    private final ByteBuffer reply =
            ByteBuffer.allocate(Protocol.HEADER_SIZE + Protocol.MAX_PAYLOAD).order(ByteOrder.nativeOrder());
    /**
     * The fds of the current message. Room for more than any valid message
     * carries (at most {@link Protocol#MAX_FDS}), so that one with too many is
     * refused by count; fds beyond the room are closed as they arrive.
     */
    private final int[] fds = new int[Protocol.MAX_FDS * 4];
    private int fdCount;
    private final Memory pollFds;
    private final Memory scratch = new Memory(8);

    private GuestMemory memory = GuestMemory.EMPTY;
    private volatile long negotiatedFeatures;
    private boolean protocolFeaturesNegotiated;
    private long protocolFeatures;
    private int status;

    Connection(AFUNIXSocket socket, VirtioDevice device, String name) throws IOException {
        this.socket = socket;
        this.device = device;
        this.name = name;
        socket.setAncillaryReceiveBufferSize(1024);
        socket.setSoTimeout(MESSAGE_TIMEOUT_MILLIS);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.socketFd = FileDescriptorCast.using(socket.getFileDescriptor()).as(Integer.class);
        this.queues = new VirtQueue[device.queueCount()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new VirtQueue(i, device);
        }
        this.pollFds = new Memory((long) LibC.POLLFD_SIZE * (2 + queues.length));
    }

    long negotiatedFeatures() {
        return negotiatedFeatures;
    }

    /**
     * Shuts the socket down from another thread, so that the endpoint thread leaves
     * whatever it is doing with it, even a write blocked by a frontend that stopped
     * reading. The endpoint thread still closes everything itself.
     */
    void shutdown() {
        try {
            socket.shutdownInput();
            socket.shutdownOutput();
        } catch (IOException e) {
            // Already shut down or closed: nothing left to interrupt.
        }
    }

    /**
     * Serves the frontend until it disconnects, breaks the protocol beyond repair,
     * or {@code stop} turns true after a write to {@code wakeFd}.
     */
    void serve(int wakeFd, BooleanSupplier stop) {
        long fdsAddress = Pointer.nativeValue(pollFds);
        long scratchAddress = Pointer.nativeValue(scratch);
        while (!stop.getAsBoolean()) {
            boolean polling = false;
            setPollFd(0, wakeFd);
            setPollFd(1, socketFd);
            for (int i = 0; i < queues.length; i++) {
                setPollFd(2 + i, queues[i].kickFd());
                polling |= queues[i].polling();
            }
            int ready = LibC.pollFds(fdsAddress, 2 + queues.length, polling ? RING_POLL_MILLIS : -1);
            if (ready < 0) {
                if (LibC.errno() == LibC.EINTR) {
                    continue;
                }
                LOG.log(Level.ERROR, "{0}: poll failed with errno {1}; dropping the frontend", name, LibC.errno());
                return;
            }
            if (revents(0) != 0) {
                LibC.readCounter(wakeFd, scratchAddress);
                continue;
            }
            for (int i = 0; i < queues.length; i++) {
                VirtQueue queue = queues[i];
                short events = revents(2 + i);
                if ((events & LibC.POLLIN) != 0) {
                    if (queue.drainKick(scratchAddress)) {
                        queue.process();
                    } else {
                        LOG.log(Level.WARNING, "{0}: kick fd of queue {1} is at end of file, so it is no eventfd;"
                                + " it is dropped", name, i);
                        queue.forgetKick();
                    }
                } else if (events != 0) {
                    LOG.log(Level.WARNING, "{0}: kick fd of queue {1} failed (poll events 0x{2}); it is dropped",
                            name, i, Integer.toHexString(events));
                    queue.forgetKick();
                } else if (queue.polling()) {
                    queue.process();
                }
            }
            if (revents(1) != 0 && !handleMessage()) {
                return;
            }
        }
    }

    private void setPollFd(int slot, int fd) {
        long at = (long) slot * LibC.POLLFD_SIZE;
        pollFds.setInt(at, fd);
        pollFds.setShort(at + 4, LibC.POLLIN);
        pollFds.setShort(at + 6, (short) 0);
    }

    private short revents(int slot) {
        return pollFds.getShort((long) slot * LibC.POLLFD_SIZE + 6);
    }

    /**
     * Reads and handles one message.
     *
     * @return false when the connection is over
     */
    boolean handleMessage() {
        if (!readMessage()) {
            closeFds();
            return false;
        }
        try {
            return dispatch(header.getInt(0), (header.getInt(4) & Protocol.FLAG_NEED_REPLY) != 0);
        } finally {
            closeFds();
        }
    }

    /** Reads one message into {@link #header}, {@link #payload} and {@link #fds}; false when the connection is over. */
    private boolean readMessage() {
        int request = 0;
        try {
            header.clear();
            payload.clear().limit(0);
            if (!readFully(header.array(), Protocol.HEADER_SIZE, true)) {
                LOG.log(Level.INFO, "{0}: frontend disconnected", name);
                return false;
            }
            collectFds();
            request = header.getInt(0);
            int flags = header.getInt(4);
            int size = header.getInt(8);
            if ((flags & Protocol.FLAG_VERSION_MASK) != Protocol.VERSION
                    || (flags & ~(Protocol.FLAG_VERSION_MASK | Protocol.FLAG_NEED_REPLY)) != 0) {
                LOG.log(Level.WARNING, "{0}: {1} with header flags 0x{2} (version 1 expected, no reply flag);"
                        + " dropping the frontend", name, Protocol.name(request), Integer.toHexString(flags));
                return false;
            }
            if (size < 0 || size > Protocol.MAX_PAYLOAD) {
                LOG.log(Level.WARNING, "{0}: {1} with a payload of {2} bytes (at most {3}); dropping the frontend",
                        name, Protocol.name(request), Integer.toUnsignedString(size), Protocol.MAX_PAYLOAD);
                return false;
            }
            payload.limit(size);
            readFully(payload.array(), size, false);
            collectFds();
            return true;
        } catch (SocketTimeoutException e) {
            LOG.log(Level.WARNING, "{0}: {1} cut short (nothing more for {2} ms); dropping the frontend", name,
                    Protocol.name(request), MESSAGE_TIMEOUT_MILLIS);
            return false;
        } catch (IOException e) {
            LOG.log(Level.INFO, "{0}: connection lost: {1}", name, e.toString());
            return false;
        }
    }

    private boolean dispatch(int request, boolean needReply) {
        boolean ack = needReply && (protocolFeatures & (1L << Protocol.F_REPLY_ACK)) != 0;
        try {
            reply.clear();
            reply.position(Protocol.HEADER_SIZE);
            boolean replies = handle(request);
            if (replies) {
                sendReply(request);
            } else if (ack) {
                sendAck(request, 0);
            }
            return true;
        } catch (ProtocolException e) {
            LOG.log(Level.WARNING, "{0}: {1} refused: {2}", name, Protocol.name(request), e.getMessage());
            if (hasDataReply(request)) {
                LOG.log(Level.WARNING, "{0}: {1} cannot be answered; dropping the frontend", name,
                        Protocol.name(request));
                return false;
            }
            return !ack || sendAck(request, 1);
        } catch (IOException e) {
            LOG.log(Level.INFO, "{0}: connection lost while replying: {1}", name, e.toString());
            return false;
        } catch (RuntimeException e) {
            // A device callback (featuresNegotiated, reset, readConfig) failed: the transport survives it.
            LOG.log(Level.ERROR, name + ": " + Protocol.name(request) + " failed in the device", e);
            return !hasDataReply(request) && (!ack || sendAck(request, 1));
        }
    }

    private static boolean hasDataReply(int request) {
        return switch (request) {
            case Protocol.GET_FEATURES, Protocol.GET_PROTOCOL_FEATURES, Protocol.GET_QUEUE_NUM,
                    Protocol.GET_VRING_BASE, Protocol.GET_MAX_MEM_SLOTS, Protocol.GET_STATUS -> true;
            default -> false;
        };
    }

    /**
     * Handles one request; the reply payload, if any, is put into {@link #reply}.
     *
     * @return whether the request has a reply of its own
     */
    private boolean handle(int request) throws ProtocolException, IOException {
        switch (request) {
            case Protocol.GET_FEATURES -> {
                expectNoPayload(request);
                reply.putLong(offeredFeatures());
                return true;
            }
            case Protocol.SET_FEATURES -> setFeatures(u64(request));
            case Protocol.SET_OWNER -> expectNoPayload(request);
            case Protocol.RESET_OWNER -> {
                expectNoPayload(request);
                resetDevice();
            }
            case Protocol.GET_PROTOCOL_FEATURES -> {
                expectNoPayload(request);
                reply.putLong(Protocol.PROTOCOL_FEATURES);
                return true;
            }
            case Protocol.SET_PROTOCOL_FEATURES -> {
                long features = u64(request);
                if ((features & ~Protocol.PROTOCOL_FEATURES) != 0) {
                    throw new ProtocolException(String.format("protocol features 0x%x include unoffered 0x%x",
                            features, features & ~Protocol.PROTOCOL_FEATURES));
                }
                protocolFeatures = features;
            }
            case Protocol.GET_QUEUE_NUM -> {
                expectNoPayload(request);
                reply.putLong(queues.length);
                return true;
            }
            case Protocol.GET_MAX_MEM_SLOTS -> {
                expectNoPayload(request);
                reply.putLong(GuestMemory.MAX_REGIONS);
                return true;
            }
            case Protocol.SET_MEM_TABLE -> setMemTable();
            case Protocol.ADD_MEM_REG -> addMemoryRegion();
            case Protocol.REM_MEM_REG -> removeMemoryRegion();
            case Protocol.SET_VRING_NUM -> {
                expectSize(request, VRING_STATE_SIZE, 0);
                queue(payload.getInt(0)).setSize(payload.getInt(4));
            }
            case Protocol.SET_VRING_BASE -> {
                expectSize(request, VRING_STATE_SIZE, 0);
                queue(payload.getInt(0)).setBase(payload.getInt(4));
            }
            case Protocol.SET_VRING_ADDR -> {
                expectSize(request, VRING_ADDR_SIZE, 0);
                queue(payload.getInt(0)).setAddresses(payload.getLong(8), payload.getLong(16), payload.getLong(24),
                        memory);
            }
            case Protocol.GET_VRING_BASE -> {
                expectSize(request, VRING_STATE_SIZE, 0);
                int index = payload.getInt(0);
                reply.putInt(index).putInt(stopQueue(queue(index)));
                return true;
            }
            case Protocol.SET_VRING_KICK, Protocol.SET_VRING_CALL, Protocol.SET_VRING_ERR -> setVringFd(request);
            case Protocol.SET_VRING_ENABLE -> {
                expectSize(request, VRING_STATE_SIZE, 0);
                VirtQueue queue = queue(payload.getInt(0));
                int enable = payload.getInt(4);
                if (enable != 0 && enable != 1) {
                    throw new ProtocolException("enable value " + Integer.toUnsignedString(enable) + " is not 0 or 1");
                }
                queue.setEnabled(enable == 1);
                queue.process();
            }
            case Protocol.GET_CONFIG -> {
                getConfig();
                return true;
            }
            case Protocol.SET_CONFIG -> throw new ProtocolException("the device's config space is read-only");
            case Protocol.RESET_DEVICE -> {
                expectNoPayload(request);
                resetDevice();
            }
            case Protocol.SET_STATUS -> {
                long value = u64(request);
                if ((value & ~0xffL) != 0) {
                    throw new ProtocolException(String.format("device status 0x%x exceeds 8 bits", value));
                }
                status = (int) value;
            }
            case Protocol.GET_STATUS -> {
                expectNoPayload(request);
                reply.putLong(status);
                return true;
            }
            default -> throw new ProtocolException("unsupported request");
        }
        return false;
    }

    private long offeredFeatures() {
        return device.offeredFeatures() & ~Protocol.UNSUPPORTED_TRANSPORT_FEATURES
                | Protocol.VHOST_USER_F_PROTOCOL_FEATURES;
    }

    private void setFeatures(long features) throws ProtocolException {
        long unoffered = features & ~offeredFeatures();
        if (unoffered != 0) {
            throw new ProtocolException(String.format("features 0x%x include unoffered 0x%x", features, unoffered));
        }
        protocolFeaturesNegotiated = (features & Protocol.VHOST_USER_F_PROTOCOL_FEATURES) != 0;
        long deviceFeatures = features & ~Protocol.VHOST_USER_F_PROTOCOL_FEATURES;
        for (VirtQueue queue : queues) {
            queue.negotiated(deviceFeatures);
            if (!protocolFeaturesNegotiated) {
                // Without VHOST_USER_F_PROTOCOL_FEATURES rings are enabled from the start.
                queue.setEnabled(true);
            }
        }
        negotiatedFeatures = deviceFeatures;
        device.featuresNegotiated(deviceFeatures);
    }

    /**
     * GET_CONFIG. The frontend waits for this reply whatever happens, so every
     * failure is answered, as the spec says, with an empty payload.
     */
    private void getConfig() {
        if (payload.limit() < CONFIG_HEADER_SIZE) {
            LOG.log(Level.WARNING, "{0}: GET_CONFIG payload of {1} bytes; answered with an empty payload", name,
                    payload.limit());
            return;
        }
        int offset = payload.getInt(0);
        int size = payload.getInt(4);
        long end = Integer.toUnsignedLong(offset) + Integer.toUnsignedLong(size);
        if (Integer.toUnsignedLong(size) != payload.limit() - CONFIG_HEADER_SIZE || end > device.configSize()
                || fdCount != 0) {
            LOG.log(Level.WARNING, "{0}: GET_CONFIG of {1} bytes at offset {2} with a {3}-byte payload and {4} fds"
                    + " does not fit the {5}-byte config space; answered with an empty payload", name,
                    Integer.toUnsignedString(size), Integer.toUnsignedString(offset), payload.limit(), fdCount,
                    device.configSize());
            return;
        }
        int start = reply.position();
        reply.putInt(offset).putInt(size).putInt(payload.getInt(8));
        try {
            device.readConfig(offset, reply.slice(reply.position(), size));
            reply.position(reply.position() + size);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, name + ": the device failed to read its config; answered with an empty payload", e);
            reply.position(start);
        }
    }

    private void setVringFd(int request) throws ProtocolException {
        expectPayload(request, U64_SIZE);
        long value = payload.getLong(0);
        if ((value & ~(Protocol.VRING_INDEX_MASK | Protocol.VRING_NOFD_MASK)) != 0) {
            throw new ProtocolException(String.format("payload 0x%x has bits beyond index and no-fd flag", value));
        }
        VirtQueue queue = queue((int) (value & Protocol.VRING_INDEX_MASK));
        boolean noFd = (value & Protocol.VRING_NOFD_MASK) != 0;
        expectFds(noFd ? 0 : 1);
        int fd = noFd ? -1 : takeFd(0);
        switch (request) {
            case Protocol.SET_VRING_KICK -> {
                queue.setKick(fd);
                queue.process();
            }
            case Protocol.SET_VRING_CALL -> queue.setCall(fd);
            default -> queue.setErr(fd);
        }
    }

    private int stopQueue(VirtQueue queue) {
        boolean wasStarted = queue.started();
        int base = queue.stopForBase();
        if (wasStarted && noneStarted()) {
            device.reset();
        }
        return base;
    }

    private boolean noneStarted() {
        for (VirtQueue queue : queues) {
            if (queue.started()) {
                return false;
            }
        }
        return true;
    }

    /** RESET_OWNER / RESET_DEVICE: every ring stopped and forgotten, features and status cleared. */
    private void resetDevice() {
        for (VirtQueue queue : queues) {
            queue.forget();
        }
        negotiatedFeatures = 0;
        protocolFeaturesNegotiated = false;
        status = 0;
        device.reset();
    }

    private void setMemTable() throws ProtocolException {
        if (payload.limit() < 8) {
            throw new ProtocolException("SET_MEM_TABLE payload of " + payload.limit() + " bytes");
        }
        int count = payload.getInt(0);
        if (count < 1 || count > Protocol.MAX_FDS) {
            throw new ProtocolException(Integer.toUnsignedString(count) + " memory regions (1 to " + Protocol.MAX_FDS
                    + " allowed)");
        }
        expectSize(Protocol.SET_MEM_TABLE, 8 + MEMORY_REGION_SIZE * count, count);
        GuestMemory table = GuestMemory.EMPTY;
        try {
            for (int i = 0; i < count; i++) {
                int at = 8 + MEMORY_REGION_SIZE * i;
                MemoryRegion region = MemoryRegion.map(fds[i], payload.getLong(at), payload.getLong(at + 8),
                        payload.getLong(at + 16), payload.getLong(at + 24));
                try {
                    table = table.with(region);
                } catch (ProtocolException e) {
                    region.unmap();
                    throw e;
                }
            }
        } catch (ProtocolException e) {
            for (MemoryRegion region : table.regions()) {
                region.unmap();
            }
            throw e;
        }
        GuestMemory old = memory;
        switchMemory(table);
        for (MemoryRegion region : old.regions()) {
            region.unmap();
        }
    }

    private void addMemoryRegion() throws ProtocolException {
        expectSize(Protocol.ADD_MEM_REG, 8 + MEMORY_REGION_SIZE, 1);
        MemoryRegion region = MemoryRegion.map(fds[0], payload.getLong(8), payload.getLong(16), payload.getLong(24),
                payload.getLong(32));
        GuestMemory grown;
        try {
            grown = memory.with(region);
        } catch (ProtocolException e) {
            region.unmap();
            throw e;
        }
        switchMemory(grown);
    }

    private void removeMemoryRegion() throws ProtocolException {
        if (fdCount > 1) {
            throw new ProtocolException(fdCount + " file descriptors (0 or 1 expected)");
        }
        expectSize(Protocol.REM_MEM_REG, 8 + MEMORY_REGION_SIZE, fdCount);
        MemoryRegion region = memory.find(payload.getLong(8), payload.getLong(16), payload.getLong(24));
        if (region == null) {
            throw new ProtocolException("no memory region " + MemoryRegion.describe(payload.getLong(8),
                    payload.getLong(16), payload.getLong(24), payload.getLong(32)));
        }
        switchMemory(memory.without(region));
        region.unmap();
    }

    /**
     * Makes every queue use {@code next}; the caller unmaps what went away
     * afterwards. A started queue whose rings {@code next} no longer holds stops;
     * when that leaves no queue started the device is reset, as when GET_VRING_BASE
     * stops the last one, so it does not keep chains that are void now.
     */
    private void switchMemory(GuestMemory next) {
        boolean anyStarted = !noneStarted();
        memory = next;
        for (VirtQueue queue : queues) {
            queue.memoryChanged(next);
        }
        if (anyStarted && noneStarted()) {
            device.reset();
        }
    }

    private VirtQueue queue(int index) throws ProtocolException {
        if (index < 0 || index >= queues.length) {
            throw new ProtocolException("queue index " + Integer.toUnsignedString(index) + " (the device has "
                    + queues.length + ")");
        }
        return queues[index];
    }

    private long u64(int request) throws ProtocolException {
        expectSize(request, U64_SIZE, 0);
        return payload.getLong(0);
    }

    private void expectNoPayload(int request) throws ProtocolException {
        expectSize(request, 0, 0);
    }

    private void expectSize(int request, int size, int fdsExpected) throws ProtocolException {
        expectPayload(request, size);
        expectFds(fdsExpected);
    }

    private void expectPayload(int request, int size) throws ProtocolException {
        if (payload.limit() != size) {
            throw new ProtocolException("payload of " + payload.limit() + " bytes (" + size + " expected for "
                    + Protocol.name(request) + ")");
        }
    }

    private void expectFds(int expected) throws ProtocolException {
        if (fdCount != expected) {
            throw new ProtocolException(fdCount + " file descriptors (" + expected + " expected)");
        }
    }

    private int takeFd(int index) {
        int fd = fds[index];
        fds[index] = -1;
        return fd;
    }

    /**
     * Takes the fds that came with the bytes read so far. junixsocket keeps the
     * received fds on a list of its own and closes whatever is still on it when the
     * socket closes, so each fd is duplicated for the transport to own and the
     * original is closed the way junixsocket notices (through its FileDescriptor);
     * closing it behind junixsocket's back would make it close a reused fd number
     * later.
     */
    private void collectFds() throws IOException {
        FileDescriptor[] received = socket.getReceivedFileDescriptors();
        if (received == null) {
            return;
        }
        for (FileDescriptor descriptor : received) {
            int fd = FileDescriptorCast.using(descriptor).as(Integer.class);
            if (fdCount < fds.length) {
                try {
                    fds[fdCount] = LibC.duplicate(fd);
                    fdCount++;
                } catch (LastErrorException e) {
                    LOG.log(Level.WARNING, "{0}: cannot keep a received fd, errno {1}", name, e.getErrorCode());
                }
            }
            new FileInputStream(descriptor).close();
        }
    }

    private void closeFds() {
        for (int i = 0; i < fdCount; i++) {
            LibC.closeQuietly(fds[i]);
        }
        fdCount = 0;
    }

    private boolean readFully(byte[] into, int length, boolean eofAllowedAtStart) throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(into, done, length - done);
            if (n < 0) {
                if (done == 0 && eofAllowedAtStart) {
                    return false;
                }
                throw new EOFException("message cut short after " + done + " of " + length + " bytes");
            }
            done += n;
        }
        return true;
    }

    private void sendReply(int request) throws IOException {
        int size = reply.position() - Protocol.HEADER_SIZE;
        reply.putInt(0, request).putInt(4, Protocol.VERSION | Protocol.FLAG_REPLY).putInt(8, size);
        out.write(reply.array(), 0, reply.position());
        out.flush();
    }

    private boolean sendAck(int request, long value) {
        reply.clear();
        reply.position(Protocol.HEADER_SIZE);
        reply.putLong(value);
        try {
            sendReply(request);
            return true;
        } catch (IOException e) {
            LOG.log(Level.INFO, "{0}: connection lost while replying: {1}", name, e.toString());
            return false;
        }
    }

    /**
     * Stops every ring, resets the device, unmaps guest memory, closes every fd and
     * the socket. Never fails.
     */
    @Override
    public void close() {
        for (VirtQueue queue : queues) {
            queue.forget();
        }
        GuestMemory old = memory;
        switchMemory(GuestMemory.EMPTY);
        for (MemoryRegion region : old.regions()) {
            region.unmap();
        }
        negotiatedFeatures = 0;
        closeFds();
        try {
            device.reset();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, name + ": the device failed to reset", e);
        }
        ListeningSocket.closeAccepted(socket);
    }
}
