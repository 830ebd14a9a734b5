// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.frontend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Pointer;

import gpio.vhostuser.internal.LibC;

/**
 * Guest memory as a test frontend shares it: one memfd, mapped into this process,
 * seen by the backend at guest-physical address {@link #guestBase()} and at the
 * frontend user address {@link #userBase()} (the real address of the mapping,
 * as QEMU does). A bump allocator hands out pieces for rings and buffers.
 *
 * <p>Not thread-safe.
 */
public final class FrontendMemory implements AutoCloseable {

    /** Where guest memory starts in guest-physical addresses, arbitrary but not 0 to catch mix-ups. */
    public static final long DEFAULT_GUEST_BASE = 0x4000_0000L;

    private final int fd;
    private final long size;
    private final long guestBase;
    private final long address;
    private long next;
    private boolean closed;

    /**
     * Creates {@code size} bytes of shared memory at guest address {@code guestBase}.
     *
     * @param size the size, a multiple of 4096
     * @param guestBase the guest-physical address of the first byte
     */
    public FrontendMemory(long size, long guestBase) {
        this.size = size;
        this.guestBase = guestBase;
        this.fd = LibC.newMemFd("vhost-user-test-frontend", size);
        this.address = LibC.mapShared(fd, size);
    }

    /** Creates {@code size} bytes of shared memory at {@link #DEFAULT_GUEST_BASE}. */
    public FrontendMemory(long size) {
        this(size, DEFAULT_GUEST_BASE);
    }

    /** The memfd, to pass in SET_MEM_TABLE or ADD_MEM_REG. */
    public int fd() {
        return fd;
    }

    public long size() {
        return size;
    }

    public long guestBase() {
        return guestBase;
    }

    public long userBase() {
        return address;
    }

    /** The user address of guest address {@code guestAddress}. */
    public long userAddress(long guestAddress) {
        return address + (guestAddress - guestBase);
    }

    /**
     * Allocates {@code length} zeroed bytes aligned to {@code alignment}.
     *
     * @return the guest-physical address
     */
    public long allocate(int length, int alignment) {
        long start = (next + alignment - 1) & -(long) alignment;
        if (start + length > size) {
            throw new IllegalStateException("test frontend memory exhausted: " + size + " bytes");
        }
        next = start + length;
        return guestBase + start;
    }

    /**
     * Shrinks (or grows) the memfd to {@code newSize} bytes behind everyone's back,
     * as a hostile frontend could. Pages beyond the new size are gone for every
     * mapping, this frontend's own included: after a shrink, touch nothing beyond
     * it (rings, buffers, {@link FrontendQueue#kick()}), or this thread faults too.
     *
     * @throws com.sun.jna.LastErrorException with EPERM when the memfd is sealed against it
     */
    public void truncate(long newSize) {
        LibC.resize(fd, newSize);
    }

    /** Seals the memfd against shrinking (F_SEAL_SHRINK), as QEMU's memfd backend does by default. */
    public void sealAgainstShrinking() {
        LibC.addSeals(fd, LibC.F_SEAL_SHRINK);
    }

    /** A little-endian view of {@code length} bytes at guest address {@code guestAddress}. */
    public ByteBuffer view(long guestAddress, int length) {
        if (guestAddress < guestBase || guestAddress + length > guestBase + size) {
            throw new IndexOutOfBoundsException("outside test memory: 0x" + Long.toHexString(guestAddress));
        }
        return new Pointer(userAddress(guestAddress)).getByteBuffer(0, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.unmap(address, size);
            LibC.closeQuietly(fd);
        }
    }
}
