// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

import java.nio.ByteBuffer;

/**
 * {@code struct gpio_v2_line_info_changed}, read from a chip file descriptor
 * once {@link Ioctl#GET_LINEINFO_WATCH} was called for a line.
 */
public final class LineInfoChanged extends KernelStruct {

    /** {@code sizeof(struct gpio_v2_line_info_changed)}. */
    public static final int SIZE = 288;
    /** {@code GPIO_V2_LINE_CHANGED_REQUESTED}. */
    public static final int REQUESTED = 1;
    /** {@code GPIO_V2_LINE_CHANGED_RELEASED}. */
    public static final int RELEASED = 2;
    /** {@code GPIO_V2_LINE_CHANGED_CONFIG}. */
    public static final int CONFIG = 3;
    private static final int TIMESTAMP = 256;
    private static final int EVENT_TYPE = 264;

    private final LineInfo info;

    /**
     * A view of one event in a buffer read from the chip.
     *
     * @param buffer the buffer
     * @param base where the event starts
     */
    public LineInfoChanged(ByteBuffer buffer, int base) {
        super(buffer, base);
        info = new LineInfo(buffer, base);
    }

    /** @return the line's new state */
    public LineInfo info() {
        return info;
    }

    /** @return when it changed, {@code CLOCK_MONOTONIC} nanoseconds */
    public long timestampNanos() {
        return u64(TIMESTAMP);
    }

    /** @return {@link #REQUESTED}, {@link #RELEASED} or {@link #CONFIG} */
    public int eventType() {
        return u32(EVENT_TYPE);
    }

    /**
     * Sets the change type, as the kernel does (for fakes).
     *
     * @param type the type
     */
    public void eventType(int type) {
        u32(EVENT_TYPE, type);
    }
}
