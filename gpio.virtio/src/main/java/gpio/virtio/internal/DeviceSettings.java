// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;

import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;

/**
 * One device's configuration, checked: every problem is reported with the
 * property name and what is wrong.
 *
 * @param socketPath where the endpoint listens
 * @param socketMode the socket file's permissions
 * @param workerThreads the number of worker threads
 * @param ringPoll how long the transport watches the rings after a request
 * @param options what the device itself needs
 */
record DeviceSettings(Path socketPath, Set<PosixFilePermission> socketMode, int workerThreads, Duration ringPoll,
        DeviceOptions options) {

    /** The longest ring polling window, in microseconds. */
    static final int MAX_RING_POLL_MICROS = 1000;

    /**
     * Checks a configuration.
     *
     * @param config the configuration
     * @return the settings
     * @throws IllegalArgumentException naming the property and the problem
     */
    static DeviceSettings from(VirtioGpioConfiguration config) {
        String path = config.socket_path();
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("socket.path is missing: give the absolute path of the socket");
        }
        // Normalised as the transport normalises it: the same path spelled differently
        // ("/run/./gpio0.sock") must not look like a move onto the device's own socket.
        Path socketPath = Path.of(path.trim()).normalize();
        if (!socketPath.isAbsolute()) {
            throw new IllegalArgumentException("socket.path \"" + path + "\" is not an absolute path");
        }
        // Checked here, not only when the socket is created, so that the web console form
        // refuses the value and a change never stops a running device for a socket that
        // cannot be made.
        Path directory = socketPath.getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new IllegalArgumentException("socket.path \"" + path + "\": the directory " + directory
                    + " does not exist; create it first");
        }
        if (!Files.isWritable(directory)) {
            throw new IllegalArgumentException("socket.path \"" + path + "\": the gateway may not create files in "
                    + directory);
        }
        Set<PosixFilePermission> mode;
        try {
            mode = PosixFilePermissions.fromString(config.socket_mode().trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("socket.mode \"" + config.socket_mode()
                    + "\" is not nine permission characters like rw-------", e);
        }
        String target = config.controller_target();
        try {
            FrameworkUtil.createFilter(target);
        } catch (InvalidSyntaxException | NullPointerException e) {
            throw new IllegalArgumentException("controller.target \"" + target
                    + "\" is not an LDAP filter like (gpio.label=sim0)", e);
        }
        int timeout = config.request_timeout_ms();
        if (timeout < 100 || timeout > 600_000) {
            throw new IllegalArgumentException("request.timeout.ms " + timeout + " is outside 100..600000");
        }
        int workers = config.worker_threads();
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("worker.threads " + workers + " is outside 1..64");
        }
        int ringPoll = config.ring_poll_us();
        if (ringPoll < 0 || ringPoll > MAX_RING_POLL_MICROS) {
            throw new IllegalArgumentException("ring.poll.us " + ringPoll + " is outside 0.." + MAX_RING_POLL_MICROS);
        }
        String consumer = config.consumer() == null ? "" : config.consumer().trim();
        if (LineNames.problem(consumer) != null) {
            throw new IllegalArgumentException("consumer \"" + consumer + "\" is not 7-bit ASCII");
        }
        LineMap lineMap = LineMap.parse(config.lines(), config.line_names(), config.lines_readonly(),
                config.safe_state());
        DeviceOptions options = new DeviceOptions(lineMap, consumer, config.interrupts(), Duration.ofMillis(timeout));
        return new DeviceSettings(socketPath, mode, workers, Duration.ofNanos(ringPoll * 1000L), options);
    }

    /**
     * Whether a change to {@code next} can be applied to a running device
     * without restarting it (only the socket path or mode or the ring polling differ).
     *
     * @param next the new settings
     * @return {@code true} when the device can stay
     */
    boolean sameDevice(DeviceSettings next) {
        DeviceOptions a = options;
        DeviceOptions b = next.options;
        return workerThreads == next.workerThreads && a.lineMap().equals(b.lineMap())
                && a.consumer().equals(b.consumer())
                && a.interrupts() == b.interrupts() && a.requestTimeout().equals(b.requestTimeout());
    }
}
