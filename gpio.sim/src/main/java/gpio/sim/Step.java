// SPDX-License-Identifier: Apache-2.0
package gpio.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * One step of a waveform played with {@link GpioSimulator#play}: drive the
 * external level {@code level}, then hold it for {@code duration}.
 *
 * @param level the external level, {@code true} for high
 * @param duration how long the level is held before the next step; zero is allowed
 */
public record Step(boolean level, Duration duration) {

    /** The longest step. */
    public static final Duration MAX_DURATION = Duration.ofHours(1);

    /**
     * Checks the arguments.
     *
     * @throws NullPointerException for a null duration
     * @throws IllegalArgumentException for a negative duration or one of {@link #MAX_DURATION} or more
     */
    public Step {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.compareTo(MAX_DURATION) >= 0) {
            throw new IllegalArgumentException("a step lasts from 0 to less than 1 hour, got " + duration);
        }
    }
}
