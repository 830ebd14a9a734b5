// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import gpio.api.Direction;
import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.LineInfo;
import gpio.virtio.internal.DeviceStatus;
import gpio.virtio.internal.LineHistory;

/**
 * The waveform of one controller over a window ending now: a {@link Trace}
 * per line with its name, direction and who drives it. Levels of a simulated
 * chip come from the simulator's recording (everything that happened on the
 * pin); levels of other backends from what the devices bound to the controller
 * saw (values their guests set or read, edges reported to them). Interrupts
 * delivered to guests come from the devices either way.
 */
final class Waveform {

    /** The shortest window an operator may pick. */
    static final long MIN_WINDOW_MS = 1_000;
    /** The longest window an operator may pick: ten minutes. */
    static final long MAX_WINDOW_MS = 600_000;
    /** The most elements of changes (and of interrupts) per line in one answer. */
    static final int MAX_CHANGES_PER_LINE = 400;
    /** The most elements of changes (and of interrupts) of all lines in one answer. */
    static final int MAX_CHANGES_PER_ANSWER = 25_600;
    private static final int MIN_CHANGES_PER_LINE = 16;
    /** In a packed VCD event, the kind after the levels of {@link Trace}. */
    private static final byte VCD_INTERRUPT = 3;
    /** Controllers have at most 65535 lines (ngpio is 16 bits), so 16 bits of line and 2 of kind. */
    private static final int VCD_TIME_SHIFT = 18;
    private static final int VCD_LINE_MASK = 0xFFFF;

    private final String label;
    private final String backend;
    private final long windowMs;
    private final Instant end;
    private final long fromNanos;
    private final List<Line> lines;

    /**
     * One line's row.
     *
     * @param info the controller's view of the line
     * @param driver who drives it
     * @param source where its levels come from: {@code simulator}, {@code gateway} or {@code none}
     * @param window its trace over the window
     */
    private record Line(LineInfo info, String driver, String source, Trace.Window window) {
    }

    private Waveform(String label, String backend, long windowMs, Instant end, long fromNanos, List<Line> lines) {
        this.label = label;
        this.backend = backend;
        this.windowMs = windowMs;
        this.end = end;
        this.fromNanos = fromNanos;
        this.lines = lines;
    }

    /**
     * Takes the waveform of a controller now.
     *
     * @param controller the controller
     * @param backend its backend, {@code null} when unknown
     * @param chip its simulated chip, {@code null} when it is not simulated
     * @param devices every device with its service properties
     * @param windowMs the window, in milliseconds
     * @return the waveform
     * @throws GpioException when the controller cannot describe its lines
     */
    static Waveform capture(GpioController controller, String backend, SimulatedChips.Chip chip,
            List<Map.Entry<Map<String, ?>, DeviceStatus>> devices, long windowMs) throws GpioException {
        int count = controller.lineCount();
        LineInfo[] infos = new LineInfo[count];
        for (int offset = 0; offset < count; offset++) {
            infos[offset] = controller.lineInfo(offset);
        }
        String[] guestDrivers = new String[count];
        Trace[] traces = chip == null ? gatewayTraces(count) : simulatedTraces(chip, count);
        boolean[] seen = new boolean[count];
        for (Map.Entry<Map<String, ?>, DeviceStatus> device : devices) {
            DeviceStatus.Snapshot status = device.getValue().status();
            Object pid = device.getKey().get("service.pid");
            String name = pid == null ? status.socketPath() : pid.toString();
            for (LineHistory history : device.getValue().lineHistories()) {
                int offset = history.offset();
                if (!servedBy(status, history.line(), controller.label())) {
                    continue; // a line of another controller (of a composed chip, or of another device)
                }
                if (offset >= count) {
                    continue; // a smaller controller than the device's layout: the guest gets ERR for it
                }
                if (history.guestDrives()) {
                    guestDrivers[offset] = "guest via " + name + " (line " + history.line() + ")";
                }
                seen[offset] |= add(history.events(), traces[offset], chip == null);
            }
        }
        long now = System.nanoTime();
        Instant wallNow = Instant.now();
        long from = now - windowMs * 1_000_000;
        List<Line> lines = new ArrayList<>(count);
        for (int offset = 0; offset < count; offset++) {
            String source = chip != null ? "simulator" : seen[offset] ? "gateway" : "none";
            lines.add(new Line(infos[offset], driver(infos[offset], guestDrivers[offset], chip != null), source,
                    traces[offset].cut(from, now)));
        }
        return new Waveform(controller.label(), backend, windowMs, wallNow, from, lines);
    }

