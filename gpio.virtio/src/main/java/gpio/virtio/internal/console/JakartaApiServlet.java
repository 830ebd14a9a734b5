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

/**
 * The HTTP API under {@value OperatorView#API_ROOT} on the Jakarta servlet
 * whiteboard (Felix HTTP Jetty 12), behind the login of the Felix Web Console
 * 5: its security provider (by default the console's configured user and
 * password) authenticates every request, answering 401 itself; a user it does
 * not authorize for {@value #ROLE} gets 403. Without the console (or without
 * Jakarta servlets, as in Karaf) this component is never satisfied.
 */
@Component(service = Servlet.class, property = {
    "osgi.http.whiteboard.servlet.pattern=" + OperatorView.API_ROOT + "/*",
    "osgi.http.whiteboard.servlet.name=gpio.api"})
public final class JakartaApiServlet extends HttpServlet {

    /** The role the API asks the console's security provider for. */
    static final String ROLE = "admin";
    private static final long serialVersionUID = 1L;

    private final transient OperatorView view;
    private final transient SecurityProvider security;

    /**
     * The API over the rendering core, behind the console's login.
     *
     * @param view the rendering core
     * @param security the web console's security provider
     */
    @Activate
    public JakartaApiServlet(@Reference OperatorView view, @Reference SecurityProvider security) {
        this.view = view;
        this.security = security;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object user = security.authenticate(request, response);
        if (user == null) {
            // The provider has answered (401 with its challenge) already.
            return;
        }
        Answer answer = security.authorize(user, ROLE)
                ? view.api(request.getMethod(), request.getPathInfo(), request.getInputStream())
                : Answer.error(HttpServletResponse.SC_FORBIDDEN, "this user may not use the GPIO API (role "
                        + ROLE + ")");
        JakartaAnswers.write(answer, response);
    }
}
