// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import gpio.vhostuser.RingPosition;
import gpio.vhostuser.VirtioDevice;

/**
 * One split virtqueue as the backend sees it: its configuration from the
 * frontend (size, ring addresses, base, eventfds), its state (stopped, started,
 * enabled) and the processing of the available ring.
 *
 * <h2>Threading and lifetime</h2>
 * Everything is driven by the endpoint thread (see {@link VhostUserEndpoint}):
 * messages, kicks, parsing the available ring, {@link VirtioDevice#handle}.
 * The one exception is {@link Chain#complete} (and {@link Chain#read} /
 * {@link Chain#write}), which a device may call from any thread. Those take
 * this queue's monitor, and so does everything that writes the used ring, swaps
 * guest memory or stops the ring; so a chain never touches memory that was
 * unmapped, and the used ring has one writer at a time. The lock is
 * uncontended unless the device completes from another thread.
 *
 * <p>Chains are pooled per <em>ring session</em>: each start of the ring creates
 * a fresh session token and a fresh pool (one chain per head index, created on
 * first use), and every chain operation checks, under the lock, that its
 * session is still the queue's current one. A stale chain from before a reset or
 * a stop can therefore never complete (or read, or write) a newer request.
 *
 * <h2>Stop and resume</h2>
 * GET_VRING_BASE does not void the session: QEMU stops the rings whenever the VM
 * stops running (a pause, a snapshot) and starts them again on resume, and the
 * guest's driver knows nothing of it. The ring is <em>suspended</em>: it takes
 * no more chains and writes nothing into the used ring, but the chains the device
 * holds (eventq buffers waiting for an interrupt) stay valid, and a completion
 * made meanwhile is parked. When the ring starts again exactly where it stopped
 * (same size and addresses, the returned base, the used index untouched) the
 * session resumes and the parked completions are published; a ring that restarts
 * any other way belongs to a driver that started over (a guest reboot), so the
 * session is voided and the start reports {@link Start#STARTED_OVER}. A real
 * stop ({@link #stop}: reset, disconnect, rings outside new memory) voids it.
 *
 * <h2>Notifications</h2>
 * While the endpoint thread processes a kick's batch, completions only publish
 * used entries; the call eventfd is written once after the batch, if the driver
 * wants it ({@code VRING_AVAIL_F_NO_INTERRUPT}, or {@code used_event} with
 * {@code VIRTIO_RING_F_EVENT_IDX}). Completions from other threads notify at
 * once. While it drains a ring the backend asks the driver not to kick
 * ({@code VRING_USED_F_NO_NOTIFY}, or with EVENT_IDX an {@code avail_event} it
 * only moves once the ring is empty), then looks at the ring once more.
 *
 * <h2>Ring indexes and faults</h2>
 * The 16-bit ring fields shared with the driver are read with a plain load
 * followed by an acquire fence and written with a release fence followed by a
 * plain store ({@link #loadAcquire}, {@link #storeRelease}), not with VarHandle
 * acquire/release accesses, although that is what they amount to. The reason is a
 * frontend that shrinks its memory under the mapping: the next access raises
 * SIGBUS, which the JVM (17) turns into an {@link InternalError} for plain
 * accesses and copies whether interpreted or compiled, but a VarHandle release
 * store of a short that runs interpreted dies in the JVM's signal handler and
 * takes the whole process down. (Checked on OpenJDK 17.0.15, x86-64.)
 */
final class VirtQueue {

    private static final Logger LOG = System.getLogger(VirtQueue.class.getName());

    static final int DESCRIPTOR_SIZE = 16;
    static final int DESC_F_NEXT = 1;
    static final int DESC_F_WRITE = 2;
    static final int DESC_F_INDIRECT = 4;
    static final int AVAIL_F_NO_INTERRUPT = 1;
    static final int USED_F_NO_NOTIFY = 1;
    /** Virtio feature bit numbers the transport implements. */
    static final int VIRTIO_RING_F_INDIRECT_DESC = 28;
    static final int VIRTIO_RING_F_EVENT_IDX = 29;
    /** The largest split ring the virtio spec allows. */
    static final int MAX_SIZE = 32768;

