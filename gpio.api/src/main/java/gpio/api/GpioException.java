// SPDX-License-Identifier: Apache-2.0
package gpio.api;

import java.util.Objects;

/**
 * The one checked exception of the API: an operation on a controller or line
 * failed, for the {@link #reason()} given; the message says what and why.
 */
public class GpioException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why an operation failed. */
    public enum Reason {
        /** The line is held by another consumer (errno {@code EBUSY}). */
        BUSY,
        /** An offset out of range, or a request that does not fit the line's state. */
        INVALID_ARGUMENT,
        /** The backend cannot do this (for example a bias it has no hardware for). */
        UNSUPPORTED,
        /** The backend failed (a system call error, a chip that went away, an injected fault). */
        IO,
        /** The line was released, or its controller went away. */
        RELEASED
    }

    private final Reason reason;

    /**
     * An exception with a reason and a message.
     *
     * @param reason why the operation failed
     * @param message what failed, for a human
     */
    public GpioException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * An exception with a reason, a message and a cause.
     *
     * @param reason why the operation failed
     * @param message what failed, for a human
     * @param cause the underlying failure
     */
    public GpioException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Why the operation failed.
     *
     * @return the reason, never {@code null}
     */
    public Reason reason() {
        return reason;
    }
}
