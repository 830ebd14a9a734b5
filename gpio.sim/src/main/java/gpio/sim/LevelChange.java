// SPDX-License-Identifier: Apache-2.0
package gpio.sim;

/**
 * One recorded change of the electrical level of a simulated line, whoever
 * caused it: the outside (an input driven by a test) or the consumer (an output).
 *
 * @param timestampNanos when it happened, in {@link System#nanoTime()} nanoseconds
 *        (the clock of the {@link gpio.api.EdgeEvent}s of the simulator)
 * @param offset the line offset
 * @param level the new level, {@code true} for high
 */
public record LevelChange(long timestampNanos, int offset, boolean level) {
}
