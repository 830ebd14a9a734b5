// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

/**
 * The web console's configuration forms driven over HTTP as its own page
 * submits them (Felix Web Console 5 {@code configMgr}).
 */
public final class ConsoleForms {

    /** Where the console creates a new instance of a factory configuration. */
    public static final String NEW_FACTORY_INSTANCE = "/system/console/configMgr/"
            + "%5BTemporary%20PID%20replaced%20by%20real%20PID%20upon%20save%5D";

    private ConsoleForms() {
    }

    /**
     * Creates an instance of {@code factoryPid} with {@code properties}.
     *
     * @return the new configuration's PID
     */
    public static String create(GatewayProcess gateway, String factoryPid, Map<String, String> properties)
            throws Exception {
        gateway.awaitConfigurationForm(factoryPid);
        Map<String, String> form = form(properties);
        form.put("action", "ajaxConfigManager");
        form.put("factoryPid", factoryPid);
        HttpResponse<String> created = gateway.postForm(NEW_FACTORY_INSTANCE, form);
        if (created.statusCode() != 302) {
            throw new AssertionError("creating a " + factoryPid + " answered HTTP " + created.statusCode() + ":\n"
                    + created.body());
        }
        String location = created.headers().firstValue("Location").orElseThrow();
        return location.substring(location.lastIndexOf('/') + 1);
    }

    /** Saves {@code properties} into the configuration {@code pid}, as the form's Save button does. */
    public static void update(GatewayProcess gateway, String pid, Map<String, String> properties) throws Exception {
        HttpResponse<String> saved = gateway.postForm("/system/console/configMgr/" + pid, form(properties));
        if (saved.statusCode() != 302 && saved.statusCode() != 200) {
            throw new AssertionError("saving " + pid + " answered HTTP " + saved.statusCode() + ":\n" + saved.body());
        }
    }

    /** Deletes the configuration {@code pid}, as the form's Delete button does. */
    public static void delete(GatewayProcess gateway, String pid) throws Exception {
        HttpResponse<String> deleted = gateway.postForm("/system/console/configMgr/" + pid,
                Map.of("apply", "true", "delete", "true"));
        if (deleted.statusCode() != 200) {
            throw new AssertionError("deleting " + pid + " answered HTTP " + deleted.statusCode() + ":\n"
                    + deleted.body());
        }
    }

    private static Map<String, String> form(Map<String, String> properties) {
        Map<String, String> form = new HashMap<>(properties);
        form.put("apply", "true");
        form.put("$location", "");
        form.put("propertylist", String.join(",", properties.keySet()));
        return form;
    }
}
