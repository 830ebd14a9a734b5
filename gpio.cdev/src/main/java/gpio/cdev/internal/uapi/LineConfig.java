// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

import java.nio.ByteBuffer;

/**
 * {@code struct gpio_v2_line_config}: flags for all lines of a request plus up to
 * {@link #MAX_ATTRIBUTES} {@code struct gpio_v2_line_config_attribute}s (an
 * attribute and the mask of lines it applies to). Passed alone to
 * {@link Ioctl#LINE_SET_CONFIG} or embedded in a {@link LineRequest}.
 */
public final class LineConfig extends KernelStruct {

    /** {@code sizeof(struct gpio_v2_line_config)}. */
    public static final int SIZE = 272;
    /** {@code GPIO_V2_LINE_NUM_ATTRS_MAX}. */
    public static final int MAX_ATTRIBUTES = 10;
    /** {@code sizeof(struct gpio_v2_line_config_attribute)}. */
    public static final int CONFIG_ATTRIBUTE_SIZE = LineAttribute.SIZE + 8;
    private static final int FLAGS = 0;
    private static final int NUM_ATTRS = 8;
    private static final int ATTRS = 32;

    /** A zeroed config of its own, for {@link Ioctl#LINE_SET_CONFIG}. */
    public LineConfig() {
        super(SIZE);
    }

    /**
     * A view of a config in a buffer passed to the kernel (or a fake of it).
     *
     * @param buffer the buffer
     * @param base where the config starts
     */
    public LineConfig(ByteBuffer buffer, int base) {
        super(buffer, base);
    }

    /**
     * Sets the config for a request of one line (line index 0): flags, and
     * optional output value and debounce attributes.
     *
     * @param flags {@link LineFlag} bits
     * @param outputValue for an output, the initial value; ignored otherwise
     * @param debounceMicros debounce period, 0 for none
     */
    public void setSingleLine(long flags, boolean outputValue, int debounceMicros) {
        zero(SIZE);
        u64(FLAGS, flags);
        int count = 0;
        if ((flags & LineFlag.OUTPUT) != 0) {
            attribute(count).set(LineAttribute.ID_OUTPUT_VALUES, outputValue ? 1L : 0L);
            mask(count++, 1L);
        }
        if (debounceMicros > 0) {
            attribute(count).setDebounce(debounceMicros);
            mask(count++, 1L);
        }
        u32(NUM_ATTRS, count);
    }

    /** @return the flags for all lines */
    public long flags() {
        return u64(FLAGS);
    }

    /** @return the number of attributes in use */
    public int attributeCount() {
        return u32(NUM_ATTRS);
    }

    /**
     * One attribute.
     *
     * @param index 0 to {@link #MAX_ATTRIBUTES} - 1
     * @return a view of it
     */
    public LineAttribute attribute(int index) {
        return new LineAttribute(buffer(), configAttribute(index));
    }

    /**
     * The mask of lines an attribute applies to.
     *
     * @param index 0 to {@link #MAX_ATTRIBUTES} - 1
     * @return the bitmap of line indexes in the request
     */
    public long mask(int index) {
        return u64(ATTRS + index * CONFIG_ATTRIBUTE_SIZE + LineAttribute.SIZE);
    }

    private void mask(int index, long lines) {
        u64(ATTRS + index * CONFIG_ATTRIBUTE_SIZE + LineAttribute.SIZE, lines);
    }

    private int configAttribute(int index) {
        return base() + ATTRS + index * CONFIG_ATTRIBUTE_SIZE;
    }
}
