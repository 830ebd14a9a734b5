// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.io.IOException;
import java.net.URL;
import java.util.Dictionary;
import java.util.Map;

import javax.servlet.ServletException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.apache.felix.webconsole.WebConsoleSecurityProvider;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.HttpContext;
import org.osgi.service.http.HttpService;
import org.osgi.service.http.NamespaceException;

/**
 * The HTTP API under {@value OperatorView#API_ROOT} in Karaf: registered with
 * Pax Web's HttpService (javax) behind {@link KarafLogin}, with the realm and
 * role of Karaf's web console configuration ({@value #CONSOLE_PID}). Needs
 * Karaf's console (its JAAS security provider is the sign that the console's
 * login is there), so in a Felix gateway, whose console registers none, it is
 * never satisfied.
 */
@Component(service = {})
public final class KarafApi {

    /** The configuration of Karaf's web console: {@code realm} and {@code role}. */
    static final String CONSOLE_PID = "org.apache.karaf.webconsole";

    private final HttpService http;

    /**
     * Registers the API.
     *
     * @param http Pax Web's HttpService
     * @param consoleLogin Karaf's web console login, only required to be there
     * @param configurationAdmin where the console's realm and role are configured
     * @param view the rendering core
     * @throws ServletException, NamespaceException when the path is taken
     * @throws IOException when the configuration cannot be read
     */
    // WebConsoleSecurityProvider is deprecated in Felix's console 5, but it is what Karaf's console registers.
    @SuppressWarnings("deprecation")
    @Activate
    public KarafApi(@Reference HttpService http, @Reference WebConsoleSecurityProvider consoleLogin,
            @Reference ConfigurationAdmin configurationAdmin, @Reference OperatorView view)
            throws ServletException, NamespaceException, IOException {
        this.http = http;
        KarafLogin login = login(configurationAdmin);
        http.registerServlet(OperatorView.API_ROOT, new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
                JavaxAnswers.write(view.api(request.getMethod(), request.getPathInfo(), request.getInputStream()),
                        response);
            }
        }, null, new LoggedIn(login));
    }

    @Deactivate
    void deactivate() {
        http.unregister(OperatorView.API_ROOT);
    }

    private static KarafLogin login(ConfigurationAdmin configurationAdmin) throws IOException {
        Dictionary<String, Object> console = null;
        try {
            Configuration[] found = configurationAdmin.listConfigurations(
                    "(" + Constants.SERVICE_PID + "=" + CONSOLE_PID + ")");
            console = found == null ? null : found[0].getProperties();
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        // The defaults of Karaf's console itself.
        Object realm = console == null ? null : console.get("realm");
        Object role = console == null ? null : console.get("role");
        return new KarafLogin(realm == null ? "karaf" : realm.toString(),
                role == null ? System.getProperty("karaf.admin.role", "admin") : role.toString());
    }

    /** Lets a request through only after {@link KarafLogin} allowed it; answers 401 or 403 itself. */
    private record LoggedIn(KarafLogin login) implements HttpContext {

        @Override
        public boolean handleSecurity(HttpServletRequest request, HttpServletResponse response) throws IOException {
            switch (login.check(request.getHeader("Authorization"))) {
                case ALLOWED:
                    return true;
                case FORBIDDEN:
                    JavaxAnswers.write(Answer.error(HttpServletResponse.SC_FORBIDDEN,
                            "this user lacks the role " + login.role() + " that the GPIO API requires"), response);
                    break;
                default:
                    JavaxAnswers.write(Answer.error(HttpServletResponse.SC_UNAUTHORIZED,
                            "log in as a user of the JAAS realm " + login.realm(),
                            Map.of("WWW-Authenticate", "Basic realm=\"" + login.realm() + "\"")), response);
                    break;
            }
            // Committed: Pax Web answers an uncommitted refusal with its own 403.
            response.flushBuffer();
            return false;
        }

        @Override
        public URL getResource(String name) {
            return null;
        }

        @Override
        public String getMimeType(String name) {
            return null;
        }
    }
}