    private static final int FAULTS_LOGGED_IN_FULL = 20;
    private static final long FAULT_LOG_INTERVAL = 10_000;
    /** The 8-byte value 1 written to call eventfds; never freed, shared by all queues. */
    private static final Memory ONE = new Memory(8);

    static {
        ONE.setLong(0, 1);
    }

    private static final long ONE_ADDRESS = Pointer.nativeValue(ONE);

    final int index;
    private final VirtioDevice device;
    private final KickWatch kickWatch;
    private final int maxSize;

    // Configuration and ring parsing state, written by the endpoint thread only. Completing threads
    // read three of these fields, under the lock and only for the current session (pushUsed,
    // notifyIfNeeded): size, which changes only while the ring is stopped and is published to them by
    // the synchronized start of a session; avail, which is only ever replaced under the lock; and
    // eventIdx, which changes with SET_FEATURES. A sane frontend never sends that on a started ring;
    // if one does, a completion may use the old suppression rule once, costing a spurious or a
    // missed call but touching nothing outside the rings.
    private int size;
    private long descUser;
    private long availUser;
    private long usedUser;
    private boolean addressesSet;
    private int base;
    private int kickFd = -1;
    private boolean kickPolling;
    private boolean kickSet;
    private int errFd = -1;
    private boolean enabled;
    private boolean broken;
    private boolean eventIdx;
    private boolean indirect;
    private int lastAvail;
    /** The ring a suspended session belongs to; a restart with anything else starts over. */
    private int suspendedSize;
    private int suspendedBase;
    private long suspendedDesc;
    private long suspendedAvail;
    private long suspendedUsed;
    /** Bad chains seen since the ring started. */
    private long faults;
    private ByteBuffer desc;
    private ByteBuffer avail;
    /** Scratch for one indirect descriptor, endpoint thread only. */
    private final ByteBuffer indirectScratch = ByteBuffer.allocate(DESCRIPTOR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    /** Where the indirect table of the chain being loaded lies; endpoint thread only, valid during one load. */
    private final GuestMemory.Location indirectTable = new GuestMemory.Location();

    // Shared with completing threads: guarded by this.
    private GuestMemory memory = GuestMemory.EMPTY;
    /** The endpoint thread while it is in {@link VirtioDevice#handle}, else null (see {@link #dispatchingOn}). */
    private Thread dispatcher;
    private ByteBuffer used;
    private int callFd = -1;
    private Object session;
    private Chain[] chains;
    /**
     * Stopped by GET_VRING_BASE with the session kept (see "Stop and resume"):
     * chains stay valid, completions are parked.
     */
    private boolean suspended;
    /** Completions made while suspended, published in order when the ring resumes. */
    private int[] parkedHeads = new int[0];
    private int[] parkedLengths = new int[0];
    private int parkedCount;
    private int usedIdx;
    private int signalledUsed;
    private boolean signalledValid;
    private boolean batchActive;

    /** Who watches the kick fds: told before one is closed. */
    interface KickWatch {
        /**
         * The kick fd of {@code queue} is about to be closed: stop watching it
         * while it is still open (epoll would go on reporting a closed fd whose
         * file the frontend keeps open).
         */
        void unwatch(int queue);
    }

    VirtQueue(int index, VirtioDevice device, KickWatch kickWatch) {
        this.index = index;
        this.device = device;
        this.kickWatch = kickWatch;
        this.maxSize = Math.min(MAX_SIZE, device.maxQueueSize());
    }

    /** What a ring start was. */
    enum Start {
        /** Not started: kick fd or addresses still missing, or started already. */
        NOT_YET,
        /** A fresh start: nothing was held from before. */
        FRESH,
        /** A suspended session carries on where it stopped. */
        RESUMED,
        /** The ring restarted differently from where it was suspended: the driver started over. */
        STARTED_OVER
    }

    /** Whether the ring is started (and not suspended). */
    boolean started() {
        return session != null && !suspended;
    }

    /** Whether the ring has a session, started or suspended: chains of it may be held by the device. */
    boolean live() {
        return session != null;
    }

    /**
     * Where the ring is and how far the device got in it: the next available
     * index to take and the used index published last (completions parked while
     * suspended are not published yet). Reads no guest memory.
     */
    synchronized RingPosition position() {
        return new RingPosition(size, descUser, availUser, usedUser, lastAvail, usedIdx);
    }

    /** Whether any of {@code queues} is {@link #live()}. */
    static boolean anyLive(VirtQueue[] queues) {
        for (VirtQueue queue : queues) {
            if (queue.live()) {
                return true;
            }
        }
        return false;
    }

    int kickFd() {
        return kickFd;
    }

    /** Whether the ring must be polled because the frontend gave no kick fd. */
    boolean polling() {
        return kickPolling && started() && enabled;
    }

    void setSize(int newSize) throws ProtocolException {
        requireStopped("SET_VRING_NUM");
        if (newSize < 1 || newSize > maxSize || Integer.bitCount(newSize) != 1) {
            throw new ProtocolException("queue " + index + ": size " + Integer.toUnsignedString(newSize)
                    + " is not a power of two from 1 to " + maxSize);
        }
        size = newSize;
        addressesSet = false;
    }

    void setBase(int newBase) throws ProtocolException {
        requireStopped("SET_VRING_BASE");
        if ((newBase & ~0xffff) != 0) {
            throw new ProtocolException("queue " + index + ": base " + Integer.toUnsignedString(newBase)
                    + " exceeds 16 bits");
        }
        base = newBase;
    }

    void setEnabled(boolean on) {
        enabled = on;
    }

    /**
     * Sets the ring addresses (frontend user addresses), checking that each
     * ring lies entirely inside one memory region and is aligned.
     */
    Start setAddresses(long descAddress, long usedAddress, long availAddress, GuestMemory current)
            throws ProtocolException {
        if (size == 0) {
            throw new ProtocolException("queue " + index + ": SET_VRING_ADDR before SET_VRING_NUM");
        }
        if ((descAddress & 15) != 0 || (availAddress & 1) != 0 || (usedAddress & 3) != 0) {
            throw new ProtocolException(String.format(
                    "queue %d: misaligned ring addresses desc 0x%x avail 0x%x used 0x%x", index, descAddress,
                    availAddress, usedAddress));
        }
        RingViews views = mapRings(current, descAddress, availAddress, usedAddress);
        descUser = descAddress;
        availUser = availAddress;
        usedUser = usedAddress;
        addressesSet = true;
        install(views, current);
        return startIfReady();
    }

    private record RingViews(ByteBuffer desc, ByteBuffer avail, ByteBuffer used) {
    }

    private RingViews mapRings(GuestMemory current, long descAddress, long availAddress, long usedAddress)
            throws ProtocolException {
        return new RingViews(ring(current, "descriptor table", descAddress, DESCRIPTOR_SIZE * size),
                ring(current, "available ring", availAddress, 6 + 2 * size),
                ring(current, "used ring", usedAddress, 6 + 8 * size));
    }

    private ByteBuffer ring(GuestMemory current, String what, long address, int length) throws ProtocolException {
        MemoryRegion region = current.regionForUser(address, length);
        if (region == null) {
            throw new ProtocolException(String.format("queue %d: %s at user address 0x%x (%d bytes) is outside"
                    + " guest memory", index, what, address, length));
        }
        return region.userWindow(address, length);
    }

    private synchronized void install(RingViews views, GuestMemory current) {
        desc = views.desc;
        avail = views.avail;
        used = views.used;
        memory = current;
    }

    /**
     * Guest memory changed: re-translate the ring addresses. Called with the old
     * regions still mapped; the caller unmaps them after every queue switched.
     */
    void memoryChanged(GuestMemory current) {
        if (!addressesSet) {
            synchronized (this) {
                memory = current;
            }
            return;
        }
        try {
            install(mapRings(current, descUser, availUser, usedUser), current);
        } catch (ProtocolException e) {
            LOG.log(Level.WARNING, "{0}; the queue stops", e.getMessage());
            stop();
            addressesSet = false;
            synchronized (this) {
                desc = null;
                avail = null;
                used = null;
                memory = current;
            }
        }
    }

    /**
     * SET_VRING_KICK: {@code fd} or, when negative, polling. Takes ownership of
     * the fd and makes it non-blocking, so that a frontend draining its own kick fd
     * (or passing something that is not an eventfd) can never block the endpoint
     * thread in read.
     */
    Start setKick(int fd) {
        LibC.setNonBlocking(fd);
        kickWatch.unwatch(index);
        LibC.closeQuietly(kickFd);
        kickFd = fd;
        kickPolling = fd < 0;
        kickSet = true;
        return startIfReady();
    }

    /**
     * SET_VRING_CALL: {@code fd} or, when negative, no notifications. Takes
     * ownership of the fd and makes it non-blocking, so that a counter the frontend
     * drove to its maximum (or a full pipe) makes a call fail instead of blocking
     * the endpoint thread.
     */
    void setCall(int fd) {
        LibC.setNonBlocking(fd);
        int old;
        synchronized (this) {
            old = callFd;
            callFd = fd;
            if (started()) {
                // Completions published while there was no call fd (a resume before SET_VRING_CALL).
                notifyIfNeeded();
            }
        }
        LibC.closeQuietly(old);
    }

    /** SET_VRING_ERR: the backend signals no errors through it, but owns and closes it. */
    void setErr(int fd) {
        LibC.closeQuietly(errFd);
        errFd = fd;
    }

    void negotiated(long features) {
        eventIdx = (features & (1L << VIRTIO_RING_F_EVENT_IDX)) != 0;
        indirect = (features & (1L << VIRTIO_RING_F_INDIRECT_DESC)) != 0;
    }

    private void requireStopped(String what) throws ProtocolException {
        if (started()) {
            throw new ProtocolException("queue " + index + ": " + what + " while the ring is started");
        }
    }

    private Start startIfReady() {
        if (started() || !kickSet || !addressesSet) {
            return Start.NOT_YET;
        }
        if (suspended && resumes()) {
            synchronized (this) {
                suspended = false;
                for (int i = 0; i < parkedCount; i++) {
                    pushUsed(parkedHeads[i], parkedLengths[i]);
                }
                parkedCount = 0;
                notifyIfNeeded();
            }
            lastAvail = base;
            return Start.RESUMED;
        }
        boolean startedOver = suspended;
        synchronized (this) {
            session = new Object();
            chains = new Chain[size];
            suspended = false;
            parkedCount = 0;
            usedIdx = loadAcquire(used, 2);
            signalledUsed = usedIdx;
            signalledValid = false;
        }
        lastAvail = base;
        broken = false;
        faults = 0;
        return startedOver ? Start.STARTED_OVER : Start.FRESH;
    }

    /**
     * Whether the ring starts again exactly where it was suspended: same size and
     * addresses, the base GET_VRING_BASE returned, and the used index the device
     * left in guest memory. A driver that started over (a guest reboot) has new
     * rings, base 0 and a zeroed used ring.
     */
    private boolean resumes() {
        return size == suspendedSize && base == suspendedBase && descUser == suspendedDesc
                && availUser == suspendedAvail && usedUser == suspendedUsed && loadAcquire(used, 2) == usedIdx;
    }

    /**
     * GET_VRING_BASE: stops the ring and returns the next available index to
     * process, and forgets the kick and call fds. The ring's session is kept
     * (suspended): the chains the device holds stay valid and their completions
     * are parked until the ring resumes.
     */
    int suspend() {
        if (started()) {
            synchronized (this) {
                suspended = true;
                if (parkedHeads.length < size) {
                    parkedHeads = new int[size];
                    parkedLengths = new int[size];
                }
            }
            suspendedSize = size;
            suspendedBase = lastAvail;
            suspendedDesc = descUser;
            suspendedAvail = availUser;
            suspendedUsed = usedUser;
            base = lastAvail;
        }
        forgetKick();
        setCall(-1);
        return base;
    }

    /** Closes the kick fd and leaves polling mode, without starting anything. */
    void forgetKick() {
        kickWatch.unwatch(index);
        LibC.closeQuietly(kickFd);
        kickFd = -1;
        kickPolling = false;
        kickSet = false;
    }

    /**
     * Stops the ring (if started or suspended) for good, remembering where
     * processing stopped: every chain handed out is void.
     */
    void stop() {
        if (!live()) {
            return;
        }
        synchronized (this) {
            session = null;
            chains = null;
            suspended = false;
            parkedCount = 0;
        }
        base = lastAvail;
    }

    /** Back to the state of a fresh connection: stopped, unconfigured, fds closed. */
    void forget() {
        stop();
        forgetKick();
        setCall(-1);
        setErr(-1);
        size = 0;
        base = 0;
        addressesSet = false;
        enabled = false;
        broken = false;
        synchronized (this) {
            desc = null;
            avail = null;
            used = null;
        }
    }

    /**
     * Processes every available buffer, if the ring is started and enabled, and
     * notifies the driver once at the end. Then asks the driver for a kick on
     * its next buffer.
     *
     * @return how many chains were taken from the ring
     */
    int process() {
        return process(false);
    }

    /**
     * Whether the ring is started and enabled and the driver made buffers
     * available that were not processed yet; reads the available index, no lock.
     */
    boolean hasAvailable() {
        return started() && enabled && !broken && loadAcquire(avail, 2) != lastAvail;
    }

    /**
     * Processes every available buffer like {@link #process()}; when
     * {@code keepKicksSuppressed}, leaves the driver asked not to kick, for a
     * caller that goes on watching the ring ({@link #hasAvailable()}) and calls
     * {@link #process()} when it stops.
     *
     * @return how many chains were taken from the ring
     */
    int process(boolean keepKicksSuppressed) {
        if (!started() || !enabled || broken) {
            return 0;
        }
        synchronized (this) {
            batchActive = true;
            suppressKicks();
        }
        try {
            return drain(keepKicksSuppressed);
        } finally {
            synchronized (this) {
                batchActive = false;
                notifyIfNeeded();
            }
        }
    }

    private int drain(boolean keepKicksSuppressed) {
        int availEventOffset = 4 + 8 * size;
        int taken = 0;
        while (true) {
            int availIdx = loadAcquire(avail, 2);
            int pending = (availIdx - lastAvail) & 0xffff;
            if (pending > size) {
                broken = true;
                LOG.log(Level.WARNING, "queue {0}: available index {1} is {2} ahead of {3}, more than the queue"
                        + " size {4}; the queue stops until it is set up again", index, availIdx, pending,
                        lastAvail, size);
                return taken;
            }
            if (pending == 0 && keepKicksSuppressed) {
                return taken;
            }
            if (pending == 0) {
                // Ask for a kick on the next buffer, then look again: the driver may have
                // added one before it saw the request.
                synchronized (this) {
                    if (eventIdx) {
                        storeRelease(used, availEventOffset, lastAvail);
                    } else {
                        storeRelease(used, 0, 0);
                    }
                }
                VarHandle.fullFence();
                if (loadAcquire(avail, 2) == lastAvail) {
                    return taken;
                }
                synchronized (this) {
                    suppressKicks();
                }
                continue;
            }
            long takenAt = System.nanoTime();
            for (int i = 0; i < pending && started() && !broken; i++) {
                int head = avail.getShort(4 + 2 * (lastAvail & (size - 1))) & 0xffff;
                lastAvail = (lastAvail + 1) & 0xffff;
                taken++;
                Chain chain = parse(head, takenAt);
                if (chain != null) {
                    dispatch(chain);
                }
            }
            if (!started() || broken) {
                return taken;
            }
        }
    }

    /**
     * Without EVENT_IDX, tells the driver not to kick while the ring is being
     * drained ({@code VRING_USED_F_NO_NOTIFY}); {@link #drain} clears it before it
     * stops. With EVENT_IDX, {@code avail_event} does that job. Lock held.
     */
    private void suppressKicks() {
        if (!eventIdx) {
            storeRelease(used, 0, USED_F_NO_NOTIFY);
        }
    }

    private void dispatch(Chain chain) {
        dispatcher = Thread.currentThread();
        try {
            device.handle(index, chain);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "queue " + index + ": the device failed on a request; it is returned empty", e);
            chain.completeIfPending();
        } finally {
            dispatcher = null;
        }
    }

