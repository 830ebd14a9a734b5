// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.io.IOException;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The "GPIO" page of the Felix Web Console 5 (Jakarta): see {@link PageRequests}.
 * A plain Jakarta servlet with the {@code felix.webconsole.*} properties, so no
 * import of the console's packages; where the Jakarta servlet API is missing
 * (Karaf) nobody tracks the service and this class is never loaded.
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=" + PageRequests.LABEL,
    "felix.webconsole.title=GPIO",
    "felix.webconsole.category=GPIO"})
public final class GpioConsolePlugin extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient OperatorView view;

    /**
     * The page over the rendering core.
     *
     * @param view the rendering core
     */
    @Activate
    public GpioConsolePlugin(@Reference OperatorView view) {
        this.view = view;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        JakartaAnswers.write(PageRequests.answer(view, request.getMethod(), request.getPathInfo(),
                request.getInputStream()), response);
    }
}
