// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

import java.nio.ByteBuffer;

/** {@code struct gpio_v2_line_event}, read from a line request's file descriptor. */
public final class LineEvent extends KernelStruct {

    /** {@code sizeof(struct gpio_v2_line_event)}. */
    public static final int SIZE = 48;
    /** {@code GPIO_V2_LINE_EVENT_RISING_EDGE}. */
    public static final int RISING_EDGE = 1;
    /** {@code GPIO_V2_LINE_EVENT_FALLING_EDGE}. */
    public static final int FALLING_EDGE = 2;
    private static final int TIMESTAMP = 0;
    private static final int ID = 8;
    private static final int OFFSET = 12;
    private static final int SEQNO = 16;
    private static final int LINE_SEQNO = 20;

    /**
     * A view of one event in a buffer.
     *
     * @param buffer the buffer
     * @param base where the event starts
     */
    public LineEvent(ByteBuffer buffer, int base) {
        super(buffer, base);
    }

    /** @return when it happened, nanoseconds ({@code CLOCK_MONOTONIC} by default) */
    public long timestampNanos() {
        return u64(TIMESTAMP);
    }

    /** @return {@link #RISING_EDGE} or {@link #FALLING_EDGE} */
    public int id() {
        return u32(ID);
    }

    /** @return the chip offset of the line */
    public int offset() {
        return u32(OFFSET);
    }

    /** @return the event's number among the request's events, from 1 */
    public int seqno() {
        return u32(SEQNO);
    }

    /** @return the event's number among the line's events, from 1 */
    public int lineSeqno() {
        return u32(LINE_SEQNO);
    }

    /**
     * Fills the event, as the kernel does (for fakes).
     *
     * @param timestamp nanoseconds
     * @param eventId rising or falling
     * @param lineOffset the chip offset
     * @param sequence the request's event number
     * @param lineSequence the line's event number
     */
    public void fill(long timestamp, int eventId, int lineOffset, int sequence, int lineSequence) {
        zero(SIZE);
        u64(TIMESTAMP, timestamp);
        u32(ID, eventId);
        u32(OFFSET, lineOffset);
        u32(SEQNO, sequence);
        u32(LINE_SEQNO, lineSequence);
    }
}
