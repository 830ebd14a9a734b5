// SPDX-License-Identifier: Apache-2.0
package gpio.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One GPIO chip: a fixed number of lines, numbered from 0, that a consumer can
 * request, drive, read and watch.
 *
 * <p>Implemented by backends (simulator, Linux character device, ...), which
 * register it as an OSGi service with the properties {@link #LABEL_PROPERTY} and
 * {@link #BACKEND_PROPERTY}; consumers only call it.
 *
 * <p>Thread-safety: every method may be called from any thread at any time.
 * A line can be held by one request at a time, whoever made it; a second
 * {@link #request} of a held line fails with {@link GpioException.Reason#BUSY}.
 */
@ProviderType
public interface GpioController {

    /** Service property: the controller's label, unique among all controllers. */
    String LABEL_PROPERTY = "gpio.label";

    /** Service property: which backend implements the controller, such as {@code sim} or {@code cdev}. */
    String BACKEND_PROPERTY = "gpio.backend";

    /**
     * The label, the same as the {@link #LABEL_PROPERTY} service property.
     *
     * @return the label, never empty
     */
    String label();

    /**
     * The number of lines; offsets run from 0 to {@code lineCount() - 1}.
     *
     * @return the number of lines, at least 1
     */
    int lineCount();

    /**
     * A snapshot of one line's current state, whether or not it is requested.
     *
     * @param offset the line offset
     * @return the snapshot
     * @throws GpioException {@link GpioException.Reason#INVALID_ARGUMENT} for an
     *         offset out of range, {@link GpioException.Reason#IO} when the
     *         backend cannot be read
     */
    LineInfo lineInfo(int offset) throws GpioException;

    /**
     * Requests a line for exclusive use and configures it in one step: an output
     * starts driving {@link LineSettings#outputValue()} with no glitch to the
     * other level.
     *
     * @param offset the line offset
     * @param settings the direction and electrical settings
     * @param consumer who holds the line, shown to others (for example by
     *        {@code gpioinfo}); may be empty
     * @return the handle through which the line is used and finally released
     * @throws GpioException {@link GpioException.Reason#BUSY} when the line is
     *         held by someone else, {@link GpioException.Reason#INVALID_ARGUMENT}
     *         for an offset out of range, {@link GpioException.Reason#UNSUPPORTED}
     *         for settings the backend cannot apply, {@link GpioException.Reason#IO}
     *         when the backend fails
     */
    GpioLine request(int offset, LineSettings settings, String consumer) throws GpioException;

    /**
     * Whether every call on this controller and its lines returns promptly, in
     * microseconds, without waiting for I/O, a bus or a lock held across one:
     * {@link #request}, and {@link GpioLine#getValue}, {@link GpioLine#setValue},
     * {@link GpioLine#reconfigure}, {@link GpioLine#watchEdges} and
     * {@link GpioLine#close} on its lines. A consumer may then make these calls
     * on a thread that must never block, such as one serving a ring of a guest;
     * otherwise it makes them where a slow or stalled call holds up nothing
     * else. The answer may change over time (a simulator given a latency) and
     * applies to the calls made after it was given.
     *
     * <p>The default is {@code false}: a backend says {@code true} only when it
     * knows its calls cannot stall.
     *
     * @return {@code true} when no call can block
     * @since 1.1
     */
    default boolean nonBlocking() {
        return false;
    }
}
