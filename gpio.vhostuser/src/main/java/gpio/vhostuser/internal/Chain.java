// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

import gpio.vhostuser.DescriptorChain;

/**
 * A descriptor chain of one {@link VirtQueue}: the guest-physical segments of its
 * readable and writable parts, copied out of the descriptors (each field read
 * once, so a driver rewriting a descriptor afterwards changes nothing) and
 * checked against guest memory when the chain is loaded.
 *
 * <p>One object per head index and ring session, reused for every request with
 * that head while the session lasts (see {@link VirtQueue} for lifetime and
 * locking). Segment arrays grow on demand and are then kept, so a warm queue
 * allocates nothing per request.
 */
final class Chain implements DescriptorChain {

    private static final int INITIAL_SEGMENTS = 4;

    private final VirtQueue queue;
    private final Object session;
    private final int head;

    private final Segments readable = new Segments();
    private final Segments writable = new Segments();
    /** Handed to the device and not completed yet; guarded by the queue's monitor. */
    private boolean pending;
    /** See {@link #takenAt()}; set by {@link #load}. */
    private long takenAt;

    Chain(VirtQueue queue, Object session, int head) {
        this.queue = queue;
        this.session = session;
        this.head = head;
    }

    /**
     * Reads and checks the chain starting at this head, taken from the ring at
     * {@code takenNanos}. An indirect table is read where it is, through
     * {@code indirectTable}, when it lies in one window of guest memory (always,
     * short of a table across two regions); otherwise descriptor by descriptor
     * through {@code scratch}. Endpoint thread only.
     *
     * @return null when the chain is valid, otherwise what is wrong with it
     */
    String load(ByteBuffer table, int queueSize, boolean indirectAllowed, GuestMemory memory,
            GuestMemory.Location indirectTable, ByteBuffer scratch, long takenNanos) {
        takenAt = takenNanos;
        readable.clear();
        writable.clear();
        ByteBuffer descriptors = table;
        int tableStart = 0;
        long indirectBase = 0;
        boolean inIndirect = false;
        boolean tableInPlace = false;
        int tableSize = queueSize;
        int index = head;
        int visited = 0;
        while (true) {
            if (++visited > tableSize) {
                return "descriptor loop or chain longer than its table (" + tableSize + ")";
            }
            long address;
            int length;
            int flags;
            int next;
            int at = tableStart + index * VirtQueue.DESCRIPTOR_SIZE;
            if (inIndirect && !tableInPlace) {
                if (!memory.readDescriptor(indirectBase + (long) index * VirtQueue.DESCRIPTOR_SIZE, scratch)) {
                    return "indirect descriptor " + index + " is outside guest memory";
                }
                at = 0;
            }
            address = descriptors.getLong(at);
            length = descriptors.getInt(at + 8);
            flags = descriptors.getShort(at + 12) & 0xffff;
            next = descriptors.getShort(at + 14) & 0xffff;
            if ((flags & VirtQueue.DESC_F_INDIRECT) != 0) {
                String fault = checkIndirect(inIndirect, indirectAllowed, visited, flags, length, address, memory);
                if (fault != null) {
                    return fault;
                }
                inIndirect = true;
                indirectBase = address;
                tableInPlace = memory.locate(address, Integer.toUnsignedLong(length), indirectTable);
                descriptors = tableInPlace ? indirectTable.window : scratch;
                tableStart = tableInPlace ? indirectTable.index : 0;
                tableSize = Integer.divideUnsigned(length, VirtQueue.DESCRIPTOR_SIZE);
                index = 0;
                visited = 0;
                continue;
            }
            String fault = addSegment(address, length, flags, memory);
            if (fault != null) {
                return fault;
            }
            if ((flags & VirtQueue.DESC_F_NEXT) == 0) {
                return null;
            }
            if (next >= tableSize) {
                return "next descriptor " + next + " is beyond the table size " + tableSize;
            }
            index = next;
        }
    }

    private static String checkIndirect(boolean inIndirect, boolean allowed, int visited, int flags, int length,
            long address, GuestMemory memory) {
        if (!allowed) {
            return "indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC";
        }
        if (inIndirect) {
            return "nested indirect descriptor";
        }
        if (visited != 1 || (flags & VirtQueue.DESC_F_NEXT) != 0) {
            return "indirect descriptor that is not alone in its chain";
        }
        if (length == 0 || length % VirtQueue.DESCRIPTOR_SIZE != 0
                || Integer.toUnsignedLong(length) > (long) VirtQueue.MAX_SIZE * VirtQueue.DESCRIPTOR_SIZE) {
            return "indirect table length " + Integer.toUnsignedString(length) + " is not a multiple of 16 up to "
                    + VirtQueue.MAX_SIZE + " descriptors";
        }
        if (!memory.covers(address, Integer.toUnsignedLong(length))) {
            return String.format("indirect table at 0x%x (%d bytes) is outside guest memory", address,
                    Integer.toUnsignedLong(length));
        }
        return null;
    }

