// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.frontend;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import gpio.vhostuser.internal.LibC;

/**
 * The driver side of one split virtqueue in {@link FrontendMemory}: builds
 * request chains, publishes them in the available ring, kicks the backend
 * (honouring its suppression: {@code VRING_USED_F_NO_NOTIFY} or, with EVENT_IDX,
 * {@code avail_event}), and collects used buffers, waiting on the call eventfd.
 * Created by {@link VhostUserFrontend#startQueue}.
 *
 * <p>Each request gets a slot of {@link RingOptions#slotSize()} bytes for its
 * readable bytes followed by its writable part, described by one descriptor per
 * part, by {@link RingOptions#segments()} descriptors per part, or by an indirect
 * table, as the options say. Not thread-safe: one thread drives a queue.
 */
public final class FrontendQueue {

    private static final VarHandle SHORT_LE =
            MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int DESC_F_NEXT = 1;
    private static final int DESC_F_WRITE = 2;
    private static final int DESC_F_INDIRECT = 4;
    private static final int USED_F_NO_NOTIFY = 1;

    final int index;
    final RingOptions options;
    final long descAddress;
    final long availAddress;
    final long usedAddress;
    final int kickFd;
    final int callFd;
    private final FrontendMemory memory;
    private final int size;
    private final ByteBuffer desc;
    private final ByteBuffer avail;
    private final ByteBuffer used;
    private final long slots;
    /** The slots, and below the indirect tables, as one view each: made once, as a JNA view costs a native call. */
    private final ByteBuffer slotArea;
    private final long indirectTables;
    private final ByteBuffer tableArea;
    private final int indirectTableSize;
    private final int[] free;
    private int freeCount;
    private final int[] writableLength;
    private final long[] writableAddress;
    private final int[] chainLength;
    private int availIdx;
    private int kickedAvailIdx;
    private int lastUsed;
    private long kicks;
    private long suppressedKicks;
    private long calls;
    private final Memory counter = new Memory(8);
    /** Scratch for the descriptor ids of one chain being built. */
    private final int[] chainIds;
    private final Memory pollCall = new Memory(LibC.POLLFD_SIZE);
    /** The used length of the buffer {@link #pollToken} returned last. */
    private int lastLength;

    FrontendQueue(FrontendMemory memory, int index, RingOptions options) {
        if (Integer.bitCount(options.size()) != 1 || options.segments() < 1) {
            throw new IllegalArgumentException("bad ring options " + options);
        }
        this.memory = memory;
        this.index = index;
        this.options = options;
        this.size = options.size();
        this.descAddress = memory.allocate(16 * size, 16);
        this.availAddress = memory.allocate(6 + 2 * size, 2);
        this.usedAddress = memory.allocate(6 + 8 * size, 4);
        this.desc = memory.view(descAddress, 16 * size);
        this.avail = memory.view(availAddress, 6 + 2 * size);
        this.used = memory.view(usedAddress, 6 + 8 * size);
        this.slots = memory.allocate(size * options.slotSize(), 16);
        this.indirectTableSize = 2 * options.segments();
        this.indirectTables = options.indirect() ? memory.allocate(size * 16 * indirectTableSize, 16) : 0;
        this.slotArea = memory.view(slots, size * options.slotSize());
        this.tableArea = options.indirect() ? memory.view(indirectTables, size * 16 * indirectTableSize) : null;
        this.free = new int[size];
        for (int i = 0; i < size; i++) {
            free[i] = size - 1 - i;
        }
        this.freeCount = size;
        this.writableLength = new int[size];
        this.writableAddress = new long[size];
        this.chainLength = new int[size];
        this.chainIds = new int[2 * options.segments()];
        this.kickFd = LibC.newEventFd();
        this.callFd = LibC.newEventFd();
    }

    /** The queue size. */
    public int size() {
        return size;
    }

    /** Descriptors not in use by a pending request. */
    public int freeDescriptors() {
        return freeCount;
    }

    /** Kicks written to the kick eventfd so far. */
    public long kicks() {
        return kicks;
    }

    /** Kicks left out because the backend suppressed them. */
    public long suppressedKicks() {
        return suppressedKicks;
    }

    /** Notifications the backend wrote to the call eventfd and this queue consumed so far. */
    public long calls() {
        return calls;
    }