    /**
     * Whether {@code thread} is the endpoint thread inside {@link VirtioDevice#handle}
     * for this queue. A plain field: only the endpoint thread writes it, so another
     * thread can never see itself there.
     */
    boolean dispatchingOn(Thread thread) {
        return dispatcher == thread;
    }

    /**
     * Walks the chain starting at {@code head}, taken from the ring at
     * {@code takenAt}, and checks every descriptor; on
     * any fault, logs it and returns the buffer to the driver empty.
     *
     * @return the chain to hand to the device, or null
     */
    private Chain parse(int head, long takenAt) {
        if (head >= size) {
            if (shouldLogFault()) {
                LOG.log(Level.WARNING, "queue {0}: available ring names descriptor {1} beyond the queue size {2};"
                        + " skipped (fault {3} of this ring)", index, head, size, faults);
            }
            return null;
        }
        Chain chain;
        String fault;
        // One lock for the lookup, the load and the hand-out: a completing thread
        // waits a few descriptors' reads at most.
        synchronized (this) {
            chain = chains[head];
            if (chain == null) {
                chain = new Chain(this, session, head);
                chains[head] = chain;
            } else if (chain.pendingLocked()) {
                // The driver offered a head the device still holds: reloading it would change a
                // chain under the device's feet. It cannot be returned either (it is in use).
                if (shouldLogFault()) {
                    LOG.log(Level.WARNING, "queue {0}: available ring offers descriptor {1} again while the"
                            + " device still holds it; skipped (fault {2} of this ring)", index, head, faults);
                }
                return null;
            }
            fault = chain.load(desc, size, indirect, memory, indirectTable, indirectScratch, takenAt);
            if (fault == null) {
                chain.handOutLocked();
            } else {
                pushUsed(head, 0);
            }
        }
        if (fault != null) {
            if (shouldLogFault()) {
                LOG.log(Level.WARNING, "queue {0}: chain at descriptor {1} refused: {2}; returned empty (fault {3}"
                        + " of this ring)", index, head, fault, faults);
            }
            return null;
        }
        return chain;
    }

