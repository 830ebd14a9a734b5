// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import java.time.Duration;
import java.util.Objects;

import gpio.api.Bias;
import gpio.api.Direction;
import gpio.api.Drive;
import gpio.api.EdgeDetection;
import gpio.api.LineSettings;
import gpio.cdev.internal.uapi.LineFlag;

/**
 * The electrical settings an operator configures for the chip's lines, for what
 * the board needs but a consumer (such as a guest) does not say: a consumer's
 * setting wins where it makes one, these fill in where it leaves the neutral value.
 *
 * @param bias the pull when a request says {@link Bias#AS_IS}
 * @param drive the drive of outputs requested as {@link Drive#PUSH_PULL}
 * @param activeLow whether every line is inverted (on top of a request's own active-low)
 * @param debounce the debounce of inputs requested with none
 */
record LineDefaults(Bias bias, Drive drive, boolean activeLow, Duration debounce) {

    /** No defaults: requests apply as they are. */
    static final LineDefaults NONE = new LineDefaults(Bias.AS_IS, Drive.PUSH_PULL, false, Duration.ZERO);

    LineDefaults {
        Objects.requireNonNull(bias, "bias");
        Objects.requireNonNull(drive, "drive");
        // Checks the debounce range the same way LineSettings does.
        LineSettings.input().withDebounce(debounce);
    }

    /**
     * The settings a request really gets.
     *
     * @param requested what the consumer asked for
     * @return the settings with the defaults filled in
     */
    LineSettings applyTo(LineSettings requested) {
        LineSettings effective = requested;
        if (requested.bias() == Bias.AS_IS) {
            effective = effective.withBias(bias);
        }
        if (activeLow && !requested.activeLow()) {
            effective = effective.withActiveLow(true);
        }
        if (requested.direction() == Direction.OUTPUT) {
            if (requested.drive() == Drive.PUSH_PULL) {
                effective = effective.withDrive(drive);
            }
        } else if (requested.debounce().isZero()) {
            effective = effective.withDebounce(debounce);
        }
        return effective;
    }

    /**
     * The {@code GPIO_V2_LINE_FLAG_*} bits for settings.
     *
     * @param settings the settings to apply
     * @param edges the edges to detect, {@code null} for none
     * @return the flags
     */
    static long flags(LineSettings settings, EdgeDetection edges) {
        long flags = settings.direction() == Direction.OUTPUT ? LineFlag.OUTPUT : LineFlag.INPUT;
        if (settings.activeLow()) {
            flags |= LineFlag.ACTIVE_LOW;
        }
        switch (settings.bias()) {
            case PULL_UP: flags |= LineFlag.BIAS_PULL_UP; break;
            case PULL_DOWN: flags |= LineFlag.BIAS_PULL_DOWN; break;
            case DISABLED: flags |= LineFlag.BIAS_DISABLED; break;
            default: break;
        }
        switch (settings.drive()) {
            case OPEN_DRAIN: flags |= LineFlag.OPEN_DRAIN; break;
            case OPEN_SOURCE: flags |= LineFlag.OPEN_SOURCE; break;
            default: break;
        }
        if (edges != null) {
            if (edges != EdgeDetection.FALLING) {
                flags |= LineFlag.EDGE_RISING;
            }
            if (edges != EdgeDetection.RISING) {
                flags |= LineFlag.EDGE_FALLING;
            }
        }
        return flags;
    }

    /**
     * The debounce period as the kernel takes it (an unsigned 32-bit count of
     * microseconds; the API's limit of one hour fits, as unsigned).
     *
     * @param settings the settings
     * @return the period in microseconds
     */
    static int debounceMicros(LineSettings settings) {
        // Rounded up, so that a period below a microsecond still debounces.
        return (int) ((settings.debounce().toNanos() + 999) / 1000);
    }
}
