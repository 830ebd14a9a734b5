// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.util.Map;

/**
 * What an operator surface answers, before a servlet adapter (javax or
 * jakarta) writes it.
 *
 * @param status the HTTP status
 * @param contentType the content type, {@code null} for no body
 * @param body the body
 * @param headers further headers
 */
record Answer(int status, String contentType, String body, Map<String, String> headers) {

    static final String JSON = "application/json; charset=UTF-8";

    static Answer json(Json json) {
        return new Answer(200, JSON, json.toString(), Map.of());
    }

    static Answer error(int status, String message) {
        return error(status, message, Map.of());
    }

    static Answer error(int status, String message, Map<String, String> headers) {
        return new Answer(status, JSON, new Json().beginObject().field("error", message).endObject().toString(),
                headers);
    }
}
