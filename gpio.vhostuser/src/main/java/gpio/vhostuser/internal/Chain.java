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

    private long[] readAddress = new long[INITIAL_SEGMENTS];
    private int[] readLength = new int[INITIAL_SEGMENTS];
    private int readCount;
    private int readTotal;
    private long[] writeAddress = new long[INITIAL_SEGMENTS];
    private int[] writeLength = new int[INITIAL_SEGMENTS];
    private int writeCount;
    private int writeTotal;
    /** Handed to the device and not completed yet; guarded by the queue's monitor. */
    private boolean pending;

    Chain(VirtQueue queue, Object session, int head) {
        this.queue = queue;
        this.session = session;
        this.head = head;
    }

    /**
     * Reads and checks the chain starting at this head. Endpoint thread only.
     *
     * @return null when the chain is valid, otherwise what is wrong with it
     */
    String load(ByteBuffer table, int queueSize, boolean indirectAllowed, GuestMemory memory, ByteBuffer scratch) {
        readCount = 0;
        readTotal = 0;
        writeCount = 0;
        writeTotal = 0;
        ByteBuffer descriptors = table;
        long indirectBase = 0;
        boolean inIndirect = false;
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
            if (inIndirect) {
                if (!memory.readDescriptor(indirectBase + (long) index * VirtQueue.DESCRIPTOR_SIZE, scratch)) {
                    return "indirect descriptor " + index + " is outside guest memory";
                }
                descriptors = scratch;
            }
            int at = inIndirect ? 0 : index * VirtQueue.DESCRIPTOR_SIZE;
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
            if (unsignedLength > Integer.MAX_VALUE - writeTotal) {
                return "writable part longer than 2 GiB";
            }
            if (writeCount == writeAddress.length) {
                writeAddress = Arrays.copyOf(writeAddress, writeCount * 2);
                writeLength = Arrays.copyOf(writeLength, writeCount * 2);
            }
            writeAddress[writeCount] = address;
            writeLength[writeCount++] = length;
            writeTotal += length;
        } else {
            if (writeCount > 0) {
                return "device-readable descriptor after a device-writable one";
            }
            if (unsignedLength > Integer.MAX_VALUE - readTotal) {
                return "readable part longer than 2 GiB";
            }
            if (readCount == readAddress.length) {
                readAddress = Arrays.copyOf(readAddress, readCount * 2);
                readLength = Arrays.copyOf(readLength, readCount * 2);
            }
            readAddress[readCount] = address;
            readLength[readCount++] = length;
            readTotal += length;
        }
        return null;
    }

    /** Whether the device holds this chain; call with the queue's monitor held. */
    boolean pendingLocked() {
        return pending;
    }

    void handOut() {
        synchronized (queue) {
            pending = true;
        }
    }

    @Override
    public int readableLength() {
        return readTotal;
    }

    @Override
    public int writableLength() {
        return writeTotal;
    }

    @Override
    public int read(int offset, ByteBuffer dst) {
        return copy(offset, dst, readAddress, readLength, readCount, false);
    }

    @Override
    public int write(int offset, ByteBuffer src) {
        return copy(offset, src, writeAddress, writeLength, writeCount, true);
    }

    private int copy(int offset, ByteBuffer buffer, long[] addresses, int[] lengths, int count, boolean toGuest) {
        if (offset < 0) {
            throw new IndexOutOfBoundsException("negative offset " + offset);
        }
        synchronized (queue) {
            if (!pending || !queue.currentLocked(session)) {
                return 0;
            }
            GuestMemory memory = queue.memoryLocked();
            int skip = offset;
            int done = 0;
            for (int i = 0; i < count && buffer.hasRemaining(); i++) {
                int length = lengths[i];
                if (skip >= length) {
                    skip -= length;
                    continue;
                }
                int step = Math.min(length - skip, buffer.remaining());
                long address = addresses[i] + skip;
                int copied = toGuest ? memory.copyIn(address, buffer, step) : memory.copyOut(address, buffer, step);
                done += copied;
                if (copied < step) {
                    break;
                }
                skip = 0;
            }
            return done;
        }
    }

    @Override
    public void complete(int writtenLength) {
        if (writtenLength < 0 || writtenLength > writeTotal) {
            throw new IllegalArgumentException("written length " + writtenLength + " is not within 0.."
                    + writeTotal);
        }
        synchronized (queue) {
            if (!pending || !queue.currentLocked(session)) {
                return;
            }
            pending = false;
            queue.completeLocked(head, writtenLength);
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
}
