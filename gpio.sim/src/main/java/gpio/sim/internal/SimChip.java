// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import gpio.api.Direction;
import gpio.api.EdgeDetection;
import gpio.api.EdgeListener;
import gpio.api.EdgeSubscription;
import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.GpioException.Reason;
import gpio.api.GpioLine;
import gpio.api.LineInfo;
import gpio.api.LineSettings;
import gpio.sim.GpioSimulator;
import gpio.sim.LevelChange;
import gpio.sim.Step;

/**
 * One simulated chip: the {@link GpioController} its consumers use and the
 * {@link GpioSimulator} its tests drive, on one state of lines. It keeps the
 * lines, their requests and the recording; edge events go out through its
 * {@link EdgeDispatcher} and waveforms play through its {@link WaveformPlayer}.
 *
 * <p>Threading: all line state, the recording and the sequence numbers are
 * guarded by one lock per chip; every operation holds it briefly and never
 * calls out while holding it. Level changes are detected and stamped under the
 * lock, so recorded changes and events are in the order they happened. Edge
 * events and waveform steps run on one thread per chip, never one per line, so
 * events reach listeners in order. Closing a subscription waits for a running
 * delivery (see {@link SimSubscription}); it is always done after the chip's lock
 * is released, so a listener may call into the chip without deadlock. Futures are
 * completed and cancelled outside the lock too, since their dependents run in
 * that call.
 */
final class SimChip implements GpioController, GpioSimulator {

    private final Object lock = new Object();
    private final LineState[] lines;
    private final Recording recording;
    private final EdgeDispatcher events;
    private final WaveformPlayer waveforms;
    private volatile String label;
    private volatile long latencyNanos;
    private boolean closed;

    SimChip(SimConfig config) {
        label = config.label;
        lines = new LineState[config.lineCount];
        for (int offset = 0; offset < lines.length; offset++) {
            lines[offset] = new LineState(offset, config.names.get(offset), config.pullUp(offset));
        }
        latencyNanos = config.latency.toNanos();
        recording = new Recording(levels(), System.nanoTime(), config.recordingLimit);
        events = new EdgeDispatcher(this::label);
        waveforms = new WaveformPlayer(this::label, lock, events, this::driveExternal);
    }

    /**
     * Applies a new configuration with the same line count in place: lines in
     * use stay in use.
     */
    void applyConfiguration(SimConfig config) {
        if (config.lineCount != lines.length) {
            throw new IllegalArgumentException("the line count of a running chip cannot change");
        }
        synchronized (lock) {
            label = config.label;
            for (LineState line : lines) {
                line.name = config.names.get(line.offset);
                line.pullUp = config.pullUp(line.offset);
                update(line);
            }
            latencyNanos = config.latency.toNanos();
            recording.setLimit(config.recordingLimit);
        }
    }

