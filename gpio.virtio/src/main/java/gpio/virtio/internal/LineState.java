// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_NONE;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.IRQ_STATUS_INVALID;
import static gpio.virtio.internal.VirtioGpio.IRQ_STATUS_VALID;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_FALLING;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_RISING;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_LEVEL_HIGH;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_LEVEL_LOW;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_NONE;

import java.lang.System.Logger.Level;

import gpio.api.Direction;
import gpio.api.EdgeDetection;
import gpio.api.EdgeListener;
import gpio.api.EdgeSubscription;
import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.GpioLine;
import gpio.api.LineInfo;
import gpio.api.LineSettings;
import gpio.vhostuser.DescriptorChain;

/**
 * One guest line: the state the guest set (direction, output value, interrupt
 * type, the held eventq buffer, the latched edge) and the controller line that
 * carries it out, kept in step with the rules of the virtio-gpio specification.
 *
 * <p>Threading: not thread-safe. Its {@link LineQueue} calls it from one thread
 * at a time (the thread draining that line's queue), which is what keeps the
 * messages of one line in order. It never completes a chain itself: eventq
 * buffers go back through the {@link Events} of the queue, which knows whether
 * the rings were reset meanwhile.
 *
 * <p>Operations return the response value (0..255) on success or {@link #ERR};
 * the reason of an error goes to the device log. A controller call that throws
 * anything, an {@link Error} included (a backend bug, a fault), is a failed call:
 * the guest state is rolled back and the message answered ERR. Releasing puts
 * the guest state back first and closes the controller line whatever else
 * fails on the way, so a line the guest let go is never left held.
 *
 * <p>The operator's policy is enforced here whatever the guest asks: a
 * read-only line answers ERR to SET_DIRECTION output and SET_VALUE; an output
 * with a {@link SafeState} other than release is, on a {@link #reset()} (the
 * guest let go unexpectedly), left driven at its safe level by the device
 * until a guest configures the line again or the device stops.
 */
final class LineState {

    /** The result of a failed operation: the device answers {@code VIRTIO_GPIO_STATUS_ERR}. */
    static final int ERR = -1;

    private static final LineSettings INPUT = LineSettings.input();
    private static final LineSettings OUTPUT_LOW = LineSettings.output(false);
    private static final LineSettings OUTPUT_HIGH = LineSettings.output(true);

    /** Where eventq buffers go back to the driver, and edges counted for this line are dropped. */
    interface Events {
        /**
         * Writes the irq response status into a held eventq buffer and returns it.
         *
         * @param chain the buffer
         * @param status {@code VIRTIO_GPIO_IRQ_STATUS_VALID} or {@code _INVALID}
         */
        void complete(DescriptorChain chain, byte status);

        /** Forgets edges counted but not yet handed to {@link LineState#edges}: their watch was closed. */
        void discardEdges();

        /**
         * Edges arrived while the guest held no eventq buffer (for the counters).
         *
         * @param latched 1 when they set the latch, else 0
         * @param dropped how many merged into the latch already set
         */
        void heldBack(int latched, int dropped);
    }

    private final int line;
    private final int offset;
    private final boolean readOnly;
    private final SafeState safeState;
    private final String consumer;
    private final EdgeListener edgeListener;
    private final Events events;
    private final DeviceLog log;
    private final LineHistory history;

    // What the guest set; survives a controller swap. Volatile only so that status displays and the
    // device's record of a closed connection may read them from any thread (setting()).
    private volatile int direction = DIRECTION_NONE;
    private volatile boolean outputValue;
    private volatile int irqType = IRQ_TYPE_NONE;
    /** The eventq buffer the driver queued: non-null means the interrupt is unmasked. */
    private DescriptorChain heldEvent;
    /** An edge happened while the interrupt was enabled but masked (one flag, not a count). */
    private boolean latched;

