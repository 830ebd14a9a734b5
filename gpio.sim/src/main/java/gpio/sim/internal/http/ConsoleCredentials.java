// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Dictionary;
import java.util.function.UnaryOperator;

/**
 * The user name and password of the Apache Felix Web Console (5.x), read the way
 * the console reads them: from its configuration (PID {@value #CONSOLE_PID},
 * properties {@code username}, {@code password}, {@code realm}), else from the
 * framework properties {@code felix.webconsole.username},
 * {@code felix.webconsole.password}, {@code felix.webconsole.realm}, else the
 * console's defaults admin / admin. The password may be stored hashed (see
 * {@link ConsolePassword}).
 *
 * <p>When the framework property {@value #SECURITY_PROVIDERS_PROPERTY} is set, the
 * console turns its user name and password off in favour of other security
 * providers, which this API cannot consult: then nobody is accepted.
 *
 * @param username the user name
 * @param password the password as stored, plain or hashed
 * @param realm the realm announced in {@code WWW-Authenticate}
 * @param passwordLoginEnabled whether the console accepts its user name and password at all
 */
record ConsoleCredentials(String username, String password, String realm, boolean passwordLoginEnabled) {

    static final String CONSOLE_PID = "org.apache.felix.webconsole.internal.servlet.OsgiManager";
    static final String SECURITY_PROVIDERS_PROPERTY = "felix.webconsole.security.providers";
    static final String DEFAULT_USERNAME = "admin";
    /** The console's default password "admin", hashed as the console ships it. */
    static final String DEFAULT_PASSWORD = "{sha-256}jGl25bVBBBW96Qi9Te4V37Fnqchz/Eu4qB9vKrRIqRg=";
    static final String DEFAULT_REALM = "OSGi Management Console";

    /**
     * Resolves the credentials in force.
     *
     * @param consoleConfiguration the console's configuration, {@code null} when there is none
     * @param frameworkProperty looks up a framework property, {@code null} when not set
     */
    static ConsoleCredentials resolve(Dictionary<String, ?> consoleConfiguration,
            UnaryOperator<String> frameworkProperty) {
        return new ConsoleCredentials(
                property(consoleConfiguration, "username", frameworkProperty, DEFAULT_USERNAME),
                property(consoleConfiguration, "password", frameworkProperty, DEFAULT_PASSWORD),
                property(consoleConfiguration, "realm", frameworkProperty, DEFAULT_REALM),
                frameworkProperty.apply(SECURITY_PROVIDERS_PROPERTY) == null);
    }

    private static String property(Dictionary<String, ?> configuration, String key,
            UnaryOperator<String> frameworkProperty, String defaultValue) {
        Object configured = configuration == null ? null : configuration.get(key);
        if (configured instanceof String value) {
            return value;
        }
        String framework = frameworkProperty.apply("felix.webconsole." + key);
        return framework != null ? framework : defaultValue;
    }

    /**
     * Whether an {@code Authorization} header carries these credentials with the
     * Basic scheme (RFC 7617; user and password decoded as ISO-8859-1, as the console does).
     *
     * @param authorization the header, {@code null} when absent
     */
    boolean accept(String authorization) {
        if (!passwordLoginEnabled || authorization == null) {
            return false;
        }
        String header = authorization.strip();
        int blank = header.indexOf(' ');
        if (blank <= 0 || !header.substring(0, blank).equalsIgnoreCase("Basic")) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(blank + 1).strip()),
                    StandardCharsets.ISO_8859_1);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        boolean userMatches = MessageDigest.isEqual(username.getBytes(StandardCharsets.UTF_8),
                decoded.substring(0, colon).getBytes(StandardCharsets.UTF_8));
        boolean passwordMatches = ConsolePassword.matches(password, decoded.substring(colon + 1));
        return userMatches & passwordMatches;
    }

    /** The value of the {@code WWW-Authenticate} header asking for these credentials. */
    String challenge() {
        return "Basic realm=\"" + realm.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