    /**
     * Counts a bad chain and says whether to log it: the first
     * {@link #FAULTS_LOGGED_IN_FULL} of a ring session, then every
     * {@link #FAULT_LOG_INTERVAL}th, so that a guest flooding the ring with bad
     * chains cannot flood the log.
     */
    private boolean shouldLogFault() {
        faults++;
        return faults <= FAULTS_LOGGED_IN_FULL || faults % FAULT_LOG_INTERVAL == 0;
    }

    /** The memory chains read and write; call with the lock held. */
    GuestMemory memoryLocked() {
        return memory;
    }

    boolean currentLocked(Object chainSession) {
        return chainSession != null && chainSession == session;
    }

    /** Called by {@link Chain#complete} with the lock held. */
    void completeLocked(int head, int writtenLength) {
        if (suspended) {
            parkedHeads[parkedCount] = head;
            parkedLengths[parkedCount++] = writtenLength;
            return;
        }
        pushUsed(head, writtenLength);
        if (!batchActive) {
            notifyIfNeeded();
        }
    }

    private void pushUsed(int head, int length) {
        int slot = 4 + 8 * (usedIdx & (size - 1));
        used.putInt(slot, head);
        used.putInt(slot + 4, length);
        usedIdx = (usedIdx + 1) & 0xffff;
        storeRelease(used, 2, usedIdx);
    }

