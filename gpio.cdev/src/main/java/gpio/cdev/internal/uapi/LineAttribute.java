// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

import java.nio.ByteBuffer;

/** {@code struct gpio_v2_line_attribute}, embedded in line configs and line infos. */
public final class LineAttribute extends KernelStruct {

    /** {@code sizeof(struct gpio_v2_line_attribute)}. */
    public static final int SIZE = 16;
    /** {@code GPIO_V2_LINE_ATTR_ID_FLAGS}. */
    public static final int ID_FLAGS = 1;
    /** {@code GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES}. */
    public static final int ID_OUTPUT_VALUES = 2;
    /** {@code GPIO_V2_LINE_ATTR_ID_DEBOUNCE}. */
    public static final int ID_DEBOUNCE = 3;
    private static final int ID = 0;
    private static final int VALUE = 8;

    LineAttribute(ByteBuffer buffer, int base) {
        super(buffer, base);
    }

    /** @return the attribute id, {@code ID_*} */
    public int id() {
        return u32(ID);
    }

    /** @return the flags, values or (in the low 32 bits) debounce period, by {@link #id()} */
    public long value() {
        return u64(VALUE);
    }

    /** @return the debounce period in microseconds, for {@link #ID_DEBOUNCE} */
    public int debounceMicros() {
        return u32(VALUE);
    }

    /**
     * Sets the attribute.
     *
     * @param attributeId {@code ID_*}
     * @param flagsOrValues the flags or the output values bitmap
     */
    public void set(int attributeId, long flagsOrValues) {
        u32(ID, attributeId);
        u32(ID + 4, 0);
        u64(VALUE, flagsOrValues);
    }

    /**
     * Sets a debounce attribute.
     *
     * @param micros the period in microseconds
     */
    public void setDebounce(int micros) {
        u32(ID, ID_DEBOUNCE);
        u32(ID + 4, 0);
        u64(VALUE, 0);
        u32(VALUE, micros);
    }
}