    // The controller side; replaced on a swap.
    private GpioController controller;
    private GpioLine handle;
    private EdgeSubscription subscription;

    /** The guest tried to drive this read-only line: logged once. */
    private boolean readOnlyReported;
    /** The guest let go of this output: the device drives {@link #safeLevel} until a guest takes the line. */
    private boolean safeStateHeld;
    private boolean safeLevel;
    /** The controller line driven at the safe level; {@code null} while no controller could give it. */
    private GpioLine safeLine;

    /**
     * The interrupt type the guest set, for status displays; any thread.
     *
     * @return a {@code VIRTIO_GPIO_IRQ_TYPE_*} value
     */
    int irqType() {
        return irqType;
    }

    /**
     * What the guest set on this line; any thread.
     *
     * @return the setting, {@code null} when the line is not in use
     */
    GuestState.LineSetting setting() {
        int currentDirection = direction;
        int currentIrqType = irqType;
        if (currentDirection == DIRECTION_NONE && currentIrqType == IRQ_TYPE_NONE) {
            return null;
        }
        return new GuestState.LineSetting(line, currentDirection, outputValue, currentIrqType);
    }

    /**
     * Sets the line up as a guest set it in an earlier connection (the frontend
     * reconnected on the same rings, see {@link GuestState}): direction, output
     * value and interrupt type, requested on the controller at once, an output
     * with its value from the first moment. A controller that refuses leaves the
     * state set; the next message for the line tries again.
     *
     * @param setting what the guest had set
     */
    void restore(GuestState.LineSetting setting) {
        if (readOnly && setting.direction() == DIRECTION_OUT) {
            // The line was made read-only since: the operator's policy wins over what the guest had set.
            log.event(Level.WARNING, "line " + line + " (controller offset " + offset + ") is read-only: the output"
                    + " the guest had set on it is not restored");
            return;
        }
        direction = setting.direction();
        outputValue = setting.value();
        irqType = setting.irqType();
        history.direction(direction);
        try {
            applyToController();
            if (direction == DIRECTION_OUT) {
                history.seen(outputValue);
            }
        } catch (GpioException | RuntimeException | Error e) {
            failed("restoring what the guest set before the reconnect", e);
        }
    }

    /**
     * The controller line offset this guest line maps to.
     *
     * @return the offset
     */
    int offset() {
        return offset;
    }

    /**
     * A line in its initial state (direction none, interrupt disabled, masked).
     *
     * @param line the guest line number
     * @param offset the controller line offset it maps to
     * @param readOnly whether the guest may not drive the line
     * @param safeState what the line is left at when the guest lets go unexpectedly
     * @param consumer the consumer name given to the controller
     * @param edgeListener receives the edges of this line's watch
     * @param events where eventq buffers are returned
     * @param log the device log
     * @param history where the levels the guest sets and reads go, for the waveform
     */
    LineState(int line, int offset, boolean readOnly, SafeState safeState, String consumer,
            EdgeListener edgeListener, Events events, DeviceLog log, LineHistory history) {
        this.line = line;
        this.offset = offset;
        this.readOnly = readOnly;
        this.safeState = safeState;
        this.consumer = consumer;
        this.edgeListener = edgeListener;
        this.events = events;
        this.log = log;
        this.history = history;
    }

    /**
     * The controller this line's state is applied to.
     *
     * @return the controller, {@code null} when none
     */
    GpioController controller() {
        return controller;
    }

    /**
     * {@code VIRTIO_GPIO_MSG_GET_DIRECTION}. For a line the guest has not
     * configured, the controller's actual direction: Linux warns for every line
     * whose direction is reported as none at probe time.
     *
     * @return the direction code or {@link #ERR}
     */
    int getDirection() {
        if (direction != DIRECTION_NONE) {
            return direction;
        }
        if (controller == null) {
            return noController();
        }
        try {
            return controller.lineInfo(offset).direction() == Direction.OUTPUT ? DIRECTION_OUT : DIRECTION_IN;
        } catch (GpioException | RuntimeException | Error e) {
            return failed("GET_DIRECTION", e);
        }
    }