    private void notifyIfNeeded() {
        if (usedIdx == signalledUsed || used == null || callFd < 0) {
            return; // without a call fd, the next SET_VRING_CALL notifies
        }
        // The driver's suppression fields must be read after our used index is visible.
        VarHandle.fullFence();
        boolean wanted;
        if (eventIdx) {
            int usedEvent = avail.getShort(4 + 2 * size) & 0xffff;
            wanted = !signalledValid || ((usedIdx - usedEvent - 1) & 0xffff) < ((usedIdx - signalledUsed) & 0xffff);
        } else {
            wanted = (avail.getShort(0) & AVAIL_F_NO_INTERRUPT) == 0;
        }
        signalledUsed = usedIdx;
        signalledValid = true;
        if (wanted && callFd >= 0) {
            LibC.writeCounter(callFd, ONE_ADDRESS);
        }
    }

    /** The 16-bit ring field at {@code offset}, with acquire semantics (see the class comment). */
    private static int loadAcquire(ByteBuffer ring, int offset) {
        int value = ring.getShort(offset) & 0xffff;
        VarHandle.acquireFence();
        return value;
    }

    /** Sets the 16-bit ring field at {@code offset} to {@code value}, with release semantics (see the class comment). */
    private static void storeRelease(ByteBuffer ring, int offset, int value) {
        VarHandle.releaseFence();
        ring.putShort(offset, (short) value);
    }
}
