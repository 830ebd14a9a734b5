// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.LineInfo;
import gpio.sim.GpioSimulator;
import gpio.sim.Step;

/**
 * Gogo shell commands in scope {@code sim} for operators: list the simulated
 * chips, show their lines, drive inputs, play waveforms, inject faults and
 * latency, dump and clear the recording. A line is given by offset or by name.
 * Errors are thrown as {@link IllegalArgumentException}s whose message the
 * shell prints; nothing is changed then.
 *
 * <p>Only the {@code @Descriptor} help annotations come from Gogo; the package
 * is imported optionally, so the bundle runs without a shell.
 */
@Component(service = Object.class, property = {
    "osgi.command.scope=sim",
    "osgi.command.function=list",
    "osgi.command.function=lines",
    "osgi.command.function=set",
    "osgi.command.function=release",
    "osgi.command.function=pulse",
    "osgi.command.function=wave",
    "osgi.command.function=fail",
    "osgi.command.function=latency",
    "osgi.command.function=trace",
    "osgi.command.function=clear"})
public final class SimCommands {

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<GpioSimulator> simulators = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<GpioController> controllers = List.of();

    /** For DS. */
    public SimCommands() {
    }

    /** For tests: commands over the given chips. */
    SimCommands(List<GpioSimulator> simulators, List<GpioController> controllers) {
        this.simulators = simulators;
        this.controllers = controllers;
    }