    /**
     * {@code VIRTIO_GPIO_MSG_SET_DIRECTION}. None releases the line and discards
     * all its state; output drives the value last set by SET_VALUE.
     *
     * @param value the direction code from the request
     * @return 0 or {@link #ERR}
     */
    int setDirection(int value) {
        if (value == DIRECTION_NONE) {
            discard();
            return 0;
        }
        if (value != DIRECTION_IN && value != DIRECTION_OUT) {
            return invalid("SET_DIRECTION with undefined direction " + value);
        }
        if (value == DIRECTION_OUT && readOnly) {
            return refusedReadOnly("SET_DIRECTION output");
        }
        int previous = direction;
        direction = value;
        try {
            applyToController();
            history.direction(value);
            if (value == DIRECTION_OUT) {
                history.seen(outputValue);
            }
            return 0;
        } catch (GpioException | RuntimeException | Error e) {
            direction = previous;
            return failed("SET_DIRECTION " + value, e);
        }
    }

    /**
     * {@code VIRTIO_GPIO_MSG_GET_VALUE}. A line in use (a direction set, or an
     * interrupt enabled) is read through its request. A line the guest has not
     * configured is read as {@link #getDirection} reports it: Linux reads such
     * lines without a SET_DIRECTION ({@code gpioget --as-is}, sysfs, in-kernel
     * {@code GPIOD_ASIS} consumers). See {@link #readUnconfigured}.
     *
     * @return 0, 1 or {@link #ERR}
     */
    int getValue() {
        try {
            GpioLine inUse = lineInUse();
            int value = inUse == null ? readUnconfigured() : inUse.getValue() ? 1 : 0;
            if (value != ERR) {
                history.seen(value == 1);
            }
            return value;
        } catch (GpioException | RuntimeException | Error e) {
            return failed("GET_VALUE", e);
        }
    }

    /**
     * Reads a line the guest has not configured without changing it: an input
     * is requested as an input for the read and released again. The API has
     * no request that keeps the line as it is, so a line that is an output
     * (left driven by someone who released it) is not read: requesting it as
     * an input would stop its drive, as an output would drive a value we do not
     * know. A line held by another consumer is not read either.
     */
    private int readUnconfigured() throws GpioException {
        if (safeLine != null) {
            return safeLine.getValue() ? 1 : 0; // the device's own request, at the safe level
        }
        if (controller == null) {
            return noController();
        }
        LineInfo info = controller.lineInfo(offset);
        if (info.used()) {
            String holder = info.consumer().isEmpty() ? "another consumer" : "'" + info.consumer() + "'";
            return invalid("GET_VALUE on a line the guest has not configured: " + holder
                    + " holds it on the host, not read");
        }
        if (info.direction() == Direction.OUTPUT) {
            return invalid("GET_VALUE on a line the guest has not configured, which is an output on the host:"
                    + " not read, since reading it would need a request that changes its drive");
        }
        try (GpioLine read = controller.request(offset, INPUT, consumer)) {
            return read.getValue() ? 1 : 0;
        }
    }

    /**
     * {@code VIRTIO_GPIO_MSG_SET_VALUE}: drives an output at once; on any other
     * line the value is remembered and driven when the line becomes an output.
     *
     * @param value 0 or 1 from the request
     * @return 0 or {@link #ERR}
     */
    int setValue(int value) {
        if (value != 0 && value != 1) {
            return invalid("SET_VALUE with undefined value " + value);
        }
        if (readOnly) {
            return refusedReadOnly("SET_VALUE");
        }
        boolean previous = outputValue;
        outputValue = value == 1;
        if (direction != DIRECTION_OUT) {
            return 0;
        }
        try {
            lineInUse().setValue(outputValue);
            history.seen(outputValue);
            return 0;
        } catch (GpioException | RuntimeException | Error e) {
            outputValue = previous;
            return failed("SET_VALUE " + value, e);
        }
    }

