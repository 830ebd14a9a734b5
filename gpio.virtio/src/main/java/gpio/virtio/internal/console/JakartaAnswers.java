// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;

/** Writes an {@link Answer} through the Jakarta servlet API. */
final class JakartaAnswers {

    private JakartaAnswers() {
    }

    static void write(Answer answer, HttpServletResponse response) throws IOException {
        response.setStatus(answer.status());
        response.setHeader("Cache-Control", "no-store");
        answer.headers().forEach(response::setHeader);
        if (answer.contentType() != null) {
            response.setContentType(answer.contentType());
            // The writer, not the stream: a console has written its frame around the page through it.
            response.getWriter().write(answer.body());
        }
    }
}