    @Descriptor("lists the simulated GPIO chips")
    public String list() {
        List<GpioSimulator> all = new ArrayList<>(simulators);
        all.sort(Comparator.comparing(GpioSimulator::label));
        if (all.isEmpty()) {
            return "no simulated chips: create a configuration of factory PID gpio.sim";
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-20s %6s %12s %10s%n", "LABEL", "LINES",
                "LATENCY(us)", "RECORDED"));
        for (GpioSimulator simulator : all) {
            out.append(String.format(Locale.ROOT, "%-20s %6d %12d %10d%n", simulator.label(), simulator.lineCount(),
                    simulator.latency().toNanos() / 1000, simulator.recording().size()));
        }
        return out.toString();
    }

    @Descriptor("shows the lines of a simulated chip: who holds them, how, and their levels")
    public String lines(@Descriptor("the chip's label") String label) throws GpioException {
        GpioSimulator simulator = simulator(label);
        GpioController controller = controller(label);
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%6s %-20s %-4s %-20s %-6s %-9s %-10s %5s %8s%n",
                "OFFSET", "NAME", "USED", "CONSUMER", "DIR", "ACTIVE", "BIAS", "LEVEL", "EXTERNAL"));
        for (int offset = 0; offset < simulator.lineCount(); offset++) {
            LineInfo info = controller.lineInfo(offset);
            out.append(String.format(Locale.ROOT, "%6d %-20s %-4s %-20s %-6s %-9s %-10s %5s %8s%n", offset,
                    info.name(), info.used() ? "yes" : "no", info.consumer(),
                    info.used() ? info.direction().name().toLowerCase(Locale.ROOT) : "-",
                    info.activeLow() ? "low" : "high", info.bias().name().toLowerCase(Locale.ROOT),
                    Levels.format(simulator.level(offset)), Levels.format(simulator.externalLevel(offset))));
        }
        return out.toString();
    }

    @Descriptor("drives the external level of a line, as a button would")
    public String set(@Descriptor("the chip's label") String label,
            @Descriptor("the line's offset or name") String line,
            @Descriptor("the level: 0 or 1") String level) throws GpioException {
        GpioSimulator simulator = simulator(label);
        int offset = offset(label, line);
        boolean high = Levels.parse(level);
        simulator.setInput(offset, high);
        return label + " line " + offset + " driven " + Levels.format(high) + " from outside";
    }

    @Descriptor("stops driving a line from outside: it follows its pull again")
    public String release(@Descriptor("the chip's label") String label,
            @Descriptor("the line's offset or name") String line) throws GpioException {
        GpioSimulator simulator = simulator(label);
        int offset = offset(label, line);
        simulator.releaseInput(offset);
        return label + " line " + offset + " released, at its pull: " + Levels.format(simulator.externalLevel(offset));
    }

    @Descriptor("drives a line to a level for a while, then back; returns at once")
    public String pulse(@Descriptor("the chip's label") String label,
            @Descriptor("the line's offset or name") String line,
            @Descriptor("the level during the pulse: 0 or 1") String level,
            @Descriptor("how long, in milliseconds") long millis) throws GpioException {
        GpioSimulator simulator = simulator(label);
        int offset = offset(label, line);
        boolean high = Levels.parse(level);
        simulator.pulse(offset, high, Duration.ofMillis(checkedMillis(millis)));
        return label + " line " + offset + " pulsed " + Levels.format(high) + " for " + millis + " ms";
    }

    @Descriptor("plays a waveform on a line in the background, e.g. wave sim0 3 1:100 0:50 1:0")
    public String wave(@Descriptor("the chip's label") String label,
            @Descriptor("the line's offset or name") String line,
            @Descriptor("steps LEVEL:MILLISECONDS, each level held for that long") String[] steps)
            throws GpioException {
        GpioSimulator simulator = simulator(label);
        int offset = offset(label, line);
        List<Step> waveform = new ArrayList<>();
        for (String step : steps) {
            int colon = step.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("a step is LEVEL:MILLISECONDS, such as 1:100, not '"
                        + Levels.printable(step) + "'");
            }
            waveform.add(new Step(Levels.parse(step.substring(0, colon)),
                    Duration.ofMillis(checkedMillis(parseLong(step.substring(colon + 1), "milliseconds")))));
        }
        if (waveform.isEmpty()) {
            throw new IllegalArgumentException("give at least one step LEVEL:MILLISECONDS");
        }
        simulator.play(offset, waveform);
        return label + " line " + offset + " plays " + waveform.size() + " steps";
    }

    @Descriptor("makes the next operation of the consumer on a line fail")
    public String fail(@Descriptor("the chip's label") String label,
            @Descriptor("the line's offset or name") String line,
            @Descriptor("the reason: BUSY, INVALID_ARGUMENT, UNSUPPORTED, IO or RELEASED; NONE clears the faults")
            String reason) throws GpioException {
        GpioSimulator simulator = simulator(label);
        int offset = offset(label, line);
        String name = reason.strip().toUpperCase(Locale.ROOT);
        if (name.equals("NONE")) {
            simulator.clearFaults(offset);
            return label + " line " + offset + ": faults cleared";
        }
        GpioException.Reason parsed;
        try {
            parsed = GpioException.Reason.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown reason '" + Levels.printable(reason) + "': give one of "
                    + List.of(GpioException.Reason.values()) + " or NONE", e);
        }
        simulator.failNext(offset, parsed);
        return label + " line " + offset + ": the next operation fails with " + parsed;
    }

    @Descriptor("shows the latency added to every operation of a chip")
    public String latency(@Descriptor("the chip's label") String label) {
        return label + " latency " + simulator(label).latency().toNanos() / 1000 + " us";
    }

    @Descriptor("sets the latency added to every operation of a chip")
    public String latency(@Descriptor("the chip's label") String label,
            @Descriptor("the latency in microseconds, 0 for none") long micros) {
        GpioSimulator simulator = simulator(label);
        if (micros < 0 || micros >= SimConfig.MAX_LATENCY.toNanos() / 1000) {
            throw new IllegalArgumentException("latency is 0 to " + (SimConfig.MAX_LATENCY.toNanos() / 1000 - 1)
                    + " microseconds, not " + micros);
        }
        simulator.setLatency(Duration.ofNanos(micros * 1000));
        return latency(label);
    }

    @Descriptor("prints the recording of a chip as VCD")
    public String trace(@Descriptor("the chip's label") String label) throws IOException {
        StringBuilder out = new StringBuilder();
        simulator(label).writeVcd(out);
        return out.toString();
    }

    @Descriptor("writes the recording of a chip to a VCD file, for GTKWave")
    public String trace(@Descriptor("the chip's label") String label,
            @Descriptor("the file to write") String file) throws IOException {
        GpioSimulator simulator = simulator(label);
        Path path = Path.of(file).toAbsolutePath();
        try (Writer out = Files.newBufferedWriter(path, StandardCharsets.US_ASCII)) {
            simulator.writeVcd(out);
        }
        return label + " recording written to " + path;
    }

    @Descriptor("forgets the recording of a chip")
    public String clear(@Descriptor("the chip's label") String label) {
        simulator(label).clearRecording();
        return label + " recording cleared";
    }

    private GpioSimulator simulator(String label) {
        List<GpioSimulator> all = simulators;
        for (GpioSimulator simulator : all) {
            if (simulator.label().equals(label)) {
                return simulator;
            }
        }
        throw new IllegalArgumentException("no simulated chip '" + Levels.printable(label) + "'; there are: "
                + all.stream().map(GpioSimulator::label).sorted().collect(Collectors.joining(", ")));
    }

    private GpioController controller(String label) {
        for (GpioController controller : controllers) {
            if (controller.label().equals(label)) {
                return controller;
            }
        }
        throw new IllegalArgumentException("no GPIO controller '" + Levels.printable(label) + "'");
    }

    /** An offset, or the offset of the line with that name. */
    private int offset(String label, String line) throws GpioException {
        GpioController controller = controller(label);
        try {
            int offset = Integer.parseInt(line.strip());
            if (offset < 0 || offset >= controller.lineCount()) {
                throw new IllegalArgumentException(label + " has lines 0 to " + (controller.lineCount() - 1)
                        + ", not " + offset);
            }
            return offset;
        } catch (NumberFormatException notANumber) {
            for (int offset = 0; offset < controller.lineCount(); offset++) {
                if (controller.lineInfo(offset).name().equals(line)) {
                    return offset;
                }
            }
            throw new IllegalArgumentException(label + " has no line named '" + Levels.printable(line) + "'");
        }
    }

    private static long checkedMillis(long millis) {
        if (millis < 0 || millis >= Step.MAX_DURATION.toMillis()) {
            throw new IllegalArgumentException("a duration is 0 to " + (Step.MAX_DURATION.toMillis() - 1)
                    + " milliseconds, not " + millis);
        }
        return millis;
    }

    private static long parseLong(String text, String what) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, not '" + Levels.printable(text) + "'",
                    e);
        }
    }
}