    private static Trace[] gatewayTraces(int count) {
        Trace[] traces = new Trace[count];
        for (int offset = 0; offset < count; offset++) {
            // The gateway knows a level only from what it saw.
            traces[offset] = new Trace(Long.MIN_VALUE, Trace.UNKNOWN);
        }
        return traces;
    }

    private static Trace[] simulatedTraces(SimulatedChips.Chip chip, int count) {
        SimulatedChips.Recording recording = chip.recording();
        // Every change of a pin is recorded, so the level before a line's first change is the
        // other one, and a line without change has been at its present level all along.
        Boolean[] initial = new Boolean[count];
        for (int i = 0; i < recording.offsets().length; i++) {
            int offset = recording.offsets()[i];
            if (offset < count && initial[offset] == null) {
                initial[offset] = !recording.levels()[i];
            }
        }
        Trace[] traces = new Trace[count];
        for (int offset = 0; offset < count; offset++) {
            boolean level = initial[offset] != null ? initial[offset]
                    : offset < chip.lineCount() && chip.level(offset);
            traces[offset] = new Trace(recording.startNanos(), level ? Trace.HIGH : Trace.LOW);
        }
        for (int i = 0; i < recording.offsets().length; i++) {
            int offset = recording.offsets()[i];
            if (offset < count) {
                traces[offset].change(recording.nanos()[i], recording.levels()[i] ? Trace.HIGH : Trace.LOW);
            }
        }
        return traces;
    }

    /**
     * Adds what a device saw: the interrupts, and the levels too unless the
     * simulator's recording has them all.
     *
     * @return whether the device saw anything of the line
     */
    private static boolean add(LineHistory.Events events, Trace trace, boolean levels) {
        for (int i = 0; i < events.kinds().length; i++) {
            byte kind = events.kinds()[i];
            if (kind == LineHistory.INTERRUPT) {
                trace.interrupt(events.nanos()[i]);
            } else if (levels) {
                trace.change(events.nanos()[i], kind);
            }
        }
        return events.kinds().length > 0;
    }

    private static String driver(LineInfo info, String guest, boolean simulated) {
        if (guest != null) {
            return guest;
        }
        if (info.used() && info.direction() == Direction.OUTPUT) {
            return "consumer " + info.consumer();
        }
        return simulated ? "simulator input" : "nobody";
    }

    /**
     * The waveform as JSON: the controller, the window and its end (wall clock,
     * microseconds since the epoch), then per line its offset, name, direction,
     * driver, source and trace (see {@link Trace.Window#json}), with at most
     * {@link #changesPerLine} elements of changes per line.
     *
     * @return the JSON
     */
    Json json() {
        int perLine = changesPerLine(lines.size());
        Json json = new Json().beginObject().field("label", label).field("backend", backend)
                .field("windowMs", windowMs).field("endEpochMicros", ChronoUnit.MICROS.between(Instant.EPOCH, end))
                .field("maxChangesPerLine", perLine).beginArray("lines");
        for (Line line : lines) {
            LineInfo info = line.info();
            json.beginObject().field("offset", info.offset()).field("name", info.name())
                    .field("direction", info.used() ? info.direction().name().toLowerCase(Locale.ROOT) : "unused")
                    .field("driver", line.driver()).field("source", line.source());
            line.window().json(json, perLine);
            json.endObject();
        }
        return json.endArray().endObject();
    }