    private String addSegment(long address, int length, int flags, GuestMemory memory) {
        long unsignedLength = Integer.toUnsignedLong(length);
        if (!memory.covers(address, unsignedLength)) {
            return String.format("buffer at 0x%x (%d bytes) is outside guest memory", address, unsignedLength);
        }
        if ((flags & VirtQueue.DESC_F_WRITE) != 0) {
            return writable.add(address, length) ? null : "writable part longer than 2 GiB";
        }
        if (writable.count > 0) {
            return "device-readable descriptor after a device-writable one";
        }
        return readable.add(address, length) ? null : "readable part longer than 2 GiB";
    }

    /** Whether the device holds this chain; call with the queue's monitor held. */
    boolean pendingLocked() {
        return pending;
    }

    /** Hands the loaded chain to the device; call with the queue's monitor held. */
    void handOutLocked() {
        pending = true;
    }

    @Override
    public long takenAt() {
        return takenAt;
    }

    @Override
    public int readableLength() {
        return readable.total;
    }

    @Override
    public int writableLength() {
        return writable.total;
    }

    @Override
    public int read(int offset, ByteBuffer dst) {
        return copy(offset, dst, readable, false);
    }

    @Override
    public int write(int offset, ByteBuffer src) {
        return copy(offset, src, writable, true);
    }

    private int copy(int offset, ByteBuffer buffer, Segments part, boolean toGuest) {
        if (offset < 0) {
            throw new IndexOutOfBoundsException("negative offset " + offset);
        }
        if (!toGuest && queue.dispatchingOn(Thread.currentThread())) {
            // A read while the endpoint thread hands chains to the device: only that thread maps
            // and unmaps guest memory and starts and stops rings, so nothing this read relies on
            // can change meanwhile, and a read, unlike a write, cannot harm a chain another
            // thread would be completing. The lock is left out: it costs two atomic operations.
            return copyIfHeld(offset, buffer, part, false);
        }
        synchronized (queue) {
            return copyIfHeld(offset, buffer, part, toGuest);
        }
    }

    /** Copies while the device holds this chain of the current session, else nothing. */
    private int copyIfHeld(int offset, ByteBuffer buffer, Segments part, boolean toGuest) {
        if (!pending || !queue.currentLocked(session)) {
            return 0;
        }
        return part.copy(queue.memoryLocked(), offset, buffer, toGuest);
    }

    @Override
    public void complete(int writtenLength) {
        if (writtenLength < 0 || writtenLength > writable.total) {
            throw new IllegalArgumentException("written length " + writtenLength + " is not within 0.."
                    + writable.total);
        }
        synchronized (queue) {
            if (!pending || !queue.currentLocked(session)) {
                return;
            }
            pending = false;
            queue.completeLocked(head, writtenLength);
        }
    }

    @Override
    public void completeWith(ByteBuffer response) {
        synchronized (queue) {
            if (!pending || !queue.currentLocked(session)) {
                return;
            }
            // Written before pending is cleared: should the copy fault (a frontend that
            // shrank its memory), the chain stays held, as after a failed write().
            int written = writable.copy(queue.memoryLocked(), 0, response, true);
            pending = false;
            queue.completeLocked(head, written);
        }
    }

    /** Returns the chain empty if the device has not completed it (after the device failed). */
    void completeIfPending() {
        synchronized (queue) {
            if (pending && queue.currentLocked(session)) {
                pending = false;
                queue.completeLocked(head, 0);
            }
        }
    }

    /**
     * The guest-physical segments of one part of the chain (readable or
     * writable), in order, seen as one contiguous byte range.
     */
    private static final class Segments {
        private long[] address = new long[INITIAL_SEGMENTS];
        private int[] length = new int[INITIAL_SEGMENTS];
        int count;
        /** The sum of the lengths, at most {@link Integer#MAX_VALUE}. */
        int total;

        void clear() {
            count = 0;
            total = 0;
        }

        /**
         * Appends a segment of {@code segmentLength} bytes (unsigned).
         *
         * @return false when the part would grow beyond 2 GiB
         */
        boolean add(long segmentAddress, int segmentLength) {
            if (Integer.toUnsignedLong(segmentLength) > Integer.MAX_VALUE - total) {
                return false;
            }
            if (count == address.length) {
                address = Arrays.copyOf(address, count * 2);
                length = Arrays.copyOf(length, count * 2);
            }
            address[count] = segmentAddress;
            length[count++] = segmentLength;
            total += segmentLength;
            return true;
        }

        /** Copies between the part from {@code offset} and {@code buffer}; call with the queue's monitor held. */
        int copy(GuestMemory memory, int offset, ByteBuffer buffer, boolean toGuest) {
            int skip = offset;
            int done = 0;
            for (int i = 0; i < count && buffer.hasRemaining(); i++) {
                int segmentLength = length[i];
                if (skip >= segmentLength) {
                    skip -= segmentLength;
                    continue;
                }
                int step = Math.min(segmentLength - skip, buffer.remaining());
                long at = address[i] + skip;
                int copied = toGuest ? memory.copyIn(at, buffer, step) : memory.copyOut(at, buffer, step);
                done += copied;
                if (copied < step) {
                    break;
                }
                skip = 0;
            }
            return done;
        }
    }
}