    /**
     * Makes a request available: {@code readable} for the device to read, then
     * {@code writable} bytes for it to write. Does not kick.
     *
     * @return the token {@link Completion#token()} will carry
     * @throws IllegalStateException when the ring has no room or the slot is too small
     */
    public int submit(byte[] readable, int writable) {
        if (readable.length + writable > options.slotSize()) {
            throw new IllegalStateException("request of " + (readable.length + writable) + " bytes exceeds the slot");
        }
        int readParts = Math.min(options.segments(), readable.length);
        int writeParts = Math.min(options.segments(), writable);
        int needed = options.indirect() ? 1 : readParts + writeParts;
        if (needed == 0 || freeCount < needed) {
            throw new IllegalStateException("no room in queue " + index + " for " + needed + " descriptors");
        }
        int head = free[freeCount - 1];
        long slot = slotAddress(head);
        slotArea.put((int) (slot - slots), readable);
        writableAddress[head] = slot + readable.length;
        writableLength[head] = writable;
        if (options.indirect()) {
            freeCount--;
            int tableOffset = head * 16 * indirectTableSize;
            int count = fill(tableArea, tableOffset, -1, slot, readable.length, readParts, writable, writeParts);
            putDescriptor(desc, 0, head, indirectTables + tableOffset, 16 * count, DESC_F_INDIRECT, 0);
            chainLength[head] = 1;
        } else {
            fill(desc, 0, head, slot, readable.length, readParts, writable, writeParts);
            chainLength[head] = needed;
        }
        avail.putShort(4 + 2 * (availIdx & (size - 1)), (short) head);
        availIdx = (availIdx + 1) & 0xffff;
        SHORT_LE.setRelease(avail, 2, (short) availIdx);
        return head;
    }

    /**
     * Writes a chain of descriptors: into the indirect table at byte
     * {@code tableOffset} of {@code table}, at consecutive entries from 0, when
     * {@code head} is -1, else into the descriptor table using free descriptors
     * starting with {@code head}.
     *
     * @return the number of descriptors written
     */
    private int fill(ByteBuffer table, int tableOffset, int head, long slot, int readLength, int readParts, int writeLength,
            int writeParts) {
        int total = readParts + writeParts;
        int[] ids = chainIds;
        for (int i = 0; i < total; i++) {
            ids[i] = head < 0 ? i : free[--freeCount];
        }
        int n = 0;
        long at = slot;
        for (int part = 0; part < 2; part++) {
            int length = part == 0 ? readLength : writeLength;
            int parts = part == 0 ? readParts : writeParts;
            for (int p = 0; p < parts; p++) {
                int piece = length / parts + (p < length % parts ? 1 : 0);
                int flags = (part == 1 ? DESC_F_WRITE : 0) | (n + 1 < total ? DESC_F_NEXT : 0);
                putDescriptor(table, tableOffset, ids[n], at, piece, flags, n + 1 < total ? ids[n + 1] : 0);
                at += piece;
                n++;
            }
        }
        return total;
    }

    private static void putDescriptor(ByteBuffer table, int tableOffset, int id, long address, int length, int flags,
            int next) {
        int at = tableOffset + 16 * id;
        table.putLong(at, address).putInt(at + 8, length).putShort(at + 12, (short) flags)
                .putShort(at + 14, (short) next);
    }

    /**
     * Tells the backend about the requests submitted since the last kick, unless it
     * asked not to be told.
     *
     * @return whether the kick eventfd was written
     */
    public boolean kick() {
        VarHandle.fullFence();
        boolean wanted;
        if (options.eventIdx()) {
            int availEvent = used.getShort(4 + 8 * size) & 0xffff;
            wanted = ((availIdx - availEvent - 1) & 0xffff) < ((availIdx - kickedAvailIdx) & 0xffff);
        } else {
            wanted = (used.getShort(0) & USED_F_NO_NOTIFY) == 0 && availIdx != kickedAvailIdx;
        }
        kickedAvailIdx = availIdx;
        if (wanted) {
            kickBlindly();
        } else {
            suppressedKicks++;
        }
        return wanted;
    }

    /**
     * Writes the kick eventfd without looking at the rings first, for a frontend
     * whose memory is gone (see {@link FrontendMemory#truncate}).
     */
    public void kickBlindly() {
        counter.setLong(0, 1);
        LibC.writeCounter(kickFd, Pointer.nativeValue(counter));
        kicks++;
    }

    /** The next used buffer if there is one now, else null. */
    public Completion poll() {
        int head = pollToken();
        if (head < 0) {
            return null;
        }
        return completion(head);
    }

    private Completion completion(int head) {
        byte[] written = new byte[lastLength];
        slotArea.get((int) (writableAddress[head] - slots), written);
        return new Completion(head, written);
    }

    /**
     * The token of the next used buffer if there is one now, else -1; like
     * {@link #poll()} without copying the written bytes out (for benchmarks).
     */
    public int pollToken() {
        int usedIdx = (short) SHORT_LE.getAcquire(used, 2) & 0xffff;
        if (usedIdx == lastUsed) {
            return -1;
        }
        int at = 4 + 8 * (lastUsed & (size - 1));
        int head = used.getInt(at);
        int length = used.getInt(at + 4);
        lastUsed = (lastUsed + 1) & 0xffff;
        if (head < 0 || head >= size || length < 0 || length > writableLength[head]) {
            throw new IllegalStateException("backend returned head " + head + " with length " + length);
        }
        lastLength = length;
        release(head);
        return head;
    }

    /**
     * The first byte the backend wrote into the buffer of {@code token}, which
     * {@link #pollToken} or {@link #awaitToken} returned and which was not
     * submitted again since (for benchmarks).
     */
    public byte firstWrittenByte(int token) {
        return slotArea.get((int) (writableAddress[token] - slots));
    }

