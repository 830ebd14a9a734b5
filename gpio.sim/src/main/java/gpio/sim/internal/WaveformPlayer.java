// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;

import gpio.sim.Step;

/**
 * Plays waveforms on the external level of a chip's lines: each step is a task
 * scheduled on the chip's event thread ({@link EdgeDispatcher}), at the moment the
 * durations of the steps before it add up to. A line plays at most one waveform;
 * whatever stops it (a new waveform, {@code setInput}, {@code releaseInput},
 * cancelling its future, the chip closing) takes its next step off the event
 * thread's queue at once.
 *
 * <p>Threading: the waveform playing on a line ({@link LineState#playback}) is
 * guarded by the chip's lock, like the rest of the line, and so is the next step
 * of each waveform. Futures are completed and cancelled outside that lock, since
 * their dependents run in that call: the methods that stop waveforms under the
 * lock hand back the futures for the caller to cancel once it has let go of it.
 */
final class WaveformPlayer {

    private static final System.Logger LOG = System.getLogger(WaveformPlayer.class.getName());

    /** What a step does to its line; called with the chip's lock held. */
    @FunctionalInterface
    interface ExternalDrive {
        /**
         * Drives a line's external level and records the change, if any.
         *
         * @param line the line
         * @param level the level, {@code null} to stop driving it (it follows its pull)
         */
        void drive(LineState line, Boolean level);
    }

    private final Supplier<String> label;
    private final Object lock;
    private final EdgeDispatcher eventThread;
    private final ExternalDrive externalDrive;
    private boolean closed;

    /**
     * @param label the chip's current label, for log lines
     * @param lock the chip's lock
     * @param eventThread the thread the steps run on
     * @param externalDrive what a step does
     */
    WaveformPlayer(Supplier<String> label, Object lock, EdgeDispatcher eventThread, ExternalDrive externalDrive) {
        this.label = label;
        this.lock = lock;
        this.eventThread = eventThread;
        this.externalDrive = externalDrive;
    }

    /**
     * Starts a waveform on a line, stopping the one playing there.
     *
     * @param line the line
     * @param steps the steps, at least one, immutable
     * @param thenRestore whether the line goes back to what drove it before (a level, or nothing and
     *        so its pull) once the last step's duration is over; otherwise the last step's level stays
     * @return completes once the waveform is over; cancelled when stopped, at once when the chip is closed
     */
    CompletableFuture<Void> play(LineState line, List<Step> steps, boolean thenRestore) {
        CompletableFuture<Void> replaced;
        Playback playback;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new CancellationException("the chip was removed"));
            }
            replaced = stop(line);
            playback = new Playback(line, steps, thenRestore ? new Restore(line.externalDrive) : null);
            line.playback = playback;
            playback.nextStep = eventThread.schedule(playback, 0);
        }
        if (replaced != null) {
            replaced.cancel(false);
        }
        return playback.done;
    }

    /**
     * Stops the waveform playing on a line, if any, and takes its next step off
     * the queue. The chip's lock is held.
     *
     * @return the stopped waveform's future, for the caller to cancel after
     *         releasing the lock, or {@code null} when none played
     */
    CompletableFuture<Void> stop(LineState line) {
        Playback playing = line.playback;
        if (playing == null) {
            return null;
        }
        line.playback = null;
        playing.nextStep.cancel(false);
        return playing.done;
    }

    /**
     * Stops every waveform for good: later ones are cancelled at once. The chip's
     * lock is held.
     *
     * @return the futures of the stopped waveforms, to cancel after releasing the lock
     */
    List<CompletableFuture<Void>> close(LineState[] lines) {
        closed = true;
        List<CompletableFuture<Void>> stopped = new ArrayList<>();
        for (LineState line : lines) {
            CompletableFuture<Void> playing = stop(line);
            if (playing != null) {
                stopped.add(playing);
            }
        }
        return stopped;
    }

    /** The drive a waveform puts back at its end: a level, or {@code null} for none (the pull). */
    private record Restore(Boolean level) {
    }

    /**
     * One waveform being played; runs as its own next step. Each step is scheduled
     * from the moment the first one was applied, so delays do not add up.
     */
    final class Playback implements Runnable {
        private final LineState line;
        private final List<Step> steps;
        /** {@code null} when the last step's level stays. */
        private final Restore restore;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        /** The step scheduled next on the event thread; guarded by the chip's lock. */
        private ScheduledFuture<?> nextStep;
        private long startNanos;
        private long elapsedNanos;
        private int next;

        Playback(LineState line, List<Step> steps, Restore restore) {
            this.line = line;
            this.steps = steps;
            this.restore = restore;
            // However the future ends (also cancelled by whoever holds it), the waveform stops with it.
            done.whenComplete((ignored, failure) -> forget());
        }

        @Override
        public void run() {
            Throwable failure = null;
            synchronized (lock) {
                if (line.playback != this || done.isDone()) {
                    return; // stopped while this step was already running
                }
                try {
                    if (step()) {
                        return;
                    }
                } catch (Throwable e) {
                    // Contained here: the event thread carries on, and whoever waits for the waveform learns why.
                    LOG.log(Level.ERROR, "The waveform on " + line.describe() + " of " + label.get()
                            + " failed at step " + next + " of " + steps.size() + " and stopped", e);
                    failure = e;
                }
                line.playback = null;
            }
            if (failure == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(failure);
            }
        }

        /**
         * Applies the next step and schedules the one after it; the chip's lock is held.
         *
         * @return {@code true} while steps remain, {@code false} once the waveform is over
         */
        private boolean step() {
            if (next == steps.size()) {
                if (restore != null) {
                    externalDrive.drive(line, restore.level());
                }
                return false;
            }
            Step step = steps.get(next++);
            externalDrive.drive(line, step.level());
            if (next == 1) {
                startNanos = System.nanoTime();
            }
            elapsedNanos += step.duration().toNanos();
            nextStep = eventThread.schedule(this, startNanos + elapsedNanos - System.nanoTime());
            return true;
        }

        /** Once the future is done, however that happened: the line plays this waveform no more. */
        private void forget() {
            synchronized (lock) {
                if (line.playback == this) {
                    stop(line);
                }
            }
        }
    }
}
