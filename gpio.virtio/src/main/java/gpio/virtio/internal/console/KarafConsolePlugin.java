// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.io.IOException;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.apache.felix.webconsole.WebConsoleSecurityProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The "GPIO" page in Karaf's web console (Felix Web Console 4.8 on javax
 * servlets), the same page as {@link GpioConsolePlugin}: see
 * {@link PageRequests}. Registered only where Karaf's console is (its JAAS
 * security provider is the sign): the Felix Web Console 5 would take it as a
 * legacy plugin beside {@link GpioConsolePlugin}.
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=" + PageRequests.LABEL,
    "felix.webconsole.title=GPIO",
    "felix.webconsole.category=GPIO"})
public final class KarafConsolePlugin extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient OperatorView view;

    /**
     * The page over the rendering core.
     *
     * @param view the rendering core
     * @param karafConsole Karaf's web console login, only required to be there
     */
    // WebConsoleSecurityProvider is deprecated in Felix's console 5, but it is what Karaf's console registers.
    @SuppressWarnings("deprecation")
    @Activate
    public KarafConsolePlugin(@Reference OperatorView view,
            @Reference(name = "karafConsole") WebConsoleSecurityProvider karafConsole) {
        this.view = view;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        JavaxAnswers.write(PageRequests.answer(view, request.getMethod(), request.getPathInfo(),
                request.getInputStream()), response);
    }
}
