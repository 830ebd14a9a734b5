// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.shell;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import gpio.api.EdgeDetection;
import gpio.api.EdgeEvent;
import gpio.api.EdgeSubscription;
import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.GpioLine;
import gpio.api.LineInfo;
import gpio.api.LineSettings;
import gpio.virtio.internal.DeviceCounters;
import gpio.virtio.internal.DeviceStatus;

/**
 * Gogo shell commands in scope {@code gpio} for operators, over every GPIO
 * controller of any backend and every virtio-gpio device of this bundle: list
 * controllers, show lines, read, drive and watch a line, show the devices.
 * Simulator control (driving inputs from outside) is in scope {@code sim} of
 * the gpio.sim bundle. A line is given by offset or by name. Errors are thrown
 * as {@link IllegalArgumentException}s (or {@link GpioException}s) whose
 * message the shell prints; nothing is changed then.
 *
 * <p>{@code gpio:set} holds the line as an output, like libgpiod's
 * {@code gpioset}, until {@code gpio:release} or until this component stops,
 * so the value stays driven after the command returns. Held lines are guarded
 * by the component's monitor; commands from several sessions may run at once.
 *
 * <p>Only the {@code @Descriptor}/{@code @Parameter} annotations come from
 * Gogo; the package is imported optionally, so the bundle runs without a
 * shell (annotations of a missing package are simply absent).
 */
@Component(service = GpioCommands.class, property = {
    "osgi.command.scope=gpio",
    "osgi.command.function=list",
    "osgi.command.function=info",
    "osgi.command.function=get",
    "osgi.command.function=set",
    "osgi.command.function=release",
    "osgi.command.function=watch",
    "osgi.command.function=devices"})
public final class GpioCommands {

    /** The consumer name under which the shell requests lines, as {@code gpioinfo} shows it. */
    static final String CONSUMER = "gogo-shell";
    private static final Duration MAX_WATCH = Duration.ofHours(24);

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<Map.Entry<Map<String, ?>, GpioController>> controllers = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<Map.Entry<Map<String, ?>, DeviceStatus>> devices = List.of();

    /** Lines driven by {@link #set}, by "label/offset"; guarded by this. */
    private final Map<String, GpioLine> held = new HashMap<>();

    /** For DS. */
    public GpioCommands() {
    }

    /**
     * For tests: commands over the given services, each with its service properties.
     *
     * @param controllers the controllers
     * @param devices the devices
     */
    GpioCommands(List<Map.Entry<Map<String, ?>, GpioController>> controllers,
            List<Map.Entry<Map<String, ?>, DeviceStatus>> devices) {
        this.controllers = controllers;
        this.devices = devices;
    }

    /** Releases every line {@link #set} still holds. */
    @Deactivate
    synchronized void releaseAll() {
        held.values().forEach(GpioLine::close);
        held.clear();
    }

