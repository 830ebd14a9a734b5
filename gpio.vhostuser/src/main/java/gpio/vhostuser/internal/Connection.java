// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.newsclub.net.unix.AFUNIXSocket;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import gpio.vhostuser.VirtioDevice;

/**
 * One connected frontend: the poll loop that waits for its messages and the
 * kicks of its rings, and the handling of each request, all on the endpoint
 * thread (see {@link VhostUserEndpoint}). Message framing and fd passing are
 * {@link MessageChannel}'s job, guest memory {@link MemoryTable}'s, each ring
 * {@link VirtQueue}'s.
 *
 * <p>A frontend is not trusted. Every message is checked (header, payload size,
 * file descriptors, indexes, addresses); a bad one is logged and gets a failure
 * reply when REPLY_ACK allows one, while a broken stream (bad header, absurd
 * size, a message cut short) or a failed request that must be answered with data
 * drops the connection. File descriptors a message brings are always either
 * kept by what they are for or closed.
 */
final class Connection implements AutoCloseable {

    /** What the endpoint lends the poll loop of the connection it serves. */
    interface Host {

        /** The eventfd other threads write to wake the endpoint thread. */
        int wakeFd();

        /** Whether the endpoint is closing; checked after every wake-up. */
        boolean closing();

        /** The socket further frontends connect to, polled so that they are refused at once. */
        ListeningSocket listening();

        /**
         * Accepts a frontend waiting on {@code socket}, if the endpoint still
         * listens there, closes it and logs that.
         *
         * @return false when accepting failed: the loop stops polling the socket
         *         for this connection, so that a persistent error does not spin
         */
        boolean refuse(ListeningSocket socket);
    }

    private static final Logger LOG = System.getLogger(Connection.class.getName());
    /** Poll interval for rings whose frontend asked for polling instead of kicks. */
    private static final int RING_POLL_MILLIS = 1;
    /** How often an otherwise idle connection checks that its socket is still there (see {@link #frontendSocketWatched}). */
    private static final int SOCKET_CHECK_MILLIS = 1000;
    /** How long the rings are watched after a kick that brought several chains (see {@link #watchRings}). */
    private static final long BATCH_WATCH_NANOS = 20_000;
    /** The longest the endpoint thread watches the rings before it looks at the frontend's socket again. */
    private static final long MAX_RING_WATCH_NANOS = 1_000_000;
    private static final int CONFIG_HEADER_SIZE = 12;
    private static final int VRING_STATE_SIZE = 8;
    private static final int VRING_ADDR_SIZE = 40;
    private static final int U64_SIZE = 8;
    private static final int WAKE_SLOT = 0;
    private static final int FRONTEND_SLOT = 1;
    private static final int LISTENING_SLOT = 2;
    private static final int FIRST_KICK_SLOT = 3;

    private final VirtioDevice device;
    private final String name;
    private final VirtQueue[] queues;
    private final MemoryTable memory;
    private final MessageChannel channel;
    /**
     * The events epoll_wait returns, one per slot at most, then one event for
     * epoll_ctl, then 8 bytes of scratch for draining the wake-up eventfd.
     */
    private final Memory epollEvents;
    /**
     * {@link #epollEvents} seen from Java: a direct buffer's accesses are compiled
     * to plain loads and stores, where each {@link Memory} accessor is a native call.
     */
    private final ByteBuffer epollFields;
    private final long controlEventAddress;
    private final ByteBuffer controlFields;
    private final long scratchAddress;
    /** The fd each slot's epoll registration is for, -1 for none. */
    private final int[] watched;
    /** The epoll events seen for each slot by the last wait. */
    private final int[] ready;
    /** The listening socket whose fd is registered in {@link #LISTENING_SLOT}. */
    private ListeningSocket watchedListening;
    private final int epollFd;

    private volatile long negotiatedFeatures;
    private boolean protocolFeaturesNegotiated;
    private long protocolFeatures;
    private int status;

