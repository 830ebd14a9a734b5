// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.LineInfo;
import gpio.virtio.internal.DeviceCounters;
import gpio.virtio.internal.DeviceStatus;

/**
 * The "GPIO" page of the Felix Web Console (5.x, Jakarta): every GPIO
 * controller with its lines and every virtio-gpio device with its frontend,
 * features, bound controller and counters, refreshed every second by a small
 * script polling {@code status.json} below the page. Simulated inputs are
 * toggled from the page through the simulator's HTTP API
 * ({@code PUT /gpio/api/sim/<label>/lines/<offset>/input}), which checks the
 * same credentials as the console.
 *
 * <p>Registered as a plain Jakarta servlet with the {@code felix.webconsole.*}
 * properties: the console wraps the HTML page in its frame, passes other
 * requests (the JSON) through, and asks for the console's login for both. A
 * plain servlet needs no import of the console's packages; the servlet
 * packages are imported optionally, so where they are missing (a plain Karaf)
 * the service is registered under a name nobody tracks and this class is never
 * loaded.
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=" + GpioConsolePlugin.LABEL,
    "felix.webconsole.title=GPIO",
    "felix.webconsole.category=GPIO"})
public final class GpioConsolePlugin extends HttpServlet {

    static final String LABEL = "gpio";
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(GpioConsolePlugin.class.getName());
    private static final String PAGE = "page.html";

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private transient volatile List<Map.Entry<Map<String, ?>, GpioController>> controllers = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private transient volatile List<Map.Entry<Map<String, ?>, DeviceStatus>> devices = List.of();

    /** For DS. */
    public GpioConsolePlugin() {
    }

    /**
     * For tests: a page over the given services, each with its service properties.
     *
     * @param controllers the controllers
     * @param devices the devices
     */
    GpioConsolePlugin(List<Map.Entry<Map<String, ?>, GpioController>> controllers,
            List<Map.Entry<Map<String, ?>, DeviceStatus>> devices) {
        this.controllers = controllers;
        this.devices = devices;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        response.setHeader("Cache-Control", "no-store");
        if (path.endsWith("/" + LABEL + "/status.json")) {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write(status());
        } else if (path.endsWith("/" + LABEL) || path.endsWith("/" + LABEL + "/")) {
            // The console has written its frame around this fragment already.
            response.getWriter().write(page());
        } else {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    /**
     * Every controller and every device now, as JSON.
     *
     * @return the JSON text
     */
    String status() {
        JsonWriter json = new JsonWriter().beginObject().name("controllers").beginArray();
        List<Map.Entry<Map<String, ?>, GpioController>> sorted = new ArrayList<>(controllers);
        sorted.sort(Map.Entry.comparingByValue((a, b) -> a.label().compareTo(b.label())));
        for (Map.Entry<Map<String, ?>, GpioController> entry : sorted) {
            controller(json, entry.getValue(), entry.getKey().get(GpioController.BACKEND_PROPERTY));
        }
        json.endArray().name("devices").beginArray();
        List<Map.Entry<Map<String, ?>, DeviceStatus>> all = new ArrayList<>(devices);
        for (Map.Entry<Map<String, ?>, DeviceStatus> entry : all) {
            device(json, entry.getValue().status(), entry.getKey());
        }
        return json.endArray().endObject().toString();
    }

    private static void controller(JsonWriter json, GpioController controller, Object backend) {
        json.beginObject().name("label").value(controller.label())
                .name("backend").value(backend == null ? null : backend.toString())
                .name("lineCount").value(controller.lineCount())
                .name("lines").beginArray();
        String error = null;
        for (int offset = 0; offset < controller.lineCount(); offset++) {
            LineInfo info;
            try {
                info = controller.lineInfo(offset);
            } catch (GpioException | RuntimeException e) {
                // One broken backend must not hide the others: show what failed.
                LOG.log(Level.WARNING, "GPIO page: cannot read line " + offset + " of " + controller.label(), e);
                error = "line " + offset + ": " + e.getMessage();
                break;
            }
            json.beginObject().name("offset").value(offset).name("name").value(info.name())
                    .name("used").value(info.used()).name("consumer").value(info.consumer())
                    .name("direction").value(lower(info.direction())).name("activeLow").value(info.activeLow())
                    .name("bias").value(lower(info.bias())).name("drive").value(lower(info.drive()))
                    .endObject();
        }
        json.endArray();
        if (error != null) {
            json.name("error").value(error);
        }
        json.endObject();
    }

    private static void device(JsonWriter json, DeviceStatus.Snapshot device, Map<String, ?> properties) {
        DeviceCounters.Snapshot c = device.counters();
        Object pid = properties.get("service.pid");
        Object target = properties.get("controller.target");
        json.beginObject().name("pid").value(pid == null ? null : pid.toString())
                .name("socket").value(device.socketPath())
                .name("connected").value(device.connected())
                .name("features").beginArray();
        for (String feature : device.features()) {
            json.value(feature);
        }
        json.endArray().name("controller").value(device.controller())
                .name("target").value(target == null ? null : target.toString())
                .name("lineCount").value(device.lineCount())
                .name("requests").beginObject()
                .name("total").value(c.requests()).name("getLineNames").value(c.getLineNames())
                .name("getDirection").value(c.getDirection()).name("setDirection").value(c.setDirection())
                .name("getValue").value(c.getValue()).name("setValue").value(c.setValue())
                .name("setIrqType").value(c.setIrqType()).name("unknown").value(c.unknown()).endObject()
                .name("errors").value(c.errors())
                .name("interrupts").beginObject().name("delivered").value(c.interruptsDelivered())
                .name("latched").value(c.interruptsLatched()).name("dropped").value(c.interruptsDropped())
                .endObject().name("interruptLines").beginArray();
        for (DeviceStatus.GuestLine line : device.interruptLines()) {
            json.beginObject().name("line").value(line.line()).name("offset").value(line.offset())
                    .name("interrupt").value(line.interrupt()).endObject();
        }
        json.endArray().endObject();
    }

    private String page() throws IOException {
        try (InputStream in = GpioConsolePlugin.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IOException(PAGE + " is missing from the bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