    @Descriptor("lists the GPIO controllers of every backend: label, backend, lines, lines in use")
    public String list() throws GpioException {
        List<Map.Entry<Map<String, ?>, GpioController>> all = sortedControllers();
        if (all.isEmpty()) {
            return "no GPIO controllers: create a configuration of factory PID gpio.sim or gpio.cdev";
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-20s %-8s %6s %6s%n", "LABEL", "BACKEND",
                "LINES", "IN USE"));
        for (Map.Entry<Map<String, ?>, GpioController> entry : all) {
            GpioController controller = entry.getValue();
            int used = 0;
            for (int offset = 0; offset < controller.lineCount(); offset++) {
                if (controller.lineInfo(offset).used()) {
                    used++;
                }
            }
            out.append(String.format(Locale.ROOT, "%-20s %-8s %6d %6d%n", controller.label(),
                    backend(entry.getKey()), controller.lineCount(), used));
        }
        return out.toString();
    }

    @Descriptor("shows the lines of a GPIO controller: name, who uses them and how")
    public String info(@Descriptor("the controller's label") String label) throws GpioException {
        GpioController controller = controller(label);
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%6s %-20s %-4s %-20s %-6s %-6s %-10s %-11s%n",
                "OFFSET", "NAME", "USED", "CONSUMER", "DIR", "ACTIVE", "BIAS", "DRIVE"));
        for (int offset = 0; offset < controller.lineCount(); offset++) {
            LineInfo info = controller.lineInfo(offset);
            out.append(String.format(Locale.ROOT, "%6d %-20s %-4s %-20s %-6s %-6s %-10s %-11s%n", offset,
                    info.name(), info.used() ? "yes" : "no", info.consumer(), lower(info.direction()),
                    info.activeLow() ? "low" : "high", lower(info.bias()), lower(info.drive())));
        }
        return out.toString();
    }

    @Descriptor("reads a line: as the output this shell drives, else by requesting it as an input for the read")
    public String get(@Descriptor("the controller's label") String label,
            @Descriptor("the line's offset or name") String line) throws GpioException {
        GpioController controller = controller(label);
        int offset = offset(controller, line);
        boolean active;
        synchronized (this) {
            GpioLine driven = held.get(key(controller, offset));
            if (driven != null) {
                active = driven.getValue();
            } else {
                try (GpioLine input = controller.request(offset, LineSettings.input(), CONSUMER)) {
                    active = input.getValue();
                }
            }
        }
        return label + " line " + offset + ": " + (active ? "1" : "0");
    }

    @Descriptor("drives a line as an output and keeps driving it until gpio:release")
    public String set(@Descriptor("the controller's label") String label,
            @Descriptor("the line's offset or name") String line,
            @Descriptor("the value: 0 or 1 (logical: 1 is active)") String value) throws GpioException {
        GpioController controller = controller(label);
        int offset = offset(controller, line);
        boolean active = parseValue(value);
        synchronized (this) {
            String key = key(controller, offset);
            GpioLine driven = held.get(key);
            if (driven != null) {
                driven.setValue(active);
            } else {
                held.put(key, controller.request(offset, LineSettings.output(active), CONSUMER));
            }
        }
        return label + " line " + offset + " driven " + (active ? "1" : "0") + " (held until gpio:release "
                + label + " " + offset + ")";
    }

    @Descriptor("stops driving a line that gpio:set drives and releases it")
    public String release(@Descriptor("the controller's label") String label,
            @Descriptor("the line's offset or name") String line) {
        GpioController controller = controller(label);
        int offset = offset(controller, line);
        GpioLine driven;
        synchronized (this) {
            driven = held.remove(key(controller, offset));
        }
        if (driven == null) {
            throw new IllegalArgumentException(label + " line " + offset + " is not driven by gpio:set");
        }
        driven.close();
        return label + " line " + offset + " released";
    }

    @Descriptor("requests a line as an input and prints its edges as they come: timestamp, edge, sequence numbers")
    public String watch(
            @Descriptor("which edges: rising, falling or both (default both)")
            @Parameter(names = {"-e", "--edges"}, absentValue = "both") String edges,
            @Descriptor("stop after this many edges, 0 for no limit (default 0)")
            @Parameter(names = {"-n", "--count"}, absentValue = "0") int count,
            @Descriptor("stop after this many seconds (default 10)")
            @Parameter(names = {"-t", "--timeout"}, absentValue = "10") long seconds,
            @Descriptor("the controller's label") String label,
            @Descriptor("the line's offset or name") String line) throws GpioException, InterruptedException {
        GpioController controller = controller(label);
        int offset = offset(controller, line);
        EdgeDetection detection = parseEdges(edges);
        if (count < 0) {
            throw new IllegalArgumentException("-n " + count + " is negative");
        }
        if (seconds < 1 || seconds > MAX_WATCH.toSeconds()) {
            throw new IllegalArgumentException("-t " + seconds + " is outside 1.." + MAX_WATCH.toSeconds());
        }
        // Events arrive on the controller's thread, where System.out is not this
        // session's console: hand them to the command's thread to print.
        BlockingQueue<EdgeEvent> events = new LinkedBlockingQueue<>();
        int seen = 0;
        try (GpioLine input = controller.request(offset, LineSettings.input(), CONSUMER)) {
            EdgeSubscription subscription = input.watchEdges(detection, events::add);
            try {
                System.out.println("watching " + lower(detection) + " edges of " + label + " line " + offset
                        + " for " + seconds + " s" + (count > 0 ? " or " + count + " edges" : "") + "; Ctrl-C stops");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                while (count == 0 || seen < count) {
                    long left = deadline - System.nanoTime();
                    EdgeEvent event = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
                    if (event == null) {
                        break;
                    }
                    seen++;
                    System.out.println(format(event));
                }
            } finally {
                subscription.close();
            }
        }
        return seen + " edge" + (seen == 1 ? "" : "s") + " seen";
    }

    @Descriptor("lists the virtio-gpio devices: socket, frontend, features, controller and counters")
    public String devices() {
        List<Map.Entry<Map<String, ?>, DeviceStatus>> all = new ArrayList<>(devices);
        if (all.isEmpty()) {
            return "no virtio-gpio devices: create a configuration of factory PID gpio.virtio";
        }
        List<DeviceStatus.Snapshot> snapshots = new ArrayList<>();
        List<Object> targets = new ArrayList<>();
        for (Map.Entry<Map<String, ?>, DeviceStatus> entry : all) {
            snapshots.add(entry.getValue().status());
            targets.add(entry.getKey().get("controller.target"));
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < snapshots.size(); i++) {
            DeviceStatus.Snapshot device = snapshots.get(i);
            DeviceCounters.Snapshot c = device.counters();
            out.append(device.socketPath()).append('\n')
                    .append("  frontend:   ").append(device.connected() ? "connected" : "not connected").append('\n')
                    .append("  features:   ").append(device.features().isEmpty() ? "-"
                            : String.join(" ", device.features())).append('\n')
                    .append("  controller: ").append(device.controller().isEmpty() ? "(none bound)"
                            : device.controller()).append(" (target ").append(targets.get(i)).append("), ")
                    .append(device.lineCount()).append(" lines\n")
                    .append(mapping(device))
                    .append(String.format(Locale.ROOT, "  requests:   %d (get-names %d, get-direction %d,"
                            + " set-direction %d, get-value %d, set-value %d, set-irq-type %d, unknown %d)%n",
                            c.requests(), c.getLineNames(), c.getDirection(), c.setDirection(), c.getValue(),
                            c.setValue(), c.setIrqType(), c.unknown()))
                    .append("  errors:     ").append(c.errors()).append('\n')
                    .append(String.format(Locale.ROOT, "  interrupts: %d delivered, %d latched, %d dropped%n",
                            c.interruptsDelivered(), c.interruptsLatched(), c.interruptsDropped()));
            if (!device.interruptLines().isEmpty()) {
                out.append("  irq lines: ");
                for (DeviceStatus.GuestLine line : device.interruptLines()) {
                    out.append(" ").append(line.line()).append(" (offset ").append(line.offset()).append(") ")
                            .append(line.interrupt());
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    /**
     * One line per guest line: which controller line it is, its name and the
     * operator's policy, e.g. {@code 4 -> board:5 RELAY read-write, safe state low}.
     */
    private static String mapping(DeviceStatus.Snapshot device) {
        StringBuilder out = new StringBuilder();
        for (DeviceStatus.MappedLine line : device.lines()) {
            out.append(String.format(Locale.ROOT, "  line %3d -> %s:%d%s%s, %s, safe state %s%n", line.line(),
                    line.controller().isEmpty() ? "(none bound)" : line.controller(), line.offset(),
                    line.bound() ? "" : " (not bound: ERR)", line.name().isEmpty() ? "" : " " + line.name(),
                    line.readOnly() ? "read-only" : "read-write", line.safeState()));
        }
        return out.toString();
    }

    private List<Map.Entry<Map<String, ?>, GpioController>> sortedControllers() {
        List<Map.Entry<Map<String, ?>, GpioController>> all = new ArrayList<>(controllers);
        all.sort(Map.Entry.comparingByValue((a, b) -> a.label().compareTo(b.label())));
        return all;
    }

    private GpioController controller(String label) {
        for (Map.Entry<Map<String, ?>, GpioController> entry : controllers) {
            if (entry.getValue().label().equals(label)) {
                return entry.getValue();
            }
        }
        throw new IllegalArgumentException("no GPIO controller labelled '" + label + "' (gpio:list shows them)");
    }

    /** A line by offset, or by name when it is not a number. */
    static int offset(GpioController controller, String line) {
        try {
            int offset = Integer.parseInt(line);
            if (offset < 0 || offset >= controller.lineCount()) {
                throw new IllegalArgumentException(controller.label() + " has no line " + offset + " (offsets 0 to "
                        + (controller.lineCount() - 1) + ")");
            }
            return offset;
        } catch (NumberFormatException notANumber) {
            for (int offset = 0; offset < controller.lineCount(); offset++) {
                try {
                    if (controller.lineInfo(offset).name().equals(line)) {
                        return offset;
                    }
                } catch (GpioException e) {
                    throw new IllegalArgumentException("cannot read the names of " + controller.label() + ": "
                            + e.getMessage(), e);
                }
            }
            throw new IllegalArgumentException(controller.label() + " has no line named '" + line + "'");
        }
    }

    private static String key(GpioController controller, int offset) {
        return controller.label() + "/" + offset;
    }

    private static boolean parseValue(String value) {
        switch (value) {
            case "0":
                return false;
            case "1":
                return true;
            default:
                throw new IllegalArgumentException("value '" + value + "' is not 0 or 1");
        }
    }

    private static EdgeDetection parseEdges(String edges) {
        switch (edges.toLowerCase(Locale.ROOT)) {
            case "rising":
                return EdgeDetection.RISING;
            case "falling":
                return EdgeDetection.FALLING;
            case "both":
                return EdgeDetection.BOTH;
            default:
                throw new IllegalArgumentException("edges '" + edges + "' is not rising, falling or both");
        }
    }

    static String format(EdgeEvent event) {
        return String.format(Locale.ROOT, "%d.%09d %-7s line %d seq %d line-seq %d",
                event.timestampNanos() / 1_000_000_000L, event.timestampNanos() % 1_000_000_000L,
                lower(event.edge()), event.offset(), event.controllerSequence(), event.lineSequence());
    }

    private static Object backend(Map<String, ?> properties) {
        Object backend = properties.get(GpioController.BACKEND_PROPERTY);
        return backend == null ? "?" : backend;
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
