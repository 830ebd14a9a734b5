// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

import gpio.vhostuser.VirtioDevice;

/**
 * The guest memory of one connection and the messages that change it
 * (SET_MEM_TABLE, ADD_MEM_REG, REM_MEM_REG): maps the regions a message
 * describes, switches every queue over to the new {@link GuestMemory}, and only
 * then unmaps what went away. A message that fails leaves the table as it was
 * and unmaps whatever it had mapped.
 *
 * <p>It also tells the operator, once per connection, whether the frontend can
 * shrink the memory under the mapping: QEMU's memfd backend seals its memfds
 * against that (F_SEAL_SHRINK) by default; other backends (files on tmpfs or
 * hugetlbfs) cannot. A shrink makes the next access fault, which costs the
 * connection only (see {@link VhostUserEndpoint}). Endpoint thread only.
 */
final class MemoryTable {

    private static final Logger LOG = System.getLogger(MemoryTable.class.getName());
    /** Size of one region description in the payload: guest address, size, user address, mmap offset. */
    private static final int REGION_SIZE = 32;
    /** Where the region descriptions start: after a u32 count and u32 padding, or one u64 of padding. */
    private static final int REGIONS_OFFSET = 8;

    private final VirtQueue[] queues;
    private final VirtioDevice device;
    private final String name;
    private GuestMemory memory = GuestMemory.EMPTY;
    /** Whether the log already said how well the memory is protected against shrinking. */
    private boolean protectionReported;
    /** Whether the log already said that some region is not protected. */
    private boolean unprotectedReported;

    MemoryTable(VirtQueue[] queues, VirtioDevice device, String name) {
        this.queues = queues;
        this.device = device;
        this.name = name;
    }

    /** The memory every queue uses now. */
    GuestMemory current() {
        return memory;
    }

    /** SET_MEM_TABLE: the regions of {@code message} replace the whole table. */
    void replace(MessageChannel message) throws ProtocolException {
        ByteBuffer payload = message.payload();
        if (payload.limit() < REGIONS_OFFSET) {
            throw new ProtocolException("SET_MEM_TABLE payload of " + payload.limit() + " bytes");
        }
        int count = payload.getInt(0);
        if (count < 1 || count > Protocol.MAX_FDS) {
            throw new ProtocolException(Integer.toUnsignedString(count) + " memory regions (1 to " + Protocol.MAX_FDS
                    + " allowed)");
        }
        message.expectSize(Protocol.SET_MEM_TABLE, REGIONS_OFFSET + REGION_SIZE * count, count);
        GuestMemory table = GuestMemory.EMPTY;
        try {
            for (int i = 0; i < count; i++) {
                table = grow(table, message, i);
            }
        } catch (ProtocolException e) {
            unmap(table);
            throw e;
        }
        GuestMemory old = memory;
        switchTo(table);
        unmap(old);
    }

    /** ADD_MEM_REG: the one region of {@code message} joins the table, or replaces the identical one. */
    void add(MessageChannel message) throws ProtocolException {
        message.expectSize(Protocol.ADD_MEM_REG, REGIONS_OFFSET + REGION_SIZE, 1);
        ByteBuffer payload = message.payload();
        // QEMU sets a device up anew on the same connection after device_del and device_add of the
        // same chardev, and adds every region again: the new mapping replaces the identical old one.
        MemoryRegion same = memory.find(payload.getLong(REGIONS_OFFSET), payload.getLong(REGIONS_OFFSET + 8),
                payload.getLong(REGIONS_OFFSET + 16));
        switchTo(grow(same == null ? memory : memory.without(same), message, 0));
        if (same != null) {
            same.unmap();
        }
    }

    /** REM_MEM_REG: the region of {@code message} (with or without its fd) leaves the table. */
    void remove(MessageChannel message) throws ProtocolException {
        if (message.fdCount() > 1) {
            throw new ProtocolException(message.fdCount() + " file descriptors (0 or 1 expected)");
        }
        message.expectSize(Protocol.REM_MEM_REG, REGIONS_OFFSET + REGION_SIZE, message.fdCount());
        ByteBuffer payload = message.payload();
        long guestAddress = payload.getLong(REGIONS_OFFSET);
        long size = payload.getLong(REGIONS_OFFSET + 8);
        long userAddress = payload.getLong(REGIONS_OFFSET + 16);
        MemoryRegion region = memory.find(guestAddress, size, userAddress);
        if (region == null) {
            throw new ProtocolException("no memory region " + MemoryRegion.describe(guestAddress, size, userAddress,
                    payload.getLong(REGIONS_OFFSET + 24)));
        }
        switchTo(memory.without(region));
        region.unmap();
    }

    /** Switches every queue to empty memory and unmaps every region; for a closing connection. */
    void release() {
        GuestMemory old = memory;
        switchTo(GuestMemory.EMPTY);
        unmap(old);
    }

    /**
     * {@code table} plus region {@code index} of {@code message}, mapped with fd
     * {@code index}; nothing stays mapped when that fails.
     */
    private static GuestMemory grow(GuestMemory table, MessageChannel message, int index) throws ProtocolException {
        ByteBuffer payload = message.payload();
        int at = REGIONS_OFFSET + REGION_SIZE * index;
        MemoryRegion region = MemoryRegion.map(message.fd(index), payload.getLong(at), payload.getLong(at + 8),
                payload.getLong(at + 16), payload.getLong(at + 24));
        try {
            return table.with(region);
        } catch (ProtocolException e) {
            region.unmap();
            throw e;
        }
    }

    private static void unmap(GuestMemory table) {
        for (MemoryRegion region : table.regions()) {
            region.unmap();
        }
    }

    /**
     * Makes every queue use {@code next}; the caller unmaps what went away
     * afterwards. A started or suspended queue whose rings {@code next} no longer
     * holds stops for good; when that leaves no queue live the device is reset, so
     * that it does not keep chains that are void now.
     */
    private void switchTo(GuestMemory next) {
        boolean anyLive = VirtQueue.anyLive(queues);
        memory = next;
        for (VirtQueue queue : queues) {
            queue.memoryChanged(next);
        }
        if (anyLive && !VirtQueue.anyLive(queues)) {
            device.reset();
        }
        reportProtection(next);
    }

    /**
     * Logs whether the frontend can shrink {@code table} under the mapping: at the
     * first table of the connection, and once more if a region that is not sealed
     * joins a table that was.
     */
    private void reportProtection(GuestMemory table) {
        MemoryRegion[] regions = table.regions();
        if (unprotectedReported || regions.length == 0) {
            return;
        }
        for (MemoryRegion region : regions) {
            if (!region.sealedAgainstShrinking) {
                LOG.log(Level.INFO, "{0}: guest memory region {1} is not sealed against shrinking (no F_SEAL_SHRINK,"
                        + " as with a file-backed or unsealed memfd backend): should the frontend shrink it, the next"
                        + " access to it faults and the connection is dropped", name, region);
                unprotectedReported = true;
                protectionReported = true;
                return;
            }
        }
        if (!protectionReported) {
            LOG.log(Level.INFO, "{0}: guest memory is sealed against shrinking (F_SEAL_SHRINK)", name);
            protectionReported = true;
        }
    }
}
