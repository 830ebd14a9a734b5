// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

import java.nio.ByteBuffer;

/** {@code struct gpiochip_info}, filled by {@link Ioctl#GET_CHIPINFO}. */
public final class ChipInfo extends KernelStruct {

    /** {@code sizeof(struct gpiochip_info)}. */
    public static final int SIZE = 68;
    private static final int NAME = 0;
    private static final int LABEL = 32;
    private static final int LINES = 64;

    /** A zeroed struct. */
    public ChipInfo() {
        super(SIZE);
    }

    /**
     * A view of a struct the kernel (or a fake of it) was given.
     *
     * @param buffer the buffer passed to the system call
     */
    public ChipInfo(ByteBuffer buffer) {
        super(buffer, 0);
    }

    /** @return the kernel name of the chip, such as {@code gpiochip0} */
    public String name() {
        return name(NAME);
    }

    /** @return the chip's label, such as the driver's name for it */
    public String label() {
        return name(LABEL);
    }

    /** @return the number of lines */
    public int lines() {
        return u32(LINES);
    }

    /**
     * Fills the struct, as the kernel does (for fakes).
     *
     * @param chipName the kernel name
     * @param chipLabel the label
     * @param lineCount the number of lines
     */
    public void fill(String chipName, String chipLabel, int lineCount) {
        name(NAME, chipName);
        name(LABEL, chipLabel);
        u32(LINES, lineCount);
    }
}