    /** Serves {@code socket}; when this constructor fails the caller still closes the socket. */
    Connection(AFUNIXSocket socket, VirtioDevice device, String name) throws IOException {
        this.device = device;
        this.name = name;
        // The device is asked first: when it fails, nothing has been opened yet.
        this.queues = new VirtQueue[device.queueCount()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new VirtQueue(i, device, queue -> unwatch(FIRST_KICK_SLOT + queue));
        }
        this.memory = new MemoryTable(queues, device, name);
        this.channel = new MessageChannel(socket, name);
        int slots = FIRST_KICK_SLOT + queues.length;
        long eventsSize = (long) LibC.EPOLL_EVENT_SIZE * (slots + 1);
        this.epollEvents = new Memory(eventsSize + U64_SIZE);
        this.epollFields = epollEvents.getByteBuffer(0, eventsSize).order(ByteOrder.nativeOrder());
        this.controlEventAddress = Pointer.nativeValue(epollEvents) + (long) LibC.EPOLL_EVENT_SIZE * slots;
        this.controlFields = epollEvents.getByteBuffer((long) LibC.EPOLL_EVENT_SIZE * slots, LibC.EPOLL_EVENT_SIZE)
                .order(ByteOrder.nativeOrder());
        this.scratchAddress = Pointer.nativeValue(epollEvents) + eventsSize;
        this.watched = new int[slots];
        Arrays.fill(watched, -1);
        this.ready = new int[slots];
        this.epollFd = LibC.newEpoll(); // last: nothing after it can fail
    }

    int socketFd() {
        return channel.socketFd();
    }

    long negotiatedFeatures() {
        return negotiatedFeatures;
    }

    /** Interrupts the endpoint thread's work on this connection from another thread; see {@link MessageChannel#shutdown}. */
    void shutdown() {
        channel.shutdown();
    }

    /**
     * Serves the frontend until it disconnects, breaks the protocol beyond repair,
     * or the host is closing after a wake-up. Frontends connecting to the host's
     * socket meanwhile are refused at once.
     *
     * <p>One epoll instance watches the wake-up eventfd, the frontend's socket,
     * the listening socket and the kick eventfds. The kick eventfds are
     * edge-triggered and never read: each kick is one event (an eventfd reports
     * every write), the ring itself says what there is to do, and the read(2) per
     * kick that level-triggered polling needs is saved. Whatever else an fd given
     * as a kick fd is, it can make at most one event per write either, so no fd a
     * frontend passes can make this thread spin.
     */
    void serve(Host host) {
        int wakeFd = host.wakeFd();
        watch(WAKE_SLOT, wakeFd, false);
        watch(FRONTEND_SLOT, channel.socketFd(), false);
        boolean refusing = true;
        while (!host.closing()) {
            ListeningSocket listening = host.listening();
            if (listening != watchedListening || !refusing) {
                // A socket moved to another path is a new fd, perhaps with the old one's number.
                unwatch(LISTENING_SLOT);
                watchedListening = null;
                if (refusing && watch(LISTENING_SLOT, listening.fd(), false)) {
                    watchedListening = listening;
                }
            }
            boolean polling = false;
            for (int i = 0; i < queues.length; i++) {
                watchKick(i);
                polling |= queues[i].polling();
            }
            int count = LibC.epollWait(epollFd, Pointer.nativeValue(epollEvents), watched.length,
                    polling ? RING_POLL_MILLIS : SOCKET_CHECK_MILLIS);
            if (count < 0) {
                if (LibC.errno() == LibC.EINTR) {
                    continue;
                }
                LOG.log(Level.ERROR, "{0}: epoll_wait failed with errno {1}; dropping the frontend", name,
                        LibC.errno());
                return;
            }
            Arrays.fill(ready, 0);
            for (int i = 0; i < count; i++) {
                int at = i * LibC.EPOLL_EVENT_SIZE;
                ready[(int) epollFields.getLong(at + LibC.EPOLL_DATA_OFFSET)] |= epollFields.getInt(at);
            }
            // Checked when idle, and before a waiting frontend is refused because of this one.
            if ((count == 0 && !polling || ready[LISTENING_SLOT] != 0) && !frontendSocketWatched()) {
                LOG.log(Level.ERROR, "{0}: the frontend''s socket (fd {1}) was closed by something else in this"
                        + " process; dropping the frontend", name, watched[FRONTEND_SLOT]);
                watched[FRONTEND_SLOT] = -1; // nothing left to unregister
                channel.socketLost();
                return;
            }
            boolean woken = ready[WAKE_SLOT] != 0;
            if (woken) {
                LibC.readCounter(wakeFd, scratchAddress);
            }
            // Kicks first, even on a wake-up: an edge-triggered kick is reported once.
            int taken = serviceKicks();
            if (taken >= 0) {
                watchRings(taken);
            }
            if (woken) {
                continue; // closing, or another listening socket: look at that first
            }
            if (ready[FRONTEND_SLOT] != 0) {
                if (!handleMessage()) {
                    return;
                }
            } else if (ready[LISTENING_SLOT] != 0) {
                // Only once the connected frontend has nothing more to say: one that closed its socket
                // and connected again shows both at once, and its new connection is then served, not refused.
                refusing = host.refuse(listening);
            }
        }
    }

