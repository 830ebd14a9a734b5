// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The guest memory a frontend shared: an immutable set of non-overlapping
 * {@link MemoryRegion}s. Buffers are reached through {@link #covers},
 * {@link #copyOut} and {@link #copyIn}, which only touch bytes inside a region;
 * rings through windows from {@link #regionForUser}, which lie entirely inside
 * one region. So nothing outside what the frontend shared is ever read or
 * written.
 *
 * <p>Immutable: a table change builds a new instance; the endpoint swaps it in
 * under every queue's lock and only then unmaps the regions that went away
 * (see {@link VirtQueue} for the locking).
 */
final class GuestMemory {

    /** The most regions at once; also the answer to GET_MAX_MEM_SLOTS. */
    static final int MAX_REGIONS = 32;

    static final GuestMemory EMPTY = new GuestMemory(new MemoryRegion[0]);

    /** Copies up to this many bytes go byte by byte (see {@link #copy}). */
    private static final int SMALL_COPY = 16;

    private final MemoryRegion[] regions;

    private GuestMemory(MemoryRegion[] regions) {
        this.regions = regions;
    }

    MemoryRegion[] regions() {
        return regions.clone();
    }

    /**
     * This memory plus {@code region}.
     *
     * @throws ProtocolException when the region overlaps another one (in guest or
     *         user addresses) or there are already {@link #MAX_REGIONS}
     */
    GuestMemory with(MemoryRegion region) throws ProtocolException {
        if (regions.length >= MAX_REGIONS) {
            throw new ProtocolException("more than " + MAX_REGIONS + " memory regions");
        }
        for (MemoryRegion r : regions) {
            if (r.overlapsGuest(region) || r.overlapsUser(region)) {
                throw new ProtocolException("memory region " + region + " overlaps " + r);
            }
        }
        MemoryRegion[] grown = Arrays.copyOf(regions, regions.length + 1);
        grown[regions.length] = region;
        return new GuestMemory(grown);
    }

    /** The region with exactly these addresses and size, or null. */
    MemoryRegion find(long guestAddress, long size, long userAddress) {
        for (MemoryRegion r : regions) {
            if (r.guestAddress == guestAddress && r.size == size && r.userAddress == userAddress) {
                return r;
            }
        }
        return null;
    }

    /** This memory without {@code region}. */
    GuestMemory without(MemoryRegion region) {
        return new GuestMemory(Arrays.stream(regions).filter(r -> r != region).toArray(MemoryRegion[]::new));
    }

    /** The region holding {@code length} bytes at user address {@code address}, or null. */
    MemoryRegion regionForUser(long address, long length) {
        for (MemoryRegion r : regions) {
            if (r.containsUser(address, length)) {
                return r;
            }
        }
        return null;
    }

    private MemoryRegion regionForGuest(long address) {
        for (MemoryRegion r : regions) {
            if (r.containsGuest(address)) {
                return r;
            }
        }
        return null;
    }

    /** Whether every byte of {@code [address, address + length)} lies in some region. */
    boolean covers(long address, long length) {
        long remaining = length;
        long at = address;
        while (remaining > 0) {
            MemoryRegion r = regionForGuest(at);
            if (r == null) {
                return false;
            }
            long inRegion = r.guestAddress + r.size - at;
            long step = Long.compareUnsigned(inRegion, remaining) < 0 ? inRegion : remaining;
            remaining -= step;
            at += step;
        }
        return true;
    }

    /**
     * Copies {@code length} guest bytes at {@code address} to {@code dst} from its
     * position, advancing it. Stops early at the first byte outside every region.
     *
     * @return the number of bytes copied
     */
    int copyOut(long address, ByteBuffer dst, int length) {
        return copy(address, dst, length, false);
    }

    /**
     * Copies {@code length} bytes from {@code src} (from its position, advancing
     * it) to guest memory at {@code address}. Stops early at the first byte outside
     * every region.
     *
     * @return the number of bytes copied
     */
    int copyIn(long address, ByteBuffer src, int length) {
        return copy(address, src, length, true);
    }

    /**
     * Copies between guest memory at {@code address} and {@code buffer} from its
     * position, one region window at a time, advancing the buffer; stops at the
     * first byte outside every region.
     */
    private int copy(long address, ByteBuffer buffer, int length, boolean toGuest) {
        int done = 0;
        while (done < length) {
            long at = address + done;
            MemoryRegion r = regionForGuest(at);
            if (r == null) {
                break;
            }
            long offset = at - r.guestAddress;
            int step = (int) Math.min(Math.min(length - done, r.size - offset), MemoryRegion.chunkRemaining(offset));
            ByteBuffer chunk = r.chunk(offset);
            int index = MemoryRegion.chunkIndex(offset);
            int from = buffer.position();
            if (step <= SMALL_COPY) {
                // Byte by byte: a bulk put between buffers costs far more than the copy
                // itself at these sizes (descriptors, requests, responses).
                for (int i = 0; i < step; i++) {
                    if (toGuest) {
                        chunk.put(index + i, buffer.get(from + i));
                    } else {
                        buffer.put(from + i, chunk.get(index + i));
                    }
                }
            } else if (toGuest) {
                chunk.put(index, buffer, from, step);
            } else {
                buffer.put(from, chunk, index, step);
            }
            buffer.position(from + step);
            done += step;
        }
        return done;
    }

    /**
     * Finds the {@code length} guest bytes at {@code address} when they lie in one
     * window of one region, so that they can be read where they are.
     *
     * @return false when they do not (outside guest memory, or across the end of
     *         a region or window); {@code into} is then unchanged
     */
    boolean locate(long address, long length, Location into) {
        MemoryRegion r = regionForGuest(address);
        if (r == null) {
            return false;
        }
        long offset = address - r.guestAddress;
        if (Long.compareUnsigned(length, r.size - offset) > 0 || length > MemoryRegion.chunkRemaining(offset)) {
            return false;
        }
        into.window = r.chunk(offset);
        into.index = MemoryRegion.chunkIndex(offset);
        return true;
    }

    /** Where {@link #locate} found a range: a little-endian window and the index of the range's first byte. */
    static final class Location {
        ByteBuffer window;
        int index;
    }

    /**
     * Reads the 16-byte descriptor at guest address {@code address} (an indirect
     * table entry) into {@code into}, which must have 16 bytes from index 0.
     *
     * @return false when the descriptor is not entirely inside guest memory
     */
    boolean readDescriptor(long address, ByteBuffer into) {
        into.clear();
        return copyOut(address, into, VirtQueue.DESCRIPTOR_SIZE) == VirtQueue.DESCRIPTOR_SIZE;
    }
}