    /**
     * {@code VIRTIO_GPIO_MSG_SET_IRQ_TYPE}. Enabling watches the line's edges
     * (both edges for a level type, which is emulated); NONE disables, drops a
     * latched edge and returns the held eventq buffer with INVALID.
     *
     * @param type the irq type from the request
     * @param negotiated whether {@code VIRTIO_GPIO_F_IRQ} was negotiated
     * @return 0 or {@link #ERR}
     */
    int setIrqType(int type, boolean negotiated) {
        if (!negotiated) {
            return invalid("SET_IRQ_TYPE without VIRTIO_GPIO_F_IRQ negotiated");
        }
        if (detection(type) == null && type != IRQ_TYPE_NONE) {
            return invalid("SET_IRQ_TYPE with undefined type " + type);
        }
        if (type == IRQ_TYPE_NONE) {
            disableInterrupt();
            if (!inUse()) {
                // The line was requested only to watch it: nobody uses it any more.
                releaseController();
            }
            return 0;
        }
        if (direction == DIRECTION_OUT) {
            return invalid("SET_IRQ_TYPE on an output line");
        }
        int previous = irqType;
        if (type != previous) {
            closeWatch();
            latched = false;
            irqType = type;
        }
        try {
            applyToController();
        } catch (GpioException | RuntimeException | Error e) {
            irqType = previous;
            closeWatch();
            return failed("SET_IRQ_TYPE " + type, e);
        }
        if (heldEvent != null && isLevel()) {
            deliverIfLevelActive();
        }
        return 0;
    }

    /**
     * The driver queued an eventq buffer for this line: unmasks the interrupt.
     * A latched edge is delivered at once; a level type is delivered at once
     * while the level is active. Without an enabled interrupt, or when a buffer
     * is already held, the buffer goes back with INVALID.
     *
     * @param chain the eventq buffer
     */
    void unmask(DescriptorChain chain) {
        if (irqType == IRQ_TYPE_NONE) {
            log.guestError(line, "eventq buffer for a line whose interrupt is disabled: returned INVALID");
            events.complete(chain, IRQ_STATUS_INVALID);
            return;
        }
        if (heldEvent != null) {
            log.guestError(line, "second eventq buffer while one is held: returned INVALID");
            events.complete(chain, IRQ_STATUS_INVALID);
            return;
        }
        heldEvent = chain;
        if (isLevel()) {
            deliverIfLevelActive();
        } else if (latched) {
            latched = false;
            deliver();
        }
    }

    /**
     * Edges seen by this line's watch. An edge type delivers one interrupt if
     * unmasked and latches the rest (one flag); a level type reads the line and
     * delivers if unmasked and active, never latching.
     *
     * @param count how many edges arrived since the last call, at least 1
     */
    void edges(int count) {
        if (irqType == IRQ_TYPE_NONE) {
            return;
        }
        if (isLevel()) {
            if (heldEvent != null) {
                deliverIfLevelActive();
            }
            return;
        }
        int remaining = count;
        if (heldEvent != null) {
            deliver();
            remaining--;
        }
        if (remaining > 0) {
            events.heldBack(latched ? 0 : 1, latched ? remaining : remaining - 1);
            latched = true;
        }
    }

