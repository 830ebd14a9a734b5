// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.LineInfo;
import gpio.sim.GpioSimulator;
import gpio.sim.internal.Levels;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The HTTP JSON API under {@code /gpio/api}, registered with the OSGi Servlet
 * Whiteboard (Jakarta, {@code org.osgi.service.servlet} 2.0):
 * <ul>
 * <li>{@code GET /gpio/api/controllers}: every {@link GpioController} service,
 *     whatever its backend, with its lines;</li>
 * <li>{@code GET /gpio/api/controllers/{label}}: one controller;</li>
 * <li>{@code GET /gpio/api/controllers/{label}/lines/{offset}}: one line;</li>
 * <li>{@code PUT /gpio/api/sim/{label}/lines/{offset}/input} with body {@code 0} or
 *     {@code 1}: drives the external level of a simulated line;</li>
 * <li>{@code GET /gpio/api/sim/{label}/trace.vcd}: the recording as VCD;
 *     {@code DELETE} on it clears the recording.</li>
 * </ul>
 * Every request needs the user name and password of the web console (HTTP Basic,
 * see {@link ConsoleCredentials}). Errors are JSON objects {@code {"error": "..."}}
 * with status 400 (bad body), 401 (no or wrong credentials), 404 (unknown path,
 * label or line), 405 (method), 500 (a backend failed) or 503 (credentials
 * cannot be read); an error changes nothing.
 */
@Component(service = Servlet.class, property = {
    "osgi.http.whiteboard.servlet.pattern=" + GpioApiServlet.ROOT + "/*",
    "osgi.http.whiteboard.servlet.name=gpio.api"})
public final class GpioApiServlet extends HttpServlet {

    static final String ROOT = "/gpio/api";

    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(GpioApiServlet.class.getName());
    private static final String JSON = "application/json; charset=UTF-8";
    /** "0" or "1" with some white space around; anything longer is refused unread. */
    private static final int MAX_BODY = 32;

    // Dynamic references: the lists are replaced whole by DS, so a request works on one consistent snapshot.
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private transient volatile List<Map.Entry<Map<String, Object>, GpioController>> controllers = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private transient volatile List<GpioSimulator> simulators = List.of();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile ConfigurationAdmin configurationAdmin;

    private transient Supplier<ConsoleCredentials> credentials;

    /** For DS. */
    public GpioApiServlet() {
    }

    /** For tests: an API over the given services and credentials. */
    GpioApiServlet(List<Map.Entry<Map<String, Object>, GpioController>> controllers, List<GpioSimulator> simulators,
            Supplier<ConsoleCredentials> credentials) {
        this.controllers = controllers;
        this.simulators = simulators;
        this.credentials = credentials;
    }

    @Activate
    void activate(BundleContext context) {
        credentials = () -> ConsoleCredentials.resolve(consoleConfiguration(), context::getProperty);
    }

