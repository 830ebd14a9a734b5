// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.util.ArrayDeque;

import gpio.api.Bias;
import gpio.api.Direction;
import gpio.api.Drive;
import gpio.api.GpioException;
import gpio.api.LineSettings;

/**
 * The state of one simulated line. Plain mutable fields, all guarded by the
 * lock of the owning {@link SimChip}.
 */
final class LineState {

    final int offset;
    String name;
    /** The configured pull: the external level while nobody drives the line and its consumer sets no pull. */
    boolean pullUp;
    /** What the outside drives, {@code null} while it drives nothing. */
    Boolean externalDrive;
    /** The request holding the line, {@code null} while it is free. */
    SimLine holder;
    String consumer = "";
    /** The holder's settings; meaningful only while held. */
    LineSettings settings = LineSettings.input();
    /** The logical value an output drives. */
    boolean outputActive;
    /** The open edge watch, {@code null} when none; only on a held input. */
    SimSubscription subscription;
    /** The number of the last event reported to the current subscription. */
    long lineSequence;
    /** The level last recorded, to detect changes. */
    boolean level;
    /** The waveform playing on the external level, {@code null} when none; see {@link WaveformPlayer}. */
    WaveformPlayer.Playback playback;
    final ArrayDeque<GpioException.Reason> faults = new ArrayDeque<>(2);

    LineState(int offset, String name, boolean pullUp) {
        this.offset = offset;
        this.name = name;
        this.pullUp = pullUp;
        this.level = externalLevel();
    }

    boolean isOutput() {
        return holder != null && settings.direction() == Direction.OUTPUT;
    }

    boolean externalLevel() {
        if (externalDrive != null) {
            return externalDrive;
        }
        if (holder != null && settings.bias() == Bias.PULL_UP) {
            return true;
        }
        if (holder != null && settings.bias() == Bias.PULL_DOWN) {
            return false;
        }
        return pullUp;
    }

    /** The level on the pin: the output's where it drives, else the external level. */
    boolean pinLevel() {
        if (!isOutput()) {
            return externalLevel();
        }
        boolean high = outputActive ^ settings.activeLow();
        Drive drive = settings.drive();
        if (drive == Drive.OPEN_DRAIN && high || drive == Drive.OPEN_SOURCE && !high) {
            return externalLevel();
        }
        return high;
    }

    /** What the line's name looks like in messages: "line 3 ('RESET')". */
    String describe() {
        return name.isEmpty() ? "line " + offset : "line " + offset + " ('" + name + "')";
    }
}