    /**
     * Moves the line to another controller (or to none): releases the line on
     * the old one and replays the guest's state (direction, output value,
     * interrupt type) on the new one. The held eventq buffer, a latched edge and
     * edges counted but not yet handled stay; a level interrupt is checked against the new controller at once.
     * When the new controller refuses the line, the guest state stays and the
     * next message for the line tries again.
     *
     * @param next the new controller, {@code null} for none
     */
    void rebind(GpioController next) {
        // Edges the old watch counted but this line has not handled yet happened
        // while the interrupt was enabled: they stay counted and are handled
        // after the swap (an edge type delivers or latches them).
        EdgeSubscription oldWatch = subscription;
        subscription = null;
        try {
            if (oldWatch != null) {
                oldWatch.close();
            }
        } finally {
            try {
                releaseController();
            } finally {
                closeSafeLine();
            }
        }
        controller = next;
        if (next != null && safeStateHeld) {
            driveSafeLevel();
        }
        if (next == null || !inUse()) {
            return;
        }
        try {
            applyToController();
            if (heldEvent != null && isLevel()) {
                deliverIfLevelActive();
            }
        } catch (GpioException | RuntimeException | Error e) {
            failed("replaying the line's state on the new controller", e);
        }
    }

    /**
     * {@code SET_DIRECTION none}: releases the line and discards all of its
     * state, returning a held eventq buffer with INVALID.
     */
    void discard() {
        direction = DIRECTION_NONE;
        outputValue = false;
        history.released();
        try {
            disableInterrupt();
        } finally {
            releaseController();
        }
    }

    /**
     * The rings were reset (the guest let go unexpectedly): returns to the
     * initial state and releases the line, unless the guest drove it as an
     * output and its safe state is not release: then the device goes on
     * driving it at the safe level. A held eventq buffer is void and is
     * dropped without completing it.
     */
    void reset() {
        boolean drove = direction == DIRECTION_OUT;
        boolean last = outputValue;
        direction = DIRECTION_NONE;
        outputValue = false;
        irqType = IRQ_TYPE_NONE;
        latched = false;
        heldEvent = null;
        history.released();
        if (!drove || !safeState.drives()) {
            releaseController();
            return;
        }
        closeWatch();
        safeStateHeld = true;
        safeLevel = safeState.level(last);
        safeLine = handle; // an output already: driven at the safe level without being released first
        handle = null;
        driveSafeLevel();
        log.event(Level.INFO, "line " + line + " (controller offset " + offset + ") left at its safe state "
                + safeState.configName() + (safeLine == null ? " once its controller is back" : "")
                + ": driven " + (safeLevel ? "high" : "low"));
    }

    /** The device stops: a line driven at its safe level is released (the level set stays where the chip keeps it). */
    void releaseSafeState() {
        safeStateHeld = false;
        closeSafeLine();
    }

    /** Drives the safe level, requesting the line if the device does not hold it; a failure is logged. */
    private void driveSafeLevel() {
        try {
            if (safeLine == null) {
                if (controller != null) {
                    safeLine = controller.request(offset, safeLevel ? OUTPUT_HIGH : OUTPUT_LOW, consumer);
                }
            } else {
                safeLine.setValue(safeLevel);
            }
        } catch (GpioException | RuntimeException | Error e) {
            failed("driving the safe state " + safeState.configName(), e);
        }
    }

    private void closeSafeLine() {
        GpioLine held = safeLine;
        safeLine = null;
        if (held != null) {
            held.close();
        }
    }

    /**
     * A guest configures the line again: the line the device drove at the safe
     * level becomes the guest's, reconfigured without being released (no glitch).
     *
     * @return the line, {@code null} when the device held none
     */
    private GpioLine takeSafeLine(LineSettings settings) throws GpioException {
        safeStateHeld = false;
        GpioLine held = safeLine;
        safeLine = null;
        if (held != null) {
            try {
                held.reconfigure(settings);
            } catch (GpioException | RuntimeException | Error e) {
                held.close();
                throw e;
            }
        }
        return held;
    }

    private boolean inUse() {
        return direction != DIRECTION_NONE || irqType != IRQ_TYPE_NONE;
    }

    private boolean isLevel() {
        return irqType == IRQ_TYPE_LEVEL_HIGH || irqType == IRQ_TYPE_LEVEL_LOW;
    }

