// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The requests of the GPIO web console page, whichever console (Felix 5 on
 * Jakarta, Karaf's on javax) passes them on after its own login: the page
 * fragment, its {@code status.json} and the HTTP API below {@code api}, so the
 * page never needs a second login.
 */
final class PageRequests {

    /** The page's label in the console: {@code /system/console/gpio}. */
    static final String LABEL = "gpio";
    private static final String PAGE = "page.html";
    private static final String API = "/" + LABEL + "/api";

    private PageRequests() {
    }

    /**
     * Answers a request to the page.
     *
     * @param view the rendering core
     * @param method the HTTP method
     * @param path the path the console passed (its path info)
     * @param body the request body
     * @return the answer; the console frames an HTML answer to a path without extension
     * @throws IOException when the page or the body cannot be read
     */
    static Answer answer(OperatorView view, String method, String path, InputStream body) throws IOException {
        String given = path == null ? "" : path;
        int api = given.indexOf(API);
        if (api >= 0 && (given.length() == api + API.length() || given.charAt(api + API.length()) == '/')) {
            return view.api(method, given.substring(api + API.length()), body);
        }
        if (!method.equals("GET")) {
            return Answer.error(405, "only GET here", Map.of("Allow", "GET"));
        }
        if (given.endsWith("/" + LABEL + "/status.json")) {
            return new Answer(200, Answer.JSON, view.status(), Map.of());
        }
        if (given.endsWith("/" + LABEL) || given.endsWith("/" + LABEL + "/")) {
            // The console writes its frame around this fragment.
            return new Answer(200, "text/html; charset=UTF-8", page(), Map.of());
        }
        return Answer.error(404, "no such page");
    }

    private static String page() throws IOException {
        try (InputStream in = PageRequests.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IOException(PAGE + " is missing from the bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
