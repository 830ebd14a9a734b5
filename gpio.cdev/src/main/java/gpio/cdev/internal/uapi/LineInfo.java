// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

import java.nio.ByteBuffer;

/**
 * {@code struct gpio_v2_line_info}, filled by {@link Ioctl#GET_LINEINFO} and
 * {@link Ioctl#GET_LINEINFO_WATCH}, or embedded in a {@link LineInfoChanged}.
 */
public final class LineInfo extends KernelStruct {

    /** {@code sizeof(struct gpio_v2_line_info)}. */
    public static final int SIZE = 256;
    private static final int NAME = 0;
    private static final int CONSUMER = 32;
    private static final int OFFSET = 64;
    private static final int NUM_ATTRS = 68;
    private static final int FLAGS = 72;
    private static final int ATTRS = 80;

    /** A zeroed struct. */
    public LineInfo() {
        super(SIZE);
    }

    /**
     * A view of a struct the kernel (or a fake of it) was given.
     *
     * @param buffer the buffer passed to the system call
     */
    public LineInfo(ByteBuffer buffer) {
        super(buffer, 0);
    }

    LineInfo(ByteBuffer buffer, int base) {
        super(buffer, base);
    }

    /**
     * Prepares the struct for a query: zeroed, with the offset set.
     *
     * @param lineOffset the chip offset to ask about
     */
    public void query(int lineOffset) {
        zero(SIZE);
        u32(OFFSET, lineOffset);
    }

    /** @return the line's name, empty when it has none */
    public String name() {
        return name(NAME);
    }

    /** @return who holds the line, empty when nobody does */
    public String consumer() {
        return name(CONSUMER);
    }

    /** @return the chip offset */
    public int offset() {
        return u32(OFFSET);
    }

    /** @return the {@link LineFlag} bits */
    public long flags() {
        return u64(FLAGS);
    }

    /** @return the debounce period in microseconds, 0 when the kernel reports none */
    public int debounceMicros() {
        int count = Math.min(u32(NUM_ATTRS), LineConfig.MAX_ATTRIBUTES);
        for (int i = 0; i < count; i++) {
            LineAttribute attribute = new LineAttribute(buffer(), base() + ATTRS + i * LineAttribute.SIZE);
            if (attribute.id() == LineAttribute.ID_DEBOUNCE) {
                return attribute.debounceMicros();
            }
        }
        return 0;
    }

    /**
     * Fills the struct, as the kernel does (for fakes).
     *
     * @param lineName the name
     * @param lineConsumer the consumer, empty when unused
     * @param lineFlags the {@link LineFlag} bits
     */
    public void fill(String lineName, String lineConsumer, long lineFlags) {
        name(NAME, lineName);
        name(CONSUMER, lineConsumer);
        u64(FLAGS, lineFlags);
    }
}
