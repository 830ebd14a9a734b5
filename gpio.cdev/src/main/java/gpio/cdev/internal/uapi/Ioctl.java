// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

/**
 * The GPIO character device ioctls used, with their request numbers built as
 * {@code <linux/ioctl.h>} builds them from direction, type {@code 0xB4}, number
 * and the size of the struct passed: a struct of the wrong size gives another
 * number, which the kernel rejects.
 */
public enum Ioctl {
    /** {@code GPIO_GET_CHIPINFO_IOCTL}: {@code _IOR(0xB4, 0x01, struct gpiochip_info)}. */
    GET_CHIPINFO(Direction.READ, 0x01, ChipInfo.SIZE),
    /** {@code GPIO_V2_GET_LINEINFO_IOCTL}. */
    GET_LINEINFO(Direction.READ_WRITE, 0x05, LineInfo.SIZE),
    /** {@code GPIO_V2_GET_LINEINFO_WATCH_IOCTL}: line info, and change events on the chip fd from now on. */
    GET_LINEINFO_WATCH(Direction.READ_WRITE, 0x06, LineInfo.SIZE),
    /** {@code GPIO_V2_GET_LINE_IOCTL}. */
    GET_LINE(Direction.READ_WRITE, 0x07, LineRequest.SIZE),
    /** {@code GPIO_V2_LINE_SET_CONFIG_IOCTL}, on a line request fd. */
    LINE_SET_CONFIG(Direction.READ_WRITE, 0x0D, LineConfig.SIZE),
    /** {@code GPIO_V2_LINE_GET_VALUES_IOCTL}, on a line request fd. */
    LINE_GET_VALUES(Direction.READ_WRITE, 0x0E, LineValues.SIZE),
    /** {@code GPIO_V2_LINE_SET_VALUES_IOCTL}, on a line request fd. */
    LINE_SET_VALUES(Direction.READ_WRITE, 0x0F, LineValues.SIZE);

    private enum Direction {
        READ(2), READ_WRITE(3);

        final int bits;

        Direction(int bits) {
            this.bits = bits;
        }
    }

    private static final int TYPE = 0xB4;

    private final long number;

    Ioctl(Direction direction, int nr, int size) {
        number = ((long) direction.bits << 30) | ((long) size << 16) | (TYPE << 8) | nr;
    }

    /** @return the request number passed to {@code ioctl(2)} */
    public long number() {
        return number;
    }

    /** @return the argument size encoded in the number */
    public int argumentSize() {
        return (int) (number >>> 16) & 0x3FFF;
    }
}
