// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Hashtable;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ConsoleCredentialsTest {

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Hashes with the web console's own (package-private) code, as its configuration page stores passwords. */
    private static String consoleHash(String password) throws Exception {
        Class<?> passwordClass = Class.forName("org.apache.felix.webconsole.internal.servlet.Password");
        Method hash = passwordClass.getDeclaredMethod("hashPassword", String.class);
        hash.setAccessible(true);
        return (String) hash.invoke(null, password);
    }

    private static Hashtable<String, Object> config(String... keyValues) {
        Hashtable<String, Object> config = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put(keyValues[i], keyValues[i + 1]);
        }
        return config;
    }

    @Test
    void defaultsToTheConsolesAdminAdmin() {
        ConsoleCredentials credentials = ConsoleCredentials.resolve(null, key -> null);
        assertTrue(credentials.accept(basic("admin", "admin")));
        assertTrue(credentials.accept("basic   " + basic("admin", "admin").substring(6) + " "));
        assertFalse(credentials.accept(basic("admin", "Admin")));
        assertFalse(credentials.accept(basic("Admin", "admin")));
        assertFalse(credentials.accept(basic("admin", "admin ")));
        assertEquals("Basic realm=\"OSGi Management Console\"", credentials.challenge());
    }

    @Test
    void readsTheConsolesSaltedIteratedHashes() throws Exception {
        String stored = consoleHash("s3cret \u00e4");
        assertTrue(stored.matches("\\{sha-256\\}[0-9a-f]{16}-1000-[A-Za-z0-9+/=]+"), stored);
        ConsoleCredentials credentials = ConsoleCredentials.resolve(config("username", "ops", "password", stored),
                key -> null);
        assertTrue(credentials.accept(basic("ops", "s3cret \u00e4")));
        assertFalse(credentials.accept(basic("ops", "s3cret a")));
        assertFalse(credentials.accept(basic("admin", "admin")));
    }

    @Test
    void acceptsPlainPasswordsAndFrameworkProperties() {
        Map<String, String> framework = Map.of("felix.webconsole.username", "fw", "felix.webconsole.password",
                "plain", "felix.webconsole.realm", "Lab \"A\"");
        ConsoleCredentials fromFramework = ConsoleCredentials.resolve(null, framework::get);
        assertTrue(fromFramework.accept(basic("fw", "plain")));
        assertEquals("Basic realm=\"Lab \\\"A\\\"\"", fromFramework.challenge());
        ConsoleCredentials configured = ConsoleCredentials.resolve(config("password", "other"), framework::get);
        assertTrue(configured.accept(basic("fw", "other")), "the configuration wins, property by property");
        assertFalse(configured.accept(basic("fw", "plain")));
    }

    @Test
    void refusesEveryoneWhenTheConsoleUsesOtherSecurityProviders() {
        ConsoleCredentials credentials = ConsoleCredentials.resolve(null,
                Map.of(ConsoleCredentials.SECURITY_PROVIDERS_PROPERTY, "ldap")::get);
        assertFalse(credentials.passwordLoginEnabled());
        assertFalse(credentials.accept(basic("admin", "admin")));
    }

    @Test
    void refusesMalformedStoredHashes() {
        for (String stored : new String[] {"{sha-256}not base64!", "{no-such-algo}YWJj", "{sha-256}ab-x-YWJj",
            "{sha-256}ab-0-YWJj"}) {
            assertFalse(ConsoleCredentials.resolve(config("password", stored), key -> null)
                    .accept(basic("admin", "admin")), stored);
        }
    }
}
