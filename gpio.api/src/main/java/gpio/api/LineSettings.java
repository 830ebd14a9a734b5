// SPDX-License-Identifier: Apache-2.0
package gpio.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How a consumer wants a line configured, as in {@code struct gpio_v2_line_config}.
 * Immutable; start from {@link #input()} or {@link #output(boolean)} and refine
 * with the {@code with...} methods.
 *
 * @param direction input or output
 * @param outputValue the value an output drives from the moment it becomes an
 *        output ({@code true} = active); must be {@code false} for an input
 * @param activeLow whether values are inverted
 * @param bias the pull
 * @param drive how an output drives; must be {@link Drive#PUSH_PULL} for an input
 * @param debounce the debounce period of an input, {@link Duration#ZERO} for none;
 *        must be zero for an output, and below one hour
 */
public record LineSettings(Direction direction, boolean outputValue, boolean activeLow, Bias bias, Drive drive,
        Duration debounce) {

    private static final Duration MAX_DEBOUNCE = Duration.ofHours(1);

    /**
     * Checks that the settings make sense together.
     *
     * @throws NullPointerException for a null field
     * @throws IllegalArgumentException for an output value, drive or debounce
     *         on an input, a debounce on an output, or a negative or too long debounce
     */
    public LineSettings {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(bias, "bias");
        Objects.requireNonNull(drive, "drive");
        Objects.requireNonNull(debounce, "debounce");
        if (debounce.isNegative() || debounce.compareTo(MAX_DEBOUNCE) >= 0) {
            throw new IllegalArgumentException("debounce must be between 0 and 1 hour, got " + debounce);
        }
        if (direction == Direction.INPUT) {
            if (outputValue) {
                throw new IllegalArgumentException("an input has no output value");
            }
            if (drive != Drive.PUSH_PULL) {
                throw new IllegalArgumentException("drive " + drive + " applies to outputs only");
            }
        } else if (!debounce.isZero()) {
            throw new IllegalArgumentException("debounce applies to inputs only");
        }
    }

    /**
     * An input with no pull set and no debounce.
     *
     * @return the settings
     */
    public static LineSettings input() {
        return new LineSettings(Direction.INPUT, false, false, Bias.AS_IS, Drive.PUSH_PULL, Duration.ZERO);
    }

    /**
     * A push-pull output.
     *
     * @param initialValue the value driven from the first moment ({@code true} = active)
     * @return the settings
     */
    public static LineSettings output(boolean initialValue) {
        return new LineSettings(Direction.OUTPUT, initialValue, false, Bias.AS_IS, Drive.PUSH_PULL, Duration.ZERO);
    }

    /**
     * These settings with another pull.
     *
     * @param newBias the pull
     * @return the new settings
     */
    public LineSettings withBias(Bias newBias) {
        return new LineSettings(direction, outputValue, activeLow, newBias, drive, debounce);
    }

    /**
     * These settings with another drive.
     *
     * @param newDrive the drive; outputs only
     * @return the new settings
     */
    public LineSettings withDrive(Drive newDrive) {
        return new LineSettings(direction, outputValue, activeLow, bias, newDrive, debounce);
    }

    /**
     * These settings with values inverted or not.
     *
     * @param newActiveLow whether values are inverted
     * @return the new settings
     */
    public LineSettings withActiveLow(boolean newActiveLow) {
        return new LineSettings(direction, outputValue, newActiveLow, bias, drive, debounce);
    }

    /**
     * These settings with another debounce period.
     *
     * @param newDebounce the period; inputs only
     * @return the new settings
     */
    public LineSettings withDebounce(Duration newDebounce) {
        return new LineSettings(direction, outputValue, activeLow, bias, drive, newDebounce);
    }
}
