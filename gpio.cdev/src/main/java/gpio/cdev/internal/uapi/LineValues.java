// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

import java.nio.ByteBuffer;

/**
 * {@code struct gpio_v2_line_values}, for {@link Ioctl#LINE_GET_VALUES} and
 * {@link Ioctl#LINE_SET_VALUES}: bitmaps indexed by the line's position in its request.
 */
public final class LineValues extends KernelStruct {

    /** {@code sizeof(struct gpio_v2_line_values)}. */
    public static final int SIZE = 16;
    private static final int BITS = 0;
    private static final int MASK = 8;

    /** A zeroed struct. */
    public LineValues() {
        super(SIZE);
    }

    /**
     * A view of a struct the kernel (or a fake of it) was given.
     *
     * @param buffer the buffer passed to the system call
     */
    public LineValues(ByteBuffer buffer) {
        super(buffer, 0);
    }

    /** @return the values */
    public long bits() {
        return u64(BITS);
    }

    /** @return which lines the call is about */
    public long mask() {
        return u64(MASK);
    }

    /**
     * Sets both fields.
     *
     * @param valueBits the values
     * @param lineMask which lines
     */
    public void set(long valueBits, long lineMask) {
        u64(BITS, valueBits);
        u64(MASK, lineMask);
    }
}
