// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import java.time.Duration;
import java.util.Collection;
import java.util.function.BooleanSupplier;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/** Polling with a deadline, instead of sleeping and hoping. */
public final class Await {

    public static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 20;

    private Await() {
    }

    /**
     * Waits until a service matching {@code filter} is registered.
     *
     * @return its reference
     * @throws AssertionError when none appears before the deadline
     */
    public static <S> ServiceReference<S> service(BundleContext context, Class<S> type, String filter)
            throws InvalidSyntaxException, InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            Collection<ServiceReference<S>> refs = context.getServiceReferences(type, filter);
            if (!refs.isEmpty()) {
                return refs.iterator().next();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + type.getSimpleName() + " service matching " + filter + " within "
                        + DEADLINE.toSeconds() + " s");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @throws AssertionError naming {@code what} when it does not before the deadline
     */
    public static void condition(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + DEADLINE.toSeconds() + " s: " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