    /** The controller line, requested again if a swap could not apply it; {@code null} when not in use. */
    private GpioLine lineInUse() throws GpioException {
        if (handle == null && inUse()) {
            applyToController();
        }
        return handle;
    }

    /**
     * Makes the controller side match the guest state: the line requested with
     * the right direction while in use, an edge watch while an interrupt is
     * enabled on an input, nothing otherwise.
     */
    private void applyToController() throws GpioException {
        if (!inUse()) {
            releaseController();
            return;
        }
        if (controller == null) {
            throw new GpioException(GpioException.Reason.RELEASED, "no GPIO controller is bound");
        }
        LineSettings settings = direction == DIRECTION_OUT ? (outputValue ? OUTPUT_HIGH : OUTPUT_LOW) : INPUT;
        boolean watch = irqType != IRQ_TYPE_NONE && direction != DIRECTION_OUT;
        if (!watch) {
            closeWatch();
        }
        if (handle == null) {
            handle = takeSafeLine(settings);
        }
        if (handle == null) {
            handle = controller.request(offset, settings, consumer);
        } else if (handle.settings().direction() != settings.direction()) {
            handle.reconfigure(settings);
        }
        if (watch && subscription == null) {
            subscription = handle.watchEdges(detection(irqType), edgeListener);
        }
    }

    private void disableInterrupt() {
        irqType = IRQ_TYPE_NONE;
        latched = false;
        DescriptorChain held = heldEvent;
        heldEvent = null;
        try {
            closeWatch();
        } finally {
            if (held != null) {
                events.complete(held, IRQ_STATUS_INVALID);
            }
        }
    }

    private void deliverIfLevelActive() {
        try {
            GpioLine inUse = lineInUse();
            if (inUse != null && inUse.getValue() == (irqType == IRQ_TYPE_LEVEL_HIGH)) {
                deliver();
            }
        } catch (GpioException | RuntimeException | Error e) {
            failed("reading the level of a level interrupt", e);
        }
    }

    private void deliver() {
        DescriptorChain chain = heldEvent;
        heldEvent = null;
        events.complete(chain, IRQ_STATUS_VALID);
    }

    private void closeWatch() {
        EdgeSubscription watch = subscription;
        if (watch != null) {
            subscription = null;
            watch.close();
            // close() is synchronous: every edge of this watch is counted by now.
            events.discardEdges();
        }
    }

    private void releaseController() {
        GpioLine released = handle;
        handle = null;
        try {
            closeWatch();
        } finally {
            if (released != null) {
                released.close();
            }
        }
    }

    private static EdgeDetection detection(int irqType) {
        switch (irqType) {
            case IRQ_TYPE_EDGE_RISING:
                return EdgeDetection.RISING;
            case IRQ_TYPE_EDGE_FALLING:
                return EdgeDetection.FALLING;
            case IRQ_TYPE_EDGE_BOTH:
            case IRQ_TYPE_LEVEL_HIGH:
            case IRQ_TYPE_LEVEL_LOW:
                return EdgeDetection.BOTH;
            default:
                return null;
        }
    }

    private int refusedReadOnly(String message) {
        if (!readOnlyReported) {
            readOnlyReported = true;
            log.event(Level.WARNING, "line " + line + " (controller offset " + offset + ") is read-only: "
                    + message + " answered ERR; further attempts to drive it are answered ERR without a log line");
        }
        return ERR;
    }

    private int noController() {
        log.guestError(line, "no GPIO controller is bound");
        return ERR;
    }

    private int invalid(String what) {
        log.guestError(line, what);
        return ERR;
    }

    private int failed(String what, Throwable e) {
        // The reason of a GpioException says it all; anything else needs its class.
        String reason = e instanceof GpioException ? e.getMessage() : e.toString();
        log.guestError(line, what + " failed on controller offset " + offset + ": " + reason);
        return ERR;
    }
}