    /**
     * The elements per line an answer allows: {@value #MAX_CHANGES_PER_LINE}, less
     * on controllers of more than 64 lines so that an answer stays within
     * {@value #MAX_CHANGES_PER_ANSWER}.
     *
     * @param lineCount the controller's lines
     * @return the bound, even
     */
    static int changesPerLine(int lineCount) {
        int share = MAX_CHANGES_PER_ANSWER / Math.max(1, lineCount);
        return Math.max(MIN_CHANGES_PER_LINE, Math.min(MAX_CHANGES_PER_LINE, share)) & ~1;
    }

    /**
     * The same window as a Value Change Dump (IEEE 1364), every change kept (no
     * decimation: it is a download): a 1-bit wire per line ({@code x} while
     * unknown) and, for a line with interrupts in the window, an event variable
     * {@code lineN_irq}; times in nanoseconds from the window's start.
     *
     * @return the VCD text
     */
    String vcd() {
        StringBuilder out = new StringBuilder(256);
        out.append("$date ").append(end).append(" $end\n$version vgpio gateway waveform $end\n")
                .append("$comment the ").append(windowMs).append(" ms ending at the date $end\n")
                .append("$timescale 1ns $end\n$scope module ").append(reference(label)).append(" $end\n");
        int events = 0;
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            String name = "line" + line.info().offset()
                    + (line.info().name().isEmpty() ? "" : "_" + reference(line.info().name()));
            out.append("$var wire 1 l").append(i).append(' ').append(name).append(" $end\n");
            if (line.window().interrupts() > 0) {
                out.append("$var event 1 i").append(i).append(' ').append(name).append("_irq $end\n");
            }
            events += line.window().changes() + line.window().interrupts();
        }
        out.append("$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n");
        for (int i = 0; i < lines.size(); i++) {
            out.append(vcdLevel(lines.get(i).window().start())).append('l').append(i).append('\n');
        }
        out.append("$end\n");
        // Every line's changes and interrupts in one time order: time, line and what, packed in a long.
        long[] packed = new long[events];
        int n = 0;
        for (int i = 0; i < lines.size(); i++) {
            Trace.Window window = lines.get(i).window();
            for (int k = 0; k < window.changes(); k++) {
                packed[n++] = pack(window.time(k), i, window.level(k));
            }
            for (int k = 0; k < window.interrupts(); k++) {
                packed[n++] = pack(window.interruptTime(k), i, VCD_INTERRUPT);
            }
        }
        Arrays.sort(packed);
        long lastTime = 0;
        for (long event : packed) {
            long time = event >>> VCD_TIME_SHIFT;
            if (time != lastTime) {
                out.append('#').append(time).append('\n');
                lastTime = time;
            }
            int line = (int) (event >>> 2 & VCD_LINE_MASK);
            byte what = (byte) (event & 3);
            out.append(what == VCD_INTERRUPT ? "1i" : vcdLevel(what) + "l").append(line).append('\n');
        }
        return out.toString();
    }

    private long pack(long time, int line, byte what) {
        return (time - fromNanos) << VCD_TIME_SHIFT | (long) line << 2 | what;
    }

    private static char vcdLevel(byte level) {
        return level == Trace.UNKNOWN ? 'x' : level == Trace.HIGH ? '1' : '0';
    }

    /** Letters, digits and {@code _} only: wave viewers split names on anything else. */
    private static String reference(String text) {
        char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (!(chars[i] < 0x80 && Character.isLetterOrDigit(chars[i]))) {
                chars[i] = '_';
            }
        }
        return new String(chars);
    }

    /** Whether guest line {@code line} of a device is a line of the bound controller {@code label}. */
    private static boolean servedBy(DeviceStatus.Snapshot status, int line, String label) {
        return line < status.lines().size() && status.lines().get(line).bound()
                && status.lines().get(line).controller().equals(label);
    }
}
