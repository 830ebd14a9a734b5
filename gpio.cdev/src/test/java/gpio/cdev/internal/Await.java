// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes: the tests' only way to wait. */
final class Await {

    private Await() {
    }

    /**
     * Waits for a condition.
     *
     * @param condition what must become true
     * @param timeout how long to wait at most
     * @param state describes the state seen, for the failure message
     */
    static void until(BooleanSupplier condition, Duration timeout, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not reached within " + timeout + ": " + state.get());
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
