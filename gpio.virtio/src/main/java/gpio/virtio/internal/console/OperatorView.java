// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.util.tracker.ServiceTracker;

import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.LineInfo;
import gpio.form.internal.Refusal;
import gpio.virtio.internal.DeviceCounters;
import gpio.virtio.internal.DeviceStatus;

/**
 * The one rendering core of the operator surfaces: the JSON of the GPIO page
 * and the HTTP API over every {@link GpioController} (of any backend), every
 * virtio-gpio device and, while gpio.sim runs, the simulated chips. Knows no
 * servlet API and no login: the javax and jakarta adapters authenticate and
 * then hand requests here.
 *
 * <p>The API, below its root ({@code /gpio/api}, or {@code api} below the
 * console page):
 * <ul>
 * <li>{@code GET /controllers}: every controller with its lines;</li>
 * <li>{@code GET /controllers/{label}}: one controller;</li>
 * <li>{@code GET /controllers/{label}/lines/{offset}}: one line;</li>
 * <li>{@code GET /controllers/{label}/waveform/{ms}.json}: the waveform of
 *     the last {@code ms} milliseconds (1000 to 600000), see {@link Waveform};
 *     {@code .../waveform/{ms}.vcd} the same as a VCD file;</li>
 * <li>{@code PUT /sim/{label}/lines/{offset}/input} with body {@code 0} or
 *     {@code 1}: drives the external level of a simulated line;</li>
 * <li>{@code GET /sim/{label}/trace.vcd}: the recording as VCD;
 *     {@code DELETE} on it clears the recording;</li>
 * <li>{@code GET /refusals}: the configuration instances whose latest values
 *     their component refused, each with the message and whether the previous
 *     good configuration still runs.</li>
 * </ul>
 * Errors are JSON objects {@code {"error": "..."}} with status 400 (bad body),
 * 404 (unknown path, label or line), 405 (method) or 500 (a backend failed); an
 * error changes nothing. A line's {@code value} and {@code external} are those
 * of the simulator, {@code null} for other backends.
 */
@Component(service = OperatorView.class)
public final class OperatorView {

    /** Where the HTTP API is served. */
    static final String API_ROOT = "/gpio/api";

    private static final System.Logger LOG = System.getLogger(OperatorView.class.getName());
    /** "0" or "1" with some white space around; anything longer is refused unread. */
    private static final int MAX_BODY = 32;

    // Dynamic references: the lists are replaced whole by DS, so a request works on one consistent snapshot.
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<Map.Entry<Map<String, ?>, GpioController>> controllers = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<Map.Entry<Map<String, ?>, DeviceStatus>> devices = List.of();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SimulatedChips simulated;

    // The refusals of every bundle (see Refusal), each bundle with its own copy of the class:
    // found by name and read from the service properties, so tracked by hand rather than by DS.
    private ServiceTracker<Object, Object> refusalServices;
    private volatile Supplier<List<Refusal>> refusals = List::of;

    /** For DS. */
    public OperatorView() {
    }

    /**
     * Starts following the refusals of every bundle.
     *
     * @param context this bundle's context
     * @throws InvalidSyntaxException never: the filter is a constant
     */
    @Activate
    void activate(BundleContext context) throws InvalidSyntaxException {
        refusalServices = new ServiceTracker<>(context, FrameworkUtil.createFilter(Refusal.FILTER), null);
        refusalServices.open(true);
        refusals = () -> {
            ServiceReference<Object>[] found = refusalServices.getServiceReferences();
            return found == null ? List.of() : Arrays.stream(found).map(Refusal::of).toList();
        };
    }

    @Deactivate
    void deactivate() {
        refusalServices.close();
    }

    /**
     * For tests: a view over the given services, each with its service properties.
     *
     * @param simulated the simulated chips, {@code null} for none
     * @param refusals the standing refusals
     */
    OperatorView(List<Map.Entry<Map<String, ?>, GpioController>> controllers,
            List<Map.Entry<Map<String, ?>, DeviceStatus>> devices, SimulatedChips simulated,
            Supplier<List<Refusal>> refusals) {
        this.controllers = controllers;
        this.devices = devices;
        this.simulated = simulated;
        this.refusals = refusals;
    }