    /**
     * Whether the frontend's socket is still the file epoll watches. epoll forgets
     * a file that is closed without a word, where poll(2) would report POLLNVAL; a
     * close behind the transport's back (junixsocket closes the socket when a write
     * fails, see {@link ListeningSocket#closeAccepted}, which every write here now
     * heeds; or a bug elsewhere in the process) would otherwise leave the
     * connection waiting for ever and every later frontend refused. The fd number
     * may even have been reused, by a file another slot watches.
     */
    private boolean frontendSocketWatched() {
        int fd = watched[FRONTEND_SLOT];
        for (int slot = 0; slot < watched.length; slot++) {
            if (slot != FRONTEND_SLOT && watched[slot] == fd) {
                return false;
            }
        }
        controlFields.putInt(0, LibC.EPOLLIN);
        controlFields.putLong(LibC.EPOLL_DATA_OFFSET, FRONTEND_SLOT);
        return LibC.epollControl(epollFd, LibC.EPOLL_CTL_MOD, fd, controlEventAddress) == 0;
    }

    /** Watches the kick fd of queue {@code i}, edge-triggered; drops a kick fd epoll refuses. */
    private void watchKick(int i) {
        VirtQueue queue = queues[i];
        int fd = queue.kickFd();
        if (fd >= 0 && watched[FIRST_KICK_SLOT + i] != fd && !watch(FIRST_KICK_SLOT + i, fd, true)) {
            LOG.log(Level.WARNING, "{0}: kick fd of queue {1} cannot be watched (epoll_ctl errno {2}), so it is no"
                    + " eventfd; it is dropped", name, i, LibC.errno());
            queue.forgetKick();
        }
    }

    /**
     * Processes the rings that were kicked (or are polled).
     *
     * @return how many chains the kicked rings gave, -1 when no ring was kicked
     */
    private int serviceKicks() {
        int taken = -1;
        for (int i = 0; i < queues.length; i++) {
            VirtQueue queue = queues[i];
            int events = ready[FIRST_KICK_SLOT + i];
            if ((events & (LibC.EPOLLERR | LibC.EPOLLHUP)) != 0) {
                LOG.log(Level.WARNING, "{0}: kick fd of queue {1} failed (epoll events 0x{2}); it is dropped",
                        name, i, Integer.toHexString(events));
                queue.forgetKick();
            } else if ((events & LibC.EPOLLIN) != 0) {
                taken = Math.max(taken, 0) + queue.process();
            } else if (queue.polling()) {
                queue.process();
            }
        }
        return taken;
    }

