// SPDX-License-Identifier: Apache-2.0
package gpio.sim;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.osgi.annotation.versioning.ProviderType;

import gpio.api.GpioException;

/**
 * The control side of one simulated chip: what the world outside the chip does
 * to it, and what a test observes of it.
 *
 * <p>Implemented by the simulator, which registers it as a service together with
 * the chip's {@link gpio.api.GpioController}, with the same
 * {@value gpio.api.GpioController#LABEL_PROPERTY} property; tests and operators
 * only call it.
 *
 * <p>Electrical model: every line has an <em>external level</em>, what a button
 * or sensor drives, which follows the line's pull while nobody drives it. An
 * input line reads the external level; an output line drives its own level
 * (an open-drain output only pulls low, an open-source output only pulls high;
 * otherwise the external level shows). The <em>level</em> of a line is the one
 * on the pin; every change of it is recorded.
 *
 * <p>Levels here are electrical ({@code true} = high), never inverted by
 * active-low. Offsets out of range throw {@link IndexOutOfBoundsException}.
 * Every method may be called from any thread.
 */
@ProviderType
public interface GpioSimulator {

    /**
     * The chip's label, the same as its controller's.
     *
     * @return the label
     */
    String label();

    /**
     * The number of lines.
     *
     * @return the number of lines
     */
    int lineCount();

    /**
     * Drives the external level of a line, as a button or sensor would, until the
     * next call for that line. Stops a waveform playing on that line.
     *
     * @param offset the line offset
     * @param level {@code true} for high
     */
    void setInput(int offset, boolean level);

    /**
     * Stops driving a line from outside: its external level follows its pull
     * again (the consumer's pull-up or pull-down if it requested one, else the
     * configured pull). Stops a waveform playing on that line.
     *
     * @param offset the line offset
     */
    void releaseInput(int offset);

    /**
     * The external level of a line: what the outside drives, or its pull.
     *
     * @param offset the line offset
     * @return {@code true} for high
     */
    boolean externalLevel(int offset);

    /**
     * The level on the pin now: the output's level for an output that drives it,
     * otherwise the external level.
     *
     * @param offset the line offset
     * @return {@code true} for high
     */
    boolean level(int offset);

    /**
     * Drives the external level to {@code level} for {@code width}, then puts
     * back what drove the line before: the level the outside drove, or, when
     * nothing drove it, nothing, so that it follows its pull again as after
     * {@link #releaseInput}. Stops and is stopped like {@link #play}.
     *
     * @param offset the line offset
     * @param level the level during the pulse
     * @param width how long the pulse lasts, less than {@link Step#MAX_DURATION}
     * @return completes when the level is back, or exceptionally when stopped
     *         (see {@link #play})
     */
    CompletableFuture<Void> pulse(int offset, boolean level, Duration width);

    /**
     * Plays a waveform on the external level of a line, in the background: each
     * step's level is driven at the moment the previous steps' durations add up
     * to (without drift), and the last level stays. A later {@link #setInput},
     * {@link #releaseInput}, {@link #play} or {@link #pulse} on the same line
     * stops it.
     *
     * @param offset the line offset
     * @param steps the steps, at least one
     * @return completes once the last step's duration is over; completes
     *         exceptionally with a {@link java.util.concurrent.CancellationException}
     *         when stopped early (or cancelled through this future), or when the
     *         chip goes away
     * @throws IllegalArgumentException for no steps
     */
    CompletableFuture<Void> play(int offset, List<Step> steps);

    /**
     * Makes the next operation of a consumer on a line ({@code request},
     * {@code getValue}, {@code setValue}, {@code reconfigure} or {@code watchEdges})
     * fail with the given reason and change nothing. Faults queue up: two calls
     * fail the next two operations.
     *
     * @param offset the line offset
     * @param reason the reason the operation fails with
     */
    void failNext(int offset, GpioException.Reason reason);

    /**
     * Clears the faults queued on a line.
     *
     * @param offset the line offset
     */
    void clearFaults(int offset);

    /**
     * Delays every later operation of a consumer on a line ({@code request},
     * {@code getValue}, {@code setValue}, {@code reconfigure} and {@code watchEdges};
     * not {@code lineInfo} or closing) by this much, as a slow bus would.
     *
     * @param latency the delay, zero for none, less than one minute
     * @throws IllegalArgumentException for a negative delay or one of a minute or more
     */
    void setLatency(Duration latency);

    /**
     * The delay added to operations.
     *
     * @return the delay, zero for none
     */
    Duration latency();

    /**
     * The level changes recorded since the chip started or the last
     * {@link #clearRecording}, oldest first. The recording keeps the latest
     * changes up to a configured limit.
     *
     * @return an immutable snapshot
     */
    List<LevelChange> recording();

    /**
     * When the {@link #recording} starts: the chip's start, the last
     * {@link #clearRecording}, or, once the recording is past its limit, the
     * time of the latest change folded out of it. Every level change since then
     * is recorded.
     *
     * @return a {@link System#nanoTime()} time
     */
    long recordingStartNanos();

    /**
     * Writes the recording as a Value Change Dump (IEEE 1364 VCD, viewable in
     * GTKWave): one 1-bit wire per line, named after the line, times in
     * nanoseconds from the start of the recording, the levels at the start
     * under {@code $dumpvars}.
     *
     * @param out where to write
     * @throws IOException when {@code out} fails
     */
    void writeVcd(Appendable out) throws IOException;

    /**
     * Forgets the recorded changes; the recording starts again from the
     * current levels.
     */
    void clearRecording();
}