    /**
     * What the GPIO page shows: every controller as {@code GET /controllers}
     * lists it, every device, and the refusals as {@code GET /refusals} lists them.
     *
     * @return the JSON text
     */
    String status() {
        Json json = new Json().beginObject();
        controllers(json);
        json.beginArray("devices");
        for (Map.Entry<Map<String, ?>, DeviceStatus> entry : devices) {
            device(json, entry.getValue().status(), entry.getKey());
        }
        json.endArray();
        return refusals(json).endObject().toString();
    }

    /**
     * Answers one API request.
     *
     * @param method the HTTP method
     * @param path the path below the API root, {@code null} for the root
     * @param body the request body
     * @return the answer
     * @throws IOException when the body cannot be read
     */
    Answer api(String method, String path, InputStream body) throws IOException {
        String relative = path == null ? "" : path;
        try {
            return route(method, relative, body);
        } catch (NotFound e) {
            return Answer.error(404, e.getMessage());
        } catch (GpioException e) {
            LOG.log(Level.WARNING, "GPIO API " + method + " " + relative + " failed", e);
            return Answer.error(500, e.reason() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // A chip replaced (by a smaller one) between checking an offset and reading it, or a
            // backend's own bug: still a JSON answer, not the servlet container's error page.
            LOG.log(Level.WARNING, "GPIO API " + method + " " + relative + " failed", e);
            return Answer.error(500, "the request failed: " + e);
        }
    }

    private Answer route(String method, String path, InputStream body) throws IOException, GpioException, NotFound {
        List<String> segments = List.of(path.replaceFirst("^/", "").split("/", -1));
        if (segments.size() == 1 && segments.get(0).equals("refusals")) {
            return allowed(method, "GET") ? Answer.json(refusals(new Json().beginObject()).endObject())
                    : notAllowed(method, "GET");
        } else if (segments.size() == 1 && segments.get(0).equals("controllers")) {
            return allowed(method, "GET") ? Answer.json(controllers(new Json().beginObject()).endObject())
                    : notAllowed(method, "GET");
        } else if (segments.size() == 2 && segments.get(0).equals("controllers")) {
            Map.Entry<Map<String, ?>, GpioController> entry = controller(segments.get(1));
            return allowed(method, "GET") ? Answer.json(controller(new Json(), entry)) : notAllowed(method, "GET");
        } else if (segments.size() == 4 && segments.get(0).equals("controllers") && segments.get(2).equals("lines")) {
            GpioController controller = controller(segments.get(1)).getValue();
            int offset = offset(controller.label(), controller.lineCount(), segments.get(3));
            return allowed(method, "GET") ? Answer.json(line(new Json(), controller, offset))
                    : notAllowed(method, "GET");
        } else if (segments.size() == 4 && segments.get(0).equals("controllers")
                && segments.get(2).equals("waveform")) {
            return allowed(method, "GET") ? waveform(controller(segments.get(1)), segments.get(3))
                    : notAllowed(method, "GET");
        } else if (segments.size() == 5 && segments.get(0).equals("sim") && segments.get(2).equals("lines")
                && segments.get(4).equals("input")) {
            SimulatedChips.Chip chip = simulatedChip(segments.get(1));
            int offset = offset(segments.get(1), chip.lineCount(), segments.get(3));
            return allowed(method, "PUT") ? setInput(segments.get(1), chip, offset, body) : notAllowed(method, "PUT");
        } else if (segments.size() == 3 && segments.get(0).equals("sim") && segments.get(2).equals("trace.vcd")) {
            SimulatedChips.Chip chip = simulatedChip(segments.get(1));
            if (allowed(method, "GET")) {
                StringWriter vcd = new StringWriter();
                chip.writeVcd(vcd);
                return new Answer(200, "text/plain; charset=US-ASCII", vcd.toString(),
                        Map.of("Content-Disposition", "inline; filename=\"" + segments.get(1) + ".vcd\""));
            }
            if (allowed(method, "DELETE")) {
                chip.clearRecording();
                return new Answer(204, null, "", Map.of());
            }
            return notAllowed(method, "GET", "DELETE");
        }
        throw new NotFound("no such resource: " + API_ROOT + printable(path) + "; see " + API_ROOT + "/controllers");
    }

    /**
     * {@code {ms}.json} is the waveform of the last {@code ms} milliseconds,
     * {@code {ms}.vcd} the same as a VCD download. The extension is needed: a
     * console frames a GET below its page that has none.
     */
    private Answer waveform(Map.Entry<Map<String, ?>, GpioController> entry, String window)
            throws GpioException, NotFound {
        boolean vcd = window.endsWith(".vcd");
        if (!vcd && !window.endsWith(".json")) {
            throw new NotFound("no such waveform: '" + printable(window) + "'; ask for {ms}.json or {ms}.vcd");
        }
        String millis = window.substring(0, window.lastIndexOf('.'));
        long windowMs;
        try {
            windowMs = Long.parseLong(millis);
        } catch (NumberFormatException e) {
            windowMs = -1;
        }
        if (windowMs < Waveform.MIN_WINDOW_MS || windowMs > Waveform.MAX_WINDOW_MS
                || !String.valueOf(windowMs).equals(millis)) {
            return Answer.error(400, "the window must be " + Waveform.MIN_WINDOW_MS + " to " + Waveform.MAX_WINDOW_MS
                    + " milliseconds, not '" + printable(millis) + "'");
        }
        GpioController controller = entry.getValue();
        Object backend = entry.getKey().get(GpioController.BACKEND_PROPERTY);
        Waveform waveform = Waveform.capture(controller, backend == null ? null : backend.toString(),
                findSimulated(controller.label()), devices, windowMs);
        if (!vcd) {
            return Answer.json(waveform.json());
        }
        return new Answer(200, "text/plain; charset=US-ASCII", waveform.vcd(), Map.of("Content-Disposition",
                "attachment; filename=\"" + controller.label() + "-" + windowMs + "ms.vcd\""));
    }

    private Answer setInput(String label, SimulatedChips.Chip chip, int offset, InputStream in)
            throws IOException, GpioException, NotFound {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (body.length > MAX_BODY || !(text.equals("0") || text.equals("1"))) {
            return Answer.error(400, "the body must be 0 or 1 (the level to drive), not '" + printable(text) + "'");
        }
        chip.setInput(offset, text.equals("1"));
        return Answer.json(line(new Json(), controller(label).getValue(), offset));
    }

    private Json controllers(Json json) {
        json.beginArray("controllers");
        List<Map.Entry<Map<String, ?>, GpioController>> sorted = new ArrayList<>(controllers);
        sorted.sort(Comparator.comparing(entry -> entry.getValue().label()));
        for (Map.Entry<Map<String, ?>, GpioController> entry : sorted) {
            controller(json, entry);
        }
        return json.endArray();
    }

    private Json refusals(Json json) {
        json.beginArray("refusals");
        List<Refusal> sorted = new ArrayList<>(refusals.get());
        sorted.sort(Comparator.comparing(Refusal::pid));
        for (Refusal refusal : sorted) {
            json.beginObject().field("pid", refusal.pid())
                    .field("factoryPid", refusal.factoryPid())
                    .field("message", refusal.message())
                    .field("previousRunning", refusal.previousRunning())
                    .field("refusedAt", refusal.refusedAt().toString())
                    .endObject();
        }
        return json.endArray();
    }

    private Json controller(Json json, Map.Entry<Map<String, ?>, GpioController> entry) {
        GpioController controller = entry.getValue();
        Object backend = entry.getKey().get(GpioController.BACKEND_PROPERTY);
        List<LineInfo> lines = new ArrayList<>(controller.lineCount());
        String failure = null;
        try {
            for (int offset = 0; offset < controller.lineCount(); offset++) {
                lines.add(controller.lineInfo(offset));
            }
        } catch (GpioException | RuntimeException e) {
            // One failing backend must not hide the others: its error goes into its entry.
            LOG.log(Level.WARNING, "cannot read the lines of " + controller.label(), e);
            failure = e instanceof GpioException g ? g.reason() + ": " + g.getMessage() : e.toString();
        }
        SimulatedChips.Chip chip = findSimulated(controller.label());
        json.beginObject()
                .field("label", controller.label())
                .field("backend", backend == null ? null : backend.toString())
                .field("lineCount", controller.lineCount())
                .beginArray("lines");
        for (LineInfo info : lines) {
            line(json, info, chip);
        }
        json.endArray();
        if (failure != null) {
            json.field("error", failure);
        }
        return json.endObject();
    }

    private Json line(Json json, GpioController controller, int offset) throws GpioException {
        return line(json, controller.lineInfo(offset), findSimulated(controller.label()));
    }

    private static Json line(Json json, LineInfo info, SimulatedChips.Chip chip) {
        int offset = info.offset();
        return json.beginObject()
                .field("offset", offset)
                .field("name", info.name())
                .field("used", info.used())
                .field("consumer", info.consumer())
                .field("direction", lower(info.direction()))
                .field("activeLow", info.activeLow())
                .field("bias", lower(info.bias()))
                .field("drive", lower(info.drive()))
                .level("value", chip == null ? null : chip.level(offset))
                .level("external", chip == null ? null : chip.externalLevel(offset))
                .endObject();
    }

    private static void device(Json json, DeviceStatus.Snapshot device, Map<String, ?> properties) {
        DeviceCounters.Snapshot c = device.counters();
        Object pid = properties.get("service.pid");
        Object target = properties.get("controller.target");
        json.beginObject().field("pid", pid == null ? null : pid.toString())
                .field("socket", device.socketPath())
                .field("connected", device.connected())
                .beginArray("features");
        for (String feature : device.features()) {
            json.element(feature);
        }
        json.endArray().field("controller", device.controller())
                .field("target", target == null ? null : target.toString())
                .field("lineCount", device.lineCount())
                .beginObject("requests")
                .field("total", c.requests()).field("getLineNames", c.getLineNames())
                .field("getDirection", c.getDirection()).field("setDirection", c.setDirection())
                .field("getValue", c.getValue()).field("setValue", c.setValue())
                .field("setIrqType", c.setIrqType()).field("unknown", c.unknown()).endObject()
                .field("errors", c.errors())
                .beginObject("interrupts").field("delivered", c.interruptsDelivered())
                .field("latched", c.interruptsLatched()).field("dropped", c.interruptsDropped())
                .endObject().beginArray("interruptLines");
        for (DeviceStatus.GuestLine line : device.interruptLines()) {
            json.beginObject().field("line", line.line()).field("offset", line.offset())
                    .field("interrupt", line.interrupt()).endObject();
        }
        json.endArray().beginArray("lines");
        for (DeviceStatus.MappedLine line : device.lines()) {
            json.beginObject().field("line", line.line()).field("controller", line.controller())
                    .field("bound", line.bound()).field("offset", line.offset()).field("name", line.name())
                    .field("readOnly", line.readOnly()).field("safeState", line.safeState()).endObject();
        }
        json.endArray().endObject();
    }

    private Map.Entry<Map<String, ?>, GpioController> controller(String label) throws NotFound {
        for (Map.Entry<Map<String, ?>, GpioController> entry : controllers) {
            if (entry.getValue().label().equals(label)) {
                return entry;
            }
        }
        throw new NotFound("no GPIO controller '" + printable(label) + "'");
    }

    private SimulatedChips.Chip simulatedChip(String label) throws NotFound {
        SimulatedChips.Chip chip = findSimulated(label);
        if (chip == null) {
            throw new NotFound("no simulated chip '" + printable(label) + "'");
        }
        return chip;
    }

    private SimulatedChips.Chip findSimulated(String label) {
        SimulatedChips chips = simulated;
        return chips == null ? null : chips.find(label);
    }

    private static int offset(String label, int lineCount, String text) throws NotFound {
        try {
            int offset = Integer.parseInt(text);
            if (offset >= 0 && offset < lineCount && String.valueOf(offset).equals(text)) {
                return offset;
            }
        } catch (NumberFormatException e) {
            // not a line either
        }
        throw new NotFound(printable(label) + " has no line '" + printable(text) + "': its lines are 0 to "
                + (lineCount - 1));
    }

    private static boolean allowed(String method, String allowed) {
        return allowed.equals(method);
    }

    private static Answer notAllowed(String method, String... methods) {
        return Answer.error(405, printable(method) + " is not allowed here; use " + String.join(" or ", methods),
                Map.of("Allow", String.join(", ", methods)));
    }

    /** Text from a request, safe to quote in a message: printable ASCII, at most 40 characters. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 40; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : String.format(Locale.ROOT, "\\u%04x", (int) c));
        }
        return text.length() > 40 ? out + "..." : out.toString();
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** An unknown path, label or line: 404. */
    private static final class NotFound extends Exception {
        private static final long serialVersionUID = 1L;

        NotFound(String message) {
            super(message);
        }
    }
}
