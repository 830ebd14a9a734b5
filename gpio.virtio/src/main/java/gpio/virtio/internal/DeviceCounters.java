// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What one device has done since it started, for operators (the GPIO web
 * console page and {@code gpio:devices}).
 *
 * <p>Threading: counted from the transport thread and the line queues without
 * locks or allocation (one {@link AtomicLongArray}); read from any thread. A
 * {@link #snapshot()} is not atomic across counters, which is fine for a
 * status display.
 */
public final class DeviceCounters {

    private static final int MESSAGE_TYPES = VirtioGpio.MSG_SET_IRQ_TYPE + 1;
    /** Slot 0 counts requests of a type the spec does not define. */
    private static final int UNKNOWN = 0;
    private static final int ERRORS = MESSAGE_TYPES;
    private static final int DELIVERED = ERRORS + 1;
    private static final int LATCHED = DELIVERED + 1;
    private static final int DROPPED = LATCHED + 1;

    private final AtomicLongArray counts = new AtomicLongArray(DROPPED + 1);

    /**
     * A requestq message arrived.
     *
     * @param type its message type, as the guest sent it
     */
    void request(int type) {
        counts.incrementAndGet(type > 0 && type < MESSAGE_TYPES ? type : UNKNOWN);
    }

    /** A request was answered {@code VIRTIO_GPIO_STATUS_ERR}, or returned unused as malformed. */
    void error() {
        counts.incrementAndGet(ERRORS);
    }

    /** An interrupt went to the guest (an eventq buffer returned VALID). */
    void interruptDelivered() {
        counts.incrementAndGet(DELIVERED);
    }

    /**
     * Edges arrived while the guest held no eventq buffer for their line.
     *
     * @param latched 1 when the first of them set the line's latch, else 0
     * @param dropped how many merged into a latch already set (the guest sees
     *        one interrupt for all of them, as with a real edge interrupt)
     */
    void heldBack(int latched, int dropped) {
        if (latched > 0) {
            counts.addAndGet(LATCHED, latched);
        }
        if (dropped > 0) {
            counts.addAndGet(DROPPED, dropped);
        }
    }

    /**
     * The counts now.
     *
     * @return a snapshot
     */
    public Snapshot snapshot() {
        return new Snapshot(counts.get(VirtioGpio.MSG_GET_LINE_NAMES), counts.get(VirtioGpio.MSG_GET_DIRECTION),
                counts.get(VirtioGpio.MSG_SET_DIRECTION), counts.get(VirtioGpio.MSG_GET_VALUE),
                counts.get(VirtioGpio.MSG_SET_VALUE), counts.get(VirtioGpio.MSG_SET_IRQ_TYPE), counts.get(UNKNOWN),
                counts.get(ERRORS), counts.get(DELIVERED), counts.get(LATCHED), counts.get(DROPPED));
    }

    /**
     * The counts at one moment.
     *
     * @param getLineNames GET_LINE_NAMES requests
     * @param getDirection GET_DIRECTION requests
     * @param setDirection SET_DIRECTION requests
     * @param getValue GET_VALUE requests
     * @param setValue SET_VALUE requests
     * @param setIrqType SET_IRQ_TYPE requests
     * @param unknown requests of an undefined type
     * @param errors requests answered ERR or returned unused
     * @param interruptsDelivered interrupts delivered to the guest
     * @param interruptsLatched edges latched while no eventq buffer was held
     * @param interruptsDropped edges merged into a latch already set
     */
    public record Snapshot(long getLineNames, long getDirection, long setDirection, long getValue, long setValue,
            long setIrqType, long unknown, long errors, long interruptsDelivered, long interruptsLatched,
            long interruptsDropped) {

        /**
         * All requests, of every type.
         *
         * @return the sum
         */
        public long requests() {
            return getLineNames + getDirection + setDirection + getValue + setValue + setIrqType + unknown;
        }
    }
}