    /**
     * Takes the chip away: every request is released (later calls on it fail with
     * {@link Reason#RELEASED}), every subscription closed, every waveform stopped,
     * and the event thread ended.
     */
    void close() {
        List<SimSubscription> subscriptions = new ArrayList<>();
        List<CompletableFuture<Void>> playbacks;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (LineState line : lines) {
                if (line.subscription != null) {
                    subscriptions.add(line.subscription);
                    line.subscription = null;
                }
                line.holder = null;
                line.consumer = "";
            }
            playbacks = waveforms.close(lines);
        }
        // No delivery starts from here on. A running one is interrupted and awaited, with a time limit, by
        // the dispatcher's close: waiting for it here (markClosed) would hang for as long as a listener blocks.
        subscriptions.forEach(SimSubscription::stopDeliveries);
        playbacks.forEach(playback -> playback.cancel(false));
        events.close();
    }

    // ---------------------------------------------------------------- GpioController

    @Override
    public String label() {
        return label;
    }

    @Override
    public int lineCount() {
        return lines.length;
    }

    /** Calls only take the chip's lock, held for no longer than a state update, unless a latency is set. */
    @Override
    public boolean nonBlocking() {
        return latencyNanos == 0;
    }

    @Override
    public LineInfo lineInfo(int offset) throws GpioException {
        // No latency and no faults here: a snapshot query, which the HTTP API and the shell use to list lines.
        LineState line = lineFor(offset);
        synchronized (lock) {
            if (line.holder == null) {
                return LineInfo.unusedInput(offset, line.name);
            }
            LineSettings settings = line.settings;
            return new LineInfo(offset, line.name, true, line.consumer, settings.direction(), settings.activeLow(),
                    settings.bias(), settings.drive());
        }
    }

    @Override
    public GpioLine request(int offset, LineSettings settings, String consumer) throws GpioException {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(consumer, "consumer");
        simulateLatency();
        LineState line = lineFor(offset);
        synchronized (lock) {
            if (closed) {
                throw new GpioException(Reason.RELEASED, label + " was removed");
            }
            takeFault(line);
            if (line.holder != null) {
                throw new GpioException(Reason.BUSY, line.describe() + " of " + label + " is held by '"
                        + line.consumer + "'");
            }
            checkSupported(settings);
            SimLine handle = new SimLine(this, line, settings);
            line.holder = handle;
            line.consumer = consumer;
            apply(line, settings);
            return handle;
        }
    }

    // ---------------------------------------------------------------- GpioLine, called by SimLine

    boolean getValue(LineState line, SimLine handle) throws GpioException {
        simulateLatency();
        synchronized (lock) {
            checkHeld(line, handle);
            takeFault(line);
            return line.isOutput() ? line.outputActive : line.level ^ line.settings.activeLow();
        }
    }

    void setValue(LineState line, SimLine handle, boolean active) throws GpioException {
        simulateLatency();
        synchronized (lock) {
            checkHeld(line, handle);
            takeFault(line);
            if (!line.isOutput()) {
                throw new GpioException(Reason.INVALID_ARGUMENT, line.describe() + " of " + label
                        + " is an input: it cannot be driven");
            }
            line.outputActive = active;
            update(line);
        }
    }

    void reconfigure(LineState line, SimLine handle, LineSettings settings) throws GpioException {
        Objects.requireNonNull(settings, "settings");
        simulateLatency();
        SimSubscription stopped = null;
        synchronized (lock) {
            checkHeld(line, handle);
            takeFault(line);
            checkSupported(settings);
            if (settings.direction() == Direction.OUTPUT) {
                // Like the kernel, turning a watched input into an output ends edge detection.
                stopped = line.subscription;
                line.subscription = null;
            }
            handle.settings = settings;
            apply(line, settings);
        }
        if (stopped != null) {
            stopped.markClosed();
        }
    }

    EdgeSubscription watchEdges(LineState line, SimLine handle, EdgeDetection edges, EdgeListener listener)
            throws GpioException {
        Objects.requireNonNull(edges, "edges");
        Objects.requireNonNull(listener, "listener");
        simulateLatency();
        synchronized (lock) {
            checkHeld(line, handle);
            takeFault(line);
            if (line.isOutput()) {
                throw new GpioException(Reason.INVALID_ARGUMENT, line.describe() + " of " + label
                        + " is an output: it has no edges to watch");
            }
            if (line.subscription != null) {
                throw new GpioException(Reason.BUSY, line.describe() + " of " + label + " is already watched");
            }
            SimSubscription subscription = new SimSubscription(this, line, edges, listener);
            line.subscription = subscription;
            line.lineSequence = 0;
            return subscription;
        }
    }

    void release(LineState line, SimLine handle) {
        SimSubscription stopped;
        synchronized (lock) {
            if (line.holder != handle) {
                return;
            }
            stopped = line.subscription;
            line.subscription = null;
            line.holder = null;
            line.consumer = "";
            update(line);
        }
        if (stopped != null) {
            stopped.markClosed();
        }
    }

    /** Forgets a subscription that is being closed, if it is still the line's. */
    void detach(LineState line, SimSubscription subscription) {
        synchronized (lock) {
            if (line.subscription == subscription) {
                line.subscription = null;
            }
        }
    }

    // ---------------------------------------------------------------- GpioSimulator

    @Override
    public void setInput(int offset, boolean level) {
        drive(offset, level);
    }

    @Override
    public void releaseInput(int offset) {
        drive(offset, null);
    }

    private void drive(int offset, Boolean level) {
        LineState line = stateOf(offset);
        CompletableFuture<Void> stopped;
        synchronized (lock) {
            stopped = waveforms.stop(line);
            driveExternal(line, level);
        }
        if (stopped != null) {
            stopped.cancel(false);
        }
    }

    /** Drives the external level, {@code null} for nothing (the pull); the lock is held. */
    private void driveExternal(LineState line, Boolean level) {
        line.externalDrive = level;
        update(line);
    }

    @Override
    public boolean externalLevel(int offset) {
        LineState line = stateOf(offset);
        synchronized (lock) {
            return line.externalLevel();
        }
    }

    @Override
    public boolean level(int offset) {
        LineState line = stateOf(offset);
        synchronized (lock) {
            return line.level;
        }
    }

    @Override
    public CompletableFuture<Void> pulse(int offset, boolean level, Duration width) {
        return waveforms.play(stateOf(offset), List.of(new Step(level, width)), true);
    }

    @Override
    public CompletableFuture<Void> play(int offset, List<Step> steps) {
        LineState line = stateOf(offset);
        List<Step> waveform = List.copyOf(steps);
        if (waveform.isEmpty()) {
            throw new IllegalArgumentException("a waveform needs at least one step");
        }
        return waveforms.play(line, waveform, false);
    }

    @Override
    public void failNext(int offset, Reason reason) {
        Objects.requireNonNull(reason, "reason");
        LineState line = stateOf(offset);
        synchronized (lock) {
            line.faults.add(reason);
        }
    }

    @Override
    public void clearFaults(int offset) {
        LineState line = stateOf(offset);
        synchronized (lock) {
            line.faults.clear();
        }
    }

    @Override
    public void setLatency(Duration latency) {
        if (latency.isNegative() || latency.compareTo(SimConfig.MAX_LATENCY) >= 0) {
            throw new IllegalArgumentException("latency " + latency + " is not between 0 and less than a minute");
        }
        latencyNanos = latency.toNanos();
    }

    @Override
    public Duration latency() {
        return Duration.ofNanos(latencyNanos);
    }

    @Override
    public List<LevelChange> recording() {
        synchronized (lock) {
            return recording.changes();
        }
    }

    @Override
    public long recordingStartNanos() {
        synchronized (lock) {
            return recording.startNanos();
        }
    }

    @Override
    public void writeVcd(Appendable out) throws IOException {
        Recording.Snapshot snapshot;
        synchronized (lock) {
            snapshot = recording.snapshot(names());
        }
        Vcd.write(label, snapshot, out);
    }

    @Override
    public void clearRecording() {
        synchronized (lock) {
            recording.restart(levels(), System.nanoTime());
        }
    }

    /** The line names, empty for none; a snapshot. */
    List<String> names() {
        synchronized (lock) {
            List<String> names = new ArrayList<>(lines.length);
            for (LineState line : lines) {
                names.add(line.name);
            }
            return names;
        }
    }

    // ---------------------------------------------------------------- model

    /** Applies settings to a held line; the lock is held. */
    private void apply(LineState line, LineSettings settings) {
        line.settings = settings;
        line.outputActive = settings.direction() == Direction.OUTPUT && settings.outputValue();
        update(line);
    }

    /**
     * Records a change of the line's pin level and hands it to the dispatcher,
     * which reports it to a watch of the line. The lock is held, so the order of
     * changes is the order of their stamps.
     */
    private void update(LineState line) {
        boolean level = line.pinLevel();
        if (level == line.level) {
            return;
        }
        line.level = level;
        long now = System.nanoTime();
        recording.add(now, line.offset, level);
        events.levelChanged(line, now);
    }

    /** The tasks waiting for the chip's event thread: edge deliveries and waveform steps, due or not. */
    int queuedTasks() {
        return events.queuedTasks();
    }

    private boolean[] levels() {
        boolean[] levels = new boolean[lines.length];
        for (LineState line : lines) {
            levels[line.offset] = line.level;
        }
        return levels;
    }

    /** The line a consumer call names; an offset out of range is a GpioException (INVALID_ARGUMENT). */
    private LineState lineFor(int offset) throws GpioException {
        if (offset < 0 || offset >= lines.length) {
            throw new GpioException(Reason.INVALID_ARGUMENT, "line offset " + offset + " is out of range: " + label
                    + " has lines 0 to " + (lines.length - 1));
        }
        return lines[offset];
    }

    /** The line a simulator call names; an offset out of range is an IndexOutOfBoundsException. */
    private LineState stateOf(int offset) {
        return lines[Objects.checkIndex(offset, lines.length)];
    }

    private void checkHeld(LineState line, SimLine handle) throws GpioException {
        if (line.holder != handle) {
            throw new GpioException(Reason.RELEASED, line.describe() + " of " + label + " was released");
        }
    }

    private void takeFault(LineState line) throws GpioException {
        Reason fault = line.faults.poll();
        if (fault != null) {
            throw new GpioException(fault, "injected fault on " + line.describe() + " of " + label);
        }
    }

    private static void checkSupported(LineSettings settings) throws GpioException {
        if (!settings.debounce().isZero()) {
            throw new GpioException(Reason.UNSUPPORTED, "the simulator has no debounce");
        }
    }

    private void simulateLatency() throws GpioException {
        long nanos = latencyNanos;
        if (nanos == 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GpioException(Reason.IO, "interrupted during the simulated latency of " + label, e);
        }
    }
}
