// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Base64;

import javax.security.auth.Subject;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

/**
 * Karaf's login for the HTTP API, as Karaf's web console logs in: HTTP Basic
 * credentials checked by the JAAS realm the console uses (by default
 * {@code karaf}), then the role the console requires (by default {@code admin},
 * a Karaf {@code RolePrincipal}; {@code class:name} names another principal
 * class). Unlike the console, a user who logs in without the role is told so
 * (403) rather than asked again (401).
 *
 * @param realm the JAAS realm
 * @param role the role, {@code [principal class:]name}
 */
record KarafLogin(String realm, String role) {

    /** What a request's credentials allow. */
    enum Outcome { ALLOWED, UNAUTHENTICATED, FORBIDDEN }

    private static final String ROLE_PRINCIPAL = "org.apache.karaf.jaas.boot.principal.RolePrincipal";

    /**
     * Checks a request's {@code Authorization} header.
     *
     * @param authorization the header, {@code null} when absent
     * @return the outcome
     */
    Outcome check(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Outcome.UNAUTHENTICATED;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                    StandardCharsets.ISO_8859_1);
        } catch (IllegalArgumentException e) {
            return Outcome.UNAUTHENTICATED;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Outcome.UNAUTHENTICATED;
        }
        Subject subject = login(decoded.substring(0, colon), decoded.substring(colon + 1));
        if (subject == null) {
            return Outcome.UNAUTHENTICATED;
        }
        int separator = role.indexOf(':');
        String principalClass = separator > 0 ? role.substring(0, separator) : ROLE_PRINCIPAL;
        String roleName = separator > 0 ? role.substring(separator + 1) : role;
        for (Principal principal : subject.getPrincipals()) {
            if (principal.getClass().getName().equals(principalClass) && principal.getName().equals(roleName)) {
                return Outcome.ALLOWED;
            }
        }
        return Outcome.FORBIDDEN;
    }

    private Subject login(String user, String password) {
        Subject subject = new Subject();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // Karaf's JAAS login modules are reached through a proxy module on the launcher's class path.
        thread.setContextClassLoader(ClassLoader.getSystemClassLoader());
        try {
            new LoginContext(realm, subject, callbacks -> {
                for (var callback : callbacks) {
                    if (callback instanceof NameCallback name) {
                        name.setName(user);
                    } else if (callback instanceof PasswordCallback secret) {
                        secret.setPassword(password.toCharArray());
                    } else {
                        throw new UnsupportedCallbackException(callback);
                    }
                }
            }).login();
            return subject;
        } catch (LoginException e) {
            return null;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
