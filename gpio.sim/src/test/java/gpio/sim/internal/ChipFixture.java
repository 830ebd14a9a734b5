// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;

import gpio.api.GpioException;
import gpio.api.GpioException.Reason;

/**
 * The chip the tests of a chip's parts share: {@code sim0}, 8 lines, line 0
 * named BUTTON and line 1 LED, line 2 pulled up and the rest down; closed after
 * each test.
 */
abstract class ChipFixture {

    final SimChip chip = new SimChip(SimConfig.of("sim0", 8, new String[] {"BUTTON", "LED"},
            new String[] {"down", "down", "up"}, Duration.ZERO, 1000));

    @AfterEach
    void closeChip() {
        chip.close();
    }

    /** The reason a call fails with; fails the test when it does not throw a GpioException. */
    static Reason failure(ThrowingCall call) {
        return assertThrows(GpioException.class, call::run).reason();
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

    /** Waits for a latch inside a listener, for at most 5 seconds. */
    static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