    /** The web console's configuration, {@code null} when there is none (or no ConfigurationAdmin). */
    private Dictionary<String, Object> consoleConfiguration() {
        ConfigurationAdmin admin = configurationAdmin;
        if (admin == null) {
            return null;
        }
        try {
            // listConfigurations neither creates nor binds the console's configuration, unlike getConfiguration.
            Configuration[] found = admin.listConfigurations(
                    "(" + Constants.SERVICE_PID + "=" + ConsoleCredentials.CONSOLE_PID + ")");
            return found == null || found.length == 0 ? null : found[0].getProperties();
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("cannot read the web console's configuration: " + e.getMessage(), e);
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Cache-Control", "no-store");
        ConsoleCredentials required;
        try {
            required = credentials.get();
        } catch (IllegalStateException e) {
            LOG.log(Level.ERROR, "GPIO API refused a request: " + e.getMessage());
            error(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, e.getMessage());
            return;
        }
        if (!required.accept(request.getHeader("Authorization"))) {
            if (required.passwordLoginEnabled()) {
                response.setHeader("WWW-Authenticate", required.challenge());
                error(response, HttpServletResponse.SC_UNAUTHORIZED,
                        "the user name and password of the web console are required");
            } else {
                error(response, HttpServletResponse.SC_UNAUTHORIZED, "the web console uses other security providers ("
                        + ConsoleCredentials.SECURITY_PROVIDERS_PROPERTY + "), which this API cannot consult");
            }
            return;
        }
        try {
            route(request, response);
        } catch (NotFound e) {
            error(response, HttpServletResponse.SC_NOT_FOUND, e.getMessage());
        } catch (GpioException e) {
            LOG.log(Level.WARNING, "GPIO API " + request.getMethod() + " " + request.getPathInfo() + " failed", e);
            error(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, e.reason() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // A chip replaced (by a smaller one) between checking an offset and reading it, or a
            // backend's own bug: still a JSON answer, not the servlet container's error page.
            LOG.log(Level.WARNING, "GPIO API " + request.getMethod() + " " + request.getPathInfo() + " failed", e);
            error(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "the request failed: " + e);
        }
    }

    private void route(HttpServletRequest request, HttpServletResponse response)
            throws IOException, GpioException, NotFound {
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        List<String> segments = List.of(path.replaceFirst("^/", "").split("/", -1));
        String method = request.getMethod();
        if (segments.size() == 1 && segments.get(0).equals("controllers")) {
            if (allowed(method, response, "GET")) {
                Json json = new Json().beginObject().beginArray("controllers");
                List<Map.Entry<Map<String, Object>, GpioController>> all = new ArrayList<>(controllers);
                all.sort(Comparator.comparing(entry -> entry.getValue().label()));
                for (Map.Entry<Map<String, Object>, GpioController> entry : all) {
                    controller(json, entry);
                }
                json(response, json.endArray().endObject());
            }
        } else if (segments.size() == 2 && segments.get(0).equals("controllers")) {
            Map.Entry<Map<String, Object>, GpioController> entry = controller(segments.get(1));
            if (allowed(method, response, "GET")) {
                json(response, controller(new Json(), entry));
            }
        } else if (segments.size() == 4 && segments.get(0).equals("controllers") && segments.get(2).equals("lines")) {
            GpioController controller = controller(segments.get(1)).getValue();
            int offset = offset(controller.label(), controller.lineCount(), segments.get(3));
            if (allowed(method, response, "GET")) {
                json(response, line(new Json(), controller, offset));
            }
        } else if (segments.size() == 5 && segments.get(0).equals("sim") && segments.get(2).equals("lines")
                && segments.get(4).equals("input")) {
            GpioSimulator simulator = simulator(segments.get(1));
            int offset = offset(simulator.label(), simulator.lineCount(), segments.get(3));
            if (allowed(method, response, "PUT")) {
                setInput(request, response, simulator, offset);
            }
        } else if (segments.size() == 3 && segments.get(0).equals("sim") && segments.get(2).equals("trace.vcd")) {
            GpioSimulator simulator = simulator(segments.get(1));
            if (allowed(method, response, "GET", "DELETE")) {
                trace(method, response, simulator);
            }
        } else {
            throw new NotFound("no such resource: " + ROOT + Levels.printable(path) + "; see " + ROOT
                    + "/controllers");
        }
    }

    private void setInput(HttpServletRequest request, HttpServletResponse response, GpioSimulator simulator,
            int offset) throws IOException, GpioException, NotFound {
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (body.length > MAX_BODY || !(text.equals("0") || text.equals("1"))) {
            error(response, HttpServletResponse.SC_BAD_REQUEST, "the body must be 0 or 1 (the level to drive), not '"
                    + Levels.printable(text) + "'");
            return;
        }
        simulator.setInput(offset, text.equals("1"));
        json(response, line(new Json(), controller(simulator.label()).getValue(), offset));
    }

    private static void trace(String method, HttpServletResponse response, GpioSimulator simulator)
            throws IOException {
        if (method.equals("DELETE")) {
            simulator.clearRecording();
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/plain; charset=US-ASCII");
        response.setHeader("Content-Disposition", "inline; filename=\"" + simulator.label() + ".vcd\"");
        Writer out = response.getWriter();
        simulator.writeVcd(out);
        out.flush();
    }

    private Json controller(Json json, Map.Entry<Map<String, Object>, GpioController> entry) {
        GpioController controller = entry.getValue();
        Object backend = entry.getKey().get(GpioController.BACKEND_PROPERTY);
        List<LineInfo> lines = new ArrayList<>(controller.lineCount());
        String failure = null;
        try {
            for (int offset = 0; offset < controller.lineCount(); offset++) {
                lines.add(controller.lineInfo(offset));
            }
        } catch (GpioException e) {
            // One failing backend must not hide the others: its error goes into its entry.
            failure = e.reason() + ": " + e.getMessage();
        }
        GpioSimulator simulator = findSimulator(controller.label());
        json.beginObject()
                .field("label", controller.label())
                .field("backend", backend == null ? null : backend.toString())
                .field("lineCount", controller.lineCount())
                .beginArray("lines");
        for (LineInfo info : lines) {
            line(json, info, simulator);
        }
        json.endArray();
        if (failure != null) {
            json.field("error", failure);
        }
        return json.endObject();
    }

    private Json line(Json json, GpioController controller, int offset) throws GpioException {
        return line(json, controller.lineInfo(offset), findSimulator(controller.label()));
    }

    /** One line; its level and external level come from the simulator, {@code null} for other backends. */
    private static Json line(Json json, LineInfo info, GpioSimulator simulator) {
        int offset = info.offset();
        return json.beginObject()
                .field("offset", offset)
                .field("name", info.name())
                .field("used", info.used())
                .field("consumer", info.consumer())
                .field("direction", info.direction().name().toLowerCase(Locale.ROOT))
                .field("activeLow", info.activeLow())
                .field("bias", info.bias().name().toLowerCase(Locale.ROOT))
                .field("drive", info.drive().name().toLowerCase(Locale.ROOT))
                .level("value", simulator == null ? null : simulator.level(offset))
                .level("external", simulator == null ? null : simulator.externalLevel(offset))
                .endObject();
    }

    private Map.Entry<Map<String, Object>, GpioController> controller(String label) throws NotFound {
        for (Map.Entry<Map<String, Object>, GpioController> entry : controllers) {
            if (entry.getValue().label().equals(label)) {
                return entry;
            }
        }
        throw new NotFound("no GPIO controller '" + Levels.printable(label) + "'");
    }

    private GpioSimulator simulator(String label) throws NotFound {
        GpioSimulator simulator = findSimulator(label);
        if (simulator == null) {
            throw new NotFound("no simulated chip '" + Levels.printable(label) + "'");
        }
        return simulator;
    }

    private GpioSimulator findSimulator(String label) {
        for (GpioSimulator simulator : simulators) {
            if (simulator.label().equals(label)) {
                return simulator;
            }
        }
        return null;
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
        throw new NotFound(label + " has no line '" + Levels.printable(text) + "': its lines are 0 to "
                + (lineCount - 1));
    }

    private static boolean allowed(String method, HttpServletResponse response, String... methods)
            throws IOException {
        for (String allowed : methods) {
            if (allowed.equals(method)) {
                return true;
            }
        }
        response.setHeader("Allow", String.join(", ", methods));
        error(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, Levels.printable(method)
                + " is not allowed here; use " + String.join(" or ", methods));
        return false;
    }

    private static void json(HttpServletResponse response, Json json) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        write(response, json);
    }

    private static void error(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        write(response, new Json().beginObject().field("error", message).endObject());
    }

    private static void write(HttpServletResponse response, Json json) throws IOException {
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        response.setContentType(JSON);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** An unknown path, label or line: 404. */
    private static final class NotFound extends Exception {
        private static final long serialVersionUID = 1L;

        NotFound(String message) {
            super(message);
        }
    }
}
