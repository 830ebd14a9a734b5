// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls a condition with a deadline instead of sleeping a fixed time. */
final class Await {

    private static final long POLL_NANOS = 1_000_000;

    private Await() {
    }

    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Guest.WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + Guest.WAIT + ": " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
