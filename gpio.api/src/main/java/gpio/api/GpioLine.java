// SPDX-License-Identifier: Apache-2.0
package gpio.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A requested line: the handle returned by {@link GpioController#request}.
 * Closing it releases the line (in virtio-gpio terms: direction "none").
 *
 * <p>Implemented by backends; consumers only call it.
 *
 * <p>Thread-safety: every method may be called from any thread; calls on one
 * line take effect in the order they are made. After {@link #close()}, or after
 * the controller went away, every operation fails with
 * {@link GpioException.Reason#RELEASED}.
 */
@ProviderType
public interface GpioLine extends AutoCloseable {

    /**
     * The offset of this line on its controller.
     *
     * @return the offset
     */
    int offset();

    /**
     * The settings last applied by {@link GpioController#request} or
     * {@link #reconfigure}; the output value in them is the requested initial one.
     *
     * @return the current settings
     */
    LineSettings settings();

    /**
     * Reads the logical value: for an input the level seen on the pin, for an
     * output the value it drives; inverted when the line is active-low.
     *
     * @return {@code true} for active (high unless active-low)
     * @throws GpioException {@link GpioException.Reason#RELEASED} after close,
     *         {@link GpioException.Reason#IO} when the backend fails
     */
    boolean getValue() throws GpioException;

    /**
     * Drives an output line.
     *
     * @param active {@code true} for active (high unless active-low)
     * @throws GpioException {@link GpioException.Reason#INVALID_ARGUMENT} when the
     *         line is an input, {@link GpioException.Reason#RELEASED} after close,
     *         {@link GpioException.Reason#IO} when the backend fails
     */
    void setValue(boolean active) throws GpioException;

    /**
     * Changes direction and electrical settings without releasing the line, so
     * no other consumer can take it in between. Switching to output drives
     * {@link LineSettings#outputValue()} from the first moment.
     *
     * @param settings the new settings
     * @throws GpioException as for {@link GpioController#request}, or
     *         {@link GpioException.Reason#RELEASED} after close; on failure the
     *         old settings stay in force
     */
    void reconfigure(LineSettings settings) throws GpioException;

    /**
     * Starts edge detection on an input line and delivers each detected edge to
     * {@code listener}, on a thread of the backend, in the order the edges
     * happened. One subscription per line at a time.
     *
     * @param edges which edges to report
     * @param listener receives the events; it must return quickly
     * @return the subscription; closing it stops detection
     * @throws GpioException {@link GpioException.Reason#INVALID_ARGUMENT} when the
     *         line is an output, {@link GpioException.Reason#BUSY} when a
     *         subscription is already open, {@link GpioException.Reason#UNSUPPORTED}
     *         when the backend cannot detect edges, {@link GpioException.Reason#RELEASED}
     *         after close
     */
    EdgeSubscription watchEdges(EdgeDetection edges, EdgeListener listener) throws GpioException;

    /**
     * Releases the line: closes any edge subscription (synchronously), stops
     * driving it and lets others request it. Idempotent; never fails.
     */
    @Override
    void close();
}
