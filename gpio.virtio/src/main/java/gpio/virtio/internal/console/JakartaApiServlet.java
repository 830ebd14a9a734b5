// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.io.IOException;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The HTTP API under {@value OperatorView#API_ROOT} on the Jakarta servlet
 * whiteboard (Felix HTTP Jetty 12), behind the login of the Felix Web Console
 * 5: its security provider (by default the console's configured user and
 * password) authenticates every request, answering 401 itself; a user it does
 * not authorize for {@value #ROLE} gets 403; while the console has no
 * security provider (it is starting), 503. Without Jakarta servlets (as in
 * Karaf) this component is never satisfied.
 */
@Component(service = Servlet.class, property = {
    "osgi.http.whiteboard.servlet.pattern=" + OperatorView.API_ROOT + "/*",
    "osgi.http.whiteboard.servlet.name=gpio.api"})
public final class JakartaApiServlet extends HttpServlet {

    /** The role the API asks the console's security provider for. */
    static final String ROLE = "admin";
    private static final long serialVersionUID = 1L;

    private final transient OperatorView view;
    /**
     * Optional and dynamic: the console unregisters its security provider and
     * registers it again while it starts and configures itself; a static reference
     * unregistered this servlet under requests in that window, which Felix HTTP
     * answered with HTTP 500. Now such a request gets 503 and may be retried.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile SecurityProvider security;

    /**
     * The API over the rendering core, behind the console's login.
     *
     * @param view the rendering core
     */
    @Activate
    public JakartaApiServlet(@Reference OperatorView view) {
        this.view = view;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        SecurityProvider provider = security;
        if (provider == null) {
            response.setHeader("Retry-After", "1");
            JakartaAnswers.write(Answer.error(HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "the web console's login is not available (the console is starting): try again"), response);
            return;
        }
        Object user = provider.authenticate(request, response);
        if (user == null) {
            // The provider has answered (401 with its challenge) already.
            return;
        }
        Answer answer = provider.authorize(user, ROLE)
                ? view.api(request.getMethod(), request.getPathInfo(), request.getInputStream())
                : Answer.error(HttpServletResponse.SC_FORBIDDEN, "this user may not use the GPIO API (role "
                        + ROLE + ")");
        JakartaAnswers.write(answer, response);
    }
}
