// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

/** The bits of {@code enum gpio_v2_line_flag}. */
public final class LineFlag {

    /** {@code GPIO_V2_LINE_FLAG_USED}. */
    public static final long USED = 1L << 0;
    /** {@code GPIO_V2_LINE_FLAG_ACTIVE_LOW}. */
    public static final long ACTIVE_LOW = 1L << 1;
    /** {@code GPIO_V2_LINE_FLAG_INPUT}. */
    public static final long INPUT = 1L << 2;
    /** {@code GPIO_V2_LINE_FLAG_OUTPUT}. */
    public static final long OUTPUT = 1L << 3;
    /** {@code GPIO_V2_LINE_FLAG_EDGE_RISING}. */
    public static final long EDGE_RISING = 1L << 4;
    /** {@code GPIO_V2_LINE_FLAG_EDGE_FALLING}. */
    public static final long EDGE_FALLING = 1L << 5;
    /** {@code GPIO_V2_LINE_FLAG_OPEN_DRAIN}. */
    public static final long OPEN_DRAIN = 1L << 6;
    /** {@code GPIO_V2_LINE_FLAG_OPEN_SOURCE}. */
    public static final long OPEN_SOURCE = 1L << 7;
    /** {@code GPIO_V2_LINE_FLAG_BIAS_PULL_UP}. */
    public static final long BIAS_PULL_UP = 1L << 8;
    /** {@code GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN}. */
    public static final long BIAS_PULL_DOWN = 1L << 9;
    /** {@code GPIO_V2_LINE_FLAG_BIAS_DISABLED}. */
    public static final long BIAS_DISABLED = 1L << 10;

    private LineFlag() {
    }
}