    /**
     * Keeps taking buffers without kicks, the driver asked not to kick meanwhile,
     * until none came for a while; then asks for kicks again (each ring looked at
     * once more) and returns to epoll_wait. For how long: the device's ring polling
     * ({@link VirtioDevice#ringPollNanos()}) when it asks for it; otherwise
     * {@link #BATCH_WATCH_NANOS} after a kick that brought more than one chain,
     * and not at all after a single one. A driver that keeps several requests in
     * flight sends the next within microseconds of an answer, and taking it
     * without a kick costs both sides less than a sleep, a kick and a wake-up (a
     * driver with one request at a time would only make the thread spin). Returns
     * after {@link #MAX_RING_WATCH_NANOS} at the latest, so that frontend messages
     * (a ring stop when the VM pauses) wait no longer than that behind a guest that
     * never stops sending.
     *
     * @param taken how many chains the kick brought
     */
    private void watchRings(int taken) {
        long window = device.ringPollNanos();
        if (window <= 0) {
            if (taken < 2) {
                return;
            }
            window = BATCH_WATCH_NANOS;
        }
        long now = System.nanoTime();
        long end = now + MAX_RING_WATCH_NANOS;
        long idleUntil = now + window;
        while (now - idleUntil < 0 && now - end < 0) {
            boolean took = false;
            for (VirtQueue queue : queues) {
                if (queue.hasAvailable()) {
                    queue.process(true);
                    took = true;
                }
            }
            now = System.nanoTime();
            if (took) {
                idleUntil = now + window;
            } else {
                Thread.onSpinWait();
            }
        }
        for (VirtQueue queue : queues) {
            queue.process();
        }
    }

    /**
     * Makes {@code slot} watch {@code fd} for input, level-triggered or
     * {@code edgeTriggered}, instead of what it watched.
     *
     * @return false when epoll refuses the fd (see {@link LibC#errno()}); the slot then watches nothing
     */
    private boolean watch(int slot, int fd, boolean edgeTriggered) {
        unwatch(slot);
        controlFields.putInt(0, LibC.EPOLLIN | (edgeTriggered ? LibC.EPOLLET : 0));
        controlFields.putLong(LibC.EPOLL_DATA_OFFSET, slot);
        if (LibC.epollControl(epollFd, LibC.EPOLL_CTL_ADD, fd, controlEventAddress) != 0) {
            return false;
        }
        watched[slot] = fd;
        return true;
    }

    /**
     * Makes {@code slot} watch nothing. The fd it watched must still be open, or
     * closed for good: the listening socket, which another thread closes when it
     * moves. Its number may then be another slot's new fd, whose registration
     * stays (the closed socket's went with it).
     */
    private void unwatch(int slot) {
        int fd = watched[slot];
        if (fd < 0) {
            return;
        }
        watched[slot] = -1;
        for (int other : watched) {
            if (other == fd) {
                return;
            }
        }
        LibC.epollControl(epollFd, LibC.EPOLL_CTL_DEL, fd, controlEventAddress);
    }

    /**
     * Reads and handles one message.
     *
     * @return false when the connection is over
     */
    private boolean handleMessage() {
        if (!channel.read()) {
            return false;
        }
        try {
            return dispatch(channel.request(), channel.needsReply());
        } finally {
            channel.endMessage();
        }
    }

