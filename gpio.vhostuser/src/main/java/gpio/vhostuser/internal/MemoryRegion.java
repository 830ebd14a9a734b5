// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;

/**
 * One region of guest memory shared by the frontend: a file descriptor mapped
 * shared and read/write, seen at a guest-physical address (used by descriptors)
 * and at a frontend user address (used by ring addresses).
 *
 * <p>The mapping is exposed as direct {@link ByteBuffer} windows of at most
 * {@link #CHUNK_SIZE} bytes (a ByteBuffer is int-indexed), created once at map
 * time so that copies never allocate.
 */
final class MemoryRegion {

    /** Size of each ByteBuffer window over the region. */
    static final long CHUNK_SIZE = 1L << 30;
    private static final long PAGE_MASK = 4095;

    final long guestAddress;
    final long size;
    final long userAddress;
    final long mmapOffset;
    /**
     * Whether the file carries F_SEAL_SHRINK, so that the frontend cannot shrink
     * it under the mapping (which would make the next access fault).
     */
    final boolean sealedAgainstShrinking;
    private final long mapAddress;
    private final long mapLength;
    private final ByteBuffer[] chunks;

    private MemoryRegion(long guestAddress, long size, long userAddress, long mmapOffset,
            boolean sealedAgainstShrinking, long mapAddress, long mapLength) {
        this.guestAddress = guestAddress;
        this.size = size;
        this.userAddress = userAddress;
        this.mmapOffset = mmapOffset;
        this.sealedAgainstShrinking = sealedAgainstShrinking;
        this.mapAddress = mapAddress;
        this.mapLength = mapLength;
        int count = (int) ((size + CHUNK_SIZE - 1) / CHUNK_SIZE);
        this.chunks = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            long start = (long) i * CHUNK_SIZE;
            chunks[i] = window(mapAddress + mmapOffset + start, (int) Math.min(CHUNK_SIZE, size - start));
        }
    }

    /**
     * Checks a region description against its file and maps it. The size of the
     * file is checked with fstat BEFORE mapping: touching a mapping beyond the end
     * of its file raises SIGBUS. (A frontend can still shrink an unsealed file
     * afterwards; the JVM then turns the SIGBUS of the next access into an
     * InternalError, and the endpoint drops the connection.)
     *
     * @throws ProtocolException when the description is absurd or the fd unusable
     */
    static MemoryRegion map(int fd, long guestAddress, long size, long userAddress, long mmapOffset)
            throws ProtocolException {
        String what = describe(guestAddress, size, userAddress, mmapOffset);
        if (size <= 0 || mmapOffset < 0) {
            throw new ProtocolException("memory region " + what + ": empty or negative");
        }
        if (Long.compareUnsigned(guestAddress + size, guestAddress) < 0
                || Long.compareUnsigned(userAddress + size, userAddress) < 0
                || mmapOffset + size < 0) {
            throw new ProtocolException("memory region " + what + ": address range overflows");
        }
        long fileSize;
        try {
            fileSize = LibC.fileSize(fd);
        } catch (LastErrorException e) {
            throw new ProtocolException("memory region " + what + ": fstat failed, errno " + e.getErrorCode(), e);
        }
        long mapLength = mmapOffset + size;
        if (mapLength > fileSize) {
            throw new ProtocolException("memory region " + what + " ends at byte " + mapLength
                    + " but its file has only " + fileSize + " bytes");
        }
        // mmap needs a page-aligned offset: map from 0 and skip mmapOffset, as QEMU's own backends do.
        long pagesLength = (mapLength + PAGE_MASK) & ~PAGE_MASK;
        long mapped;
        try {
            mapped = LibC.mapShared(fd, pagesLength);
        } catch (LastErrorException e) {
            throw new ProtocolException("memory region " + what + ": mmap failed, errno " + e.getErrorCode(), e);
        }
        // Seals are only ever added, so one that is there now stays. A file that is no memfd has none.
        boolean sealed = (LibC.seals(fd) & LibC.F_SEAL_SHRINK) != 0;
        return new MemoryRegion(guestAddress, size, userAddress, mmapOffset, sealed, mapped, pagesLength);
    }

    static String describe(long guestAddress, long size, long userAddress, long mmapOffset) {
        return String.format("[guest 0x%x size 0x%x user 0x%x offset 0x%x]", guestAddress, size, userAddress,
                mmapOffset);
    }

    @Override
    public String toString() {
        return describe(guestAddress, size, userAddress, mmapOffset);
    }

    void unmap() {
        LibC.unmap(mapAddress, mapLength);
    }

    boolean containsGuest(long address) {
        return Long.compareUnsigned(address - guestAddress, size) < 0;
    }

    boolean containsUser(long address, long length) {
        long offset = address - userAddress;
        return Long.compareUnsigned(offset, size) < 0 && Long.compareUnsigned(length, size - offset) <= 0;
    }

    boolean overlapsGuest(MemoryRegion other) {
        return Long.compareUnsigned(guestAddress, other.guestAddress + other.size) < 0
                && Long.compareUnsigned(other.guestAddress, guestAddress + size) < 0;
    }

    boolean overlapsUser(MemoryRegion other) {
        return Long.compareUnsigned(userAddress, other.userAddress + other.size) < 0
                && Long.compareUnsigned(other.userAddress, userAddress + size) < 0;
    }

    /** A little-endian window of {@code length} bytes at a user address inside this region (for rings). */
    ByteBuffer userWindow(long address, int length) {
        return window(mapAddress + mmapOffset + (address - userAddress), length);
    }

    /** The window holding region offset {@code offset}. */
    ByteBuffer chunk(long offset) {
        return chunks[(int) (offset / CHUNK_SIZE)];
    }

    /** Bytes from region offset {@code offset} to the end of its window. */
    static int chunkRemaining(long offset) {
        return (int) (CHUNK_SIZE - offset % CHUNK_SIZE);
    }

    /** The index of region offset {@code offset} in its window. */
    static int chunkIndex(long offset) {
        return (int) (offset % CHUNK_SIZE);
    }

    private static ByteBuffer window(long address, int length) {
        return new Pointer(address).getByteBuffer(0, length).order(ByteOrder.LITTLE_ENDIAN);
    }
}
