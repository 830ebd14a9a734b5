// SPDX-License-Identifier: Apache-2.0
package gpio.api;

import java.util.Objects;

/**
 * One edge detected on a line, as the kernel's {@code struct gpio_v2_line_event}
 * reports it.
 *
 * @param offset the line offset on its controller
 * @param edge which edge happened
 * @param timestampNanos when it happened, in nanoseconds of the backend's clock
 *        ({@code CLOCK_MONOTONIC} for Linux chips, {@link System#nanoTime()} for
 *        the simulator); only differences are meaningful
 * @param controllerSequence the event's number among all events of the
 *        controller, from 1; a gap means events were lost
 * @param lineSequence the event's number among the events of this line, from 1
 */
public record EdgeEvent(int offset, Edge edge, long timestampNanos, long controllerSequence, long lineSequence) {

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException for a negative offset or a sequence number below 1
     * @throws NullPointerException for a null edge
     */
    public EdgeEvent {
        if (offset < 0) {
            throw new IllegalArgumentException("negative line offset " + offset);
        }
        Objects.requireNonNull(edge, "edge");
        if (controllerSequence < 1 || lineSequence < 1) {
            throw new IllegalArgumentException(
                    "sequence numbers start at 1, got " + controllerSequence + " and " + lineSequence);
        }
    }
}