    private boolean dispatch(int request, boolean needReply) {
        boolean ack = needReply && (protocolFeatures & (1L << Protocol.F_REPLY_ACK)) != 0;
        try {
            ByteBuffer reply = channel.startReply();
            if (handle(request, reply)) {
                channel.sendReply(request);
            } else if (ack) {
                // A failed write means the connection is gone (junixsocket has closed the socket then).
                return channel.sendAck(request, 0);
            }
            return true;
        } catch (ProtocolException e) {
            LOG.log(Level.WARNING, "{0}: {1} refused: {2}", name, Protocol.name(request), e.getMessage());
            if (hasDataReply(request)) {
                LOG.log(Level.WARNING, "{0}: {1} cannot be answered; dropping the frontend", name,
                        Protocol.name(request));
                return false;
            }
            return !ack || channel.sendAck(request, 1);
        } catch (IOException e) {
            LOG.log(Level.INFO, "{0}: connection lost while replying: {1}", name, e.toString());
            return false;
        } catch (RuntimeException e) {
            // A device callback (featuresNegotiated, reset, readConfig) failed: the transport survives it.
            LOG.log(Level.ERROR, name + ": " + Protocol.name(request) + " failed in the device", e);
            return !hasDataReply(request) && (!ack || channel.sendAck(request, 1));
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
     * Handles one request; the reply payload, if any, is put into {@code reply}.
     *
     * @return whether the request has a reply of its own
     */
    private boolean handle(int request, ByteBuffer reply) throws ProtocolException {
        ByteBuffer payload = channel.payload();
        switch (request) {
            case Protocol.GET_FEATURES -> {
                channel.expectNoPayload(request);
                reply.putLong(offeredFeatures());
                return true;
            }
            case Protocol.SET_FEATURES -> setFeatures(channel.u64(request));
            case Protocol.SET_OWNER -> channel.expectNoPayload(request);
            case Protocol.RESET_OWNER, Protocol.RESET_DEVICE -> {
                channel.expectNoPayload(request);
                resetDevice();
            }
            case Protocol.GET_PROTOCOL_FEATURES -> {
                channel.expectNoPayload(request);
                reply.putLong(Protocol.PROTOCOL_FEATURES);
                return true;
            }
            case Protocol.SET_PROTOCOL_FEATURES -> {
                long features = channel.u64(request);
                if ((features & ~Protocol.PROTOCOL_FEATURES) != 0) {
                    throw new ProtocolException(String.format("protocol features 0x%x include unoffered 0x%x",
                            features, features & ~Protocol.PROTOCOL_FEATURES));
                }
                protocolFeatures = features;
            }
            case Protocol.GET_QUEUE_NUM -> {
                channel.expectNoPayload(request);
                reply.putLong(queues.length);
                return true;
            }
            case Protocol.GET_MAX_MEM_SLOTS -> {
                channel.expectNoPayload(request);
                reply.putLong(GuestMemory.MAX_REGIONS);
                return true;
            }
            case Protocol.SET_MEM_TABLE -> memory.replace(channel);
            case Protocol.ADD_MEM_REG -> memory.add(channel);
            case Protocol.REM_MEM_REG -> memory.remove(channel);
            case Protocol.SET_VRING_NUM -> {
                channel.expectSize(request, VRING_STATE_SIZE, 0);
                queue(payload.getInt(0)).setSize(payload.getInt(4));
            }
            case Protocol.SET_VRING_BASE -> {
                channel.expectSize(request, VRING_STATE_SIZE, 0);
                queue(payload.getInt(0)).setBase(payload.getInt(4));
            }
            case Protocol.SET_VRING_ADDR -> {
                channel.expectSize(request, VRING_ADDR_SIZE, 0);
                VirtQueue queue = queue(payload.getInt(0));
                started(queue, queue.setAddresses(payload.getLong(8), payload.getLong(16), payload.getLong(24),
                        memory.current()));
            }
            case Protocol.GET_VRING_BASE -> {
                channel.expectSize(request, VRING_STATE_SIZE, 0);
                int index = payload.getInt(0);
                reply.putInt(index).putInt(stopQueue(queue(index)));
                return true;
            }
            case Protocol.SET_VRING_KICK, Protocol.SET_VRING_CALL, Protocol.SET_VRING_ERR -> setVringFd(request);
            case Protocol.SET_VRING_ENABLE -> {
                channel.expectSize(request, VRING_STATE_SIZE, 0);
                VirtQueue queue = queue(payload.getInt(0));
                int enable = payload.getInt(4);
                if (enable != 0 && enable != 1) {
                    throw new ProtocolException("enable value " + Integer.toUnsignedString(enable) + " is not 0 or 1");
                }
                queue.setEnabled(enable == 1);
                queue.process();
            }
            case Protocol.GET_CONFIG -> {
                getConfig(reply);
                return true;
            }
            case Protocol.SET_CONFIG -> throw new ProtocolException("the device's config space is read-only");
            case Protocol.SET_STATUS -> {
                long value = channel.u64(request);
                if ((value & ~0xffL) != 0) {
                    throw new ProtocolException(String.format("device status 0x%x exceeds 8 bits", value));
                }
                if (value == 0 && status != 0) {
                    // Writing 0 resets a virtio device. QEMU never sends it for GPIO (see
                    // gpio.itest/guest/END-TO-END.md); another frontend may.
                    voidRings();
                    device.reset();
                }
                status = (int) value;
            }
            case Protocol.GET_STATUS -> {
                channel.expectNoPayload(request);
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
    private void getConfig(ByteBuffer reply) {
        ByteBuffer payload = channel.payload();
        if (payload.limit() < CONFIG_HEADER_SIZE) {
            LOG.log(Level.WARNING, "{0}: GET_CONFIG payload of {1} bytes; answered with an empty payload", name,
                    payload.limit());
            return;
        }
        int offset = payload.getInt(0);
        int size = payload.getInt(4);
        long end = Integer.toUnsignedLong(offset) + Integer.toUnsignedLong(size);
        if (Integer.toUnsignedLong(size) != payload.limit() - CONFIG_HEADER_SIZE || end > device.configSize()
                || channel.fdCount() != 0) {
            LOG.log(Level.WARNING, "{0}: GET_CONFIG of {1} bytes at offset {2} with a {3}-byte payload and {4} fds"
                    + " does not fit the {5}-byte config space; answered with an empty payload", name,
                    Integer.toUnsignedString(size), Integer.toUnsignedString(offset), payload.limit(),
                    channel.fdCount(), device.configSize());
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
        channel.expectPayload(request, U64_SIZE);
        long value = channel.payload().getLong(0);
        if ((value & ~(Protocol.VRING_INDEX_MASK | Protocol.VRING_NOFD_MASK)) != 0) {
            throw new ProtocolException(String.format("payload 0x%x has bits beyond index and no-fd flag", value));
        }
        VirtQueue queue = queue((int) (value & Protocol.VRING_INDEX_MASK));
        boolean noFd = (value & Protocol.VRING_NOFD_MASK) != 0;
        channel.expectFds(noFd ? 0 : 1);
        int fd = noFd ? -1 : channel.takeFd(0);
        switch (request) {
            case Protocol.SET_VRING_KICK -> {
                started(queue, queue.setKick(fd));
                queue.process();
            }
            case Protocol.SET_VRING_CALL -> queue.setCall(fd);
            default -> queue.setErr(fd);
        }
    }

    /**
     * GET_VRING_BASE, as when the VM stops running: not a reset. The device first
     * finishes the chains of this queue it is carrying out, so that the index
     * returned is honest; then the ring is suspended (see {@link VirtQueue}).
     */
    private int stopQueue(VirtQueue queue) {
        if (queue.started()) {
            device.quiesce(queue.index);
        }
        return queue.suspend();
    }

    /** Stops every ring for good: the chains of the current driver are void. */
    private void voidRings() {
        for (VirtQueue queue : queues) {
            queue.stop();
        }
    }

    /**
     * A ring started: if its driver started over, whatever the device held for the
     * old one goes; a new session is announced to the device with where its ring is.
     */
    private void started(VirtQueue queue, VirtQueue.Start start) {
        if (start == VirtQueue.Start.STARTED_OVER) {
            LOG.log(Level.INFO, "{0}: queue {1} restarted with a new ring: the driver started over; resetting"
                    + " the device", name, queue.index);
            for (VirtQueue other : queues) {
                if (!other.started()) {
                    other.stop(); // a suspended ring of the old driver
                }
            }
            device.reset();
        }
        if (start == VirtQueue.Start.FRESH || start == VirtQueue.Start.STARTED_OVER) {
            device.queueStarted(queue.index, queue.position());
        }
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

    private VirtQueue queue(int index) throws ProtocolException {
        if (index < 0 || index >= queues.length) {
            throw new ProtocolException("queue index " + Integer.toUnsignedString(index) + " (the device has "
                    + queues.length + ")");
        }
        return queues[index];
    }

    private void tellClosed(VirtQueue queue) {
        try {
            device.queueClosed(queue.index, queue.position());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, name + ": the device failed to take the end of queue " + queue.index, e);
        }
    }

    /**
     * Tells the device where each ring with a session was left, stops every ring,
     * unmaps guest memory, resets the device, and closes every fd and the socket. Touches no guest memory (stopping a ring writes nothing
     * into it), so it also works after the memory faulted. The socket and fds are
     * closed whatever else fails.
     */
    @Override
    public void close() {
        try {
            try {
                for (VirtQueue queue : queues) {
                    if (queue.live()) {
                        tellClosed(queue);
                    }
                    queue.forget();
                }
            } finally {
                memory.release();
            }
            negotiatedFeatures = 0;
            try {
                device.reset();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, name + ": the device failed to reset", e);
            }
        } finally {
            LibC.closeQuietly(epollFd);
            channel.close();
        }
    }
}