    /**
     * Waits for the next used buffer like {@link #await} and returns its token
     * without copying the written bytes out (for benchmarks).
     *
     * @throws TimeoutException when none arrives within {@code timeout}
     */
    public int awaitToken(Duration timeout) throws TimeoutException {
        // A buffer already there is taken without reading the clock: a benchmark calls this once per request.
        int ready = pollToken();
        if (ready >= 0) {
            return ready;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int next = pollToken();
            if (next >= 0) {
                return next;
            }
            if (options.eventIdx()) {
                // Ask for a call on the next used buffer, then look again before sleeping.
                SHORT_LE.setRelease(avail, 4 + 2 * size, (short) lastUsed);
                VarHandle.fullFence();
                next = pollToken();
                if (next >= 0) {
                    return next;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("no used buffer on queue " + index + " within " + timeout);
            }
            pollCall.setInt(0, callFd);
            pollCall.setShort(4, LibC.POLLIN);
            pollCall.setShort(6, (short) 0);
            if (LibC.pollFds(Pointer.nativeValue(pollCall), 1, (int) Math.max(1, left / 1_000_000)) > 0) {
                takeCall();
            }
        }
    }

    private void release(int head) {
        int id = head;
        for (int i = 0; i < chainLength[head]; i++) {
            free[freeCount++] = id;
            id = desc.getShort(16 * id + 14) & 0xffff;
        }
    }

    /**
     * Waits for the next used buffer, sleeping on the call eventfd.
     *
     * @throws TimeoutException when none arrives within {@code timeout}
     */
    public Completion await(Duration timeout) throws TimeoutException {
        int head = awaitToken(timeout);
        return completion(head);
    }

    /**
     * Waits until the call eventfd has been written, sleeping on it, and consumes
     * the call. A used buffer can be visible before the backend writes the call
     * that announces it, so a test counting calls waits here first.
     *
     * @throws TimeoutException when no call arrives within {@code timeout}
     */
    public void awaitCall(Duration timeout) throws TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!takeCall()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("no call on queue " + index + " within " + timeout);
            }
            pollCall.setInt(0, callFd);
            pollCall.setShort(4, LibC.POLLIN);
            pollCall.setShort(6, (short) 0);
            LibC.pollFds(Pointer.nativeValue(pollCall), 1, (int) Math.max(1, left / 1_000_000));
        }
    }

    /** Whether a call is pending on the call eventfd, consuming it (and counting the writes it sums up). */
    public boolean takeCall() {
        if (LibC.readCounter(callFd, Pointer.nativeValue(counter)) == 8) {
            calls += counter.getLong(0);
            return true;
        }
        return false;
    }

    /**
     * Writes descriptor {@code id} of the descriptor table exactly as given, for
     * tests of malformed chains; see {@link #publishRaw}.
     */
    public void writeDescriptor(int id, long address, int length, int flags, int next) {
        putDescriptor(desc, 0, id, address, length, flags, next);
    }

    /**
     * Makes {@code head} available as it is, unchecked, for tests of malformed
     * chains (the head may even be out of range). Kick afterwards. The
     * {@link Completion} for it carries the used length, but its bytes are read
     * from the head's slot, since the layout is the caller's.
     */
    public void publishRaw(int head) {
        if (head >= 0 && head < size) {
            chainLength[head] = 0;
            writableLength[head] = options.slotSize();
            writableAddress[head] = slotAddress(head);
        }
        avail.putShort(4 + 2 * (availIdx & (size - 1)), (short) head);
        availIdx = (availIdx + 1) & 0xffff;
        SHORT_LE.setRelease(avail, 2, (short) availIdx);
    }

    /** Publishes {@code index} as the available index, unchecked, for tests of malformed rings. */
    public void publishAvailIndex(int index) {
        availIdx = index & 0xffff;
        SHORT_LE.setRelease(avail, 2, (short) availIdx);
    }

    /** The guest address of the data slot of {@code head}, a valid buffer of {@link RingOptions#slotSize()} bytes. */
    public long slotAddress(int head) {
        return slots + (long) head * options.slotSize();
    }

    /** The backend's {@code avail_event} (EVENT_IDX): the available index it wants a kick for. */
    public int availEvent() {
        return used.getShort(4 + 8 * size) & 0xffff;
    }

    /** Sets {@code used_event} (EVENT_IDX): the backend should call once the used index passes it. */
    public void setUsedEvent(int usedIndex) {
        SHORT_LE.setRelease(avail, 4 + 2 * size, (short) usedIndex);
    }

    /** The number of used buffers collected so far, modulo 2^16. */
    public int lastUsedIndex() {
        return lastUsed;
    }

    /** The used index the backend published in guest memory, as QEMU reads it when a backend went away. */
    public int usedIndexInMemory() {
        return (short) SHORT_LE.getAcquire(used, 2) & 0xffff;
    }

    /** The available index the frontend published last. */
    public int availIndex() {
        return availIdx;
    }

    /** Sets {@code VRING_AVAIL_F_NO_INTERRUPT} (without EVENT_IDX) to suppress calls, or clears it. */
    public void suppressCalls(boolean suppress) {
        avail.putShort(0, (short) (suppress ? 1 : 0));
    }

    void close() {
        LibC.closeQuietly(kickFd);
        LibC.closeQuietly(callFd);
    }
}
