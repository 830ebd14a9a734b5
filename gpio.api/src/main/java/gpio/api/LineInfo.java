// SPDX-License-Identifier: Apache-2.0
package gpio.api;

import java.util.Objects;

/**
 * An immutable snapshot of one line, as {@code GPIO_V2_GET_LINEINFO_IOCTL}
 * reports it. Fields a backend does not know take their neutral value
 * ({@link Bias#AS_IS}, empty strings), never {@code null}.
 *
 * @param offset the line offset on its controller
 * @param name the line's name, empty when it has none
 * @param used whether the line is requested, by this gateway or anyone else
 * @param consumer who holds the line, empty when nobody does or it is not known
 * @param direction the direction the line is in now
 * @param activeLow whether values are inverted
 * @param bias the pull
 * @param drive how an output drives; {@link Drive#PUSH_PULL} for inputs
 */
public record LineInfo(int offset, String name, boolean used, String consumer, Direction direction,
        boolean activeLow, Bias bias, Drive drive) {

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException for a negative offset
     * @throws NullPointerException for a null field
     */
    public LineInfo {
        if (offset < 0) {
            throw new IllegalArgumentException("negative line offset " + offset);
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(bias, "bias");
        Objects.requireNonNull(drive, "drive");
    }

    /**
     * A free input line with no other settings known.
     *
     * @param offset the line offset
     * @param name the line's name, empty when it has none
     * @return the snapshot
     */
    public static LineInfo unusedInput(int offset, String name) {
        return new LineInfo(offset, name, false, "", Direction.INPUT, false, Bias.AS_IS, Drive.PUSH_PULL);
    }
}
