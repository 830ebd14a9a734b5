// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.frontend;

/**
 * How a {@link FrontendQueue} lays out its requests.
 *
 * @param size the queue size, a power of two
 * @param indirect put each request in an indirect descriptor table (needs VIRTIO_RING_F_INDIRECT_DESC)
 * @param eventIdx use used_event / avail_event for notifications (needs VIRTIO_RING_F_EVENT_IDX)
 * @param segments split each readable and each writable part over this many descriptors (at least 1)
 * @param slotSize the bytes reserved per request for its readable plus writable part
 */
public record RingOptions(int size, boolean indirect, boolean eventIdx, int segments, int slotSize) {

    /** A plain ring of {@code size}: direct descriptors, no EVENT_IDX, one descriptor per part, 4 KiB per request. */
    public static RingOptions plain(int size) {
        return new RingOptions(size, false, false, 1, 4096);
    }

    public RingOptions withIndirect() {
        return new RingOptions(size, true, eventIdx, segments, slotSize);
    }

    public RingOptions withEventIdx() {
        return new RingOptions(size, indirect, true, segments, slotSize);
    }

    public RingOptions withSegments(int count) {
        return new RingOptions(size, indirect, eventIdx, count, slotSize);
    }
}
