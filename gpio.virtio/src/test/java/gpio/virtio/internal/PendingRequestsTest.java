// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;

import org.junit.jupiter.api.Test;

/**
 * The pending requests of a line come out oldest first, with what was queued
 * with them, across growth and wrap-around.
 */
class PendingRequestsTest {

    @Test
    void messagesComeOutInOrderWithTheirTypeValueAndTimeWhileTheRingWrapsAndGrows() {
        PendingRequests pending = new PendingRequests();
        ArrayDeque<InMemoryChain> expected = new ArrayDeque<>();
        int next = 0;
        // Take fewer than are added each round, so that the ring wraps around and then grows several times.
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 3; i++, next++) {
                InMemoryChain chain = InMemoryChain.request(next, 0, -next);
                pending.add(chain, next, -next, 1000L + next);
                expected.add(chain);
            }
            for (int i = 0; i < 2; i++) {
                takeAndCheck(pending, expected);
            }
        }
        while (!expected.isEmpty()) {
            takeAndCheck(pending, expected);
        }
        assertTrue(pending.isEmpty());
    }

    @Test
    void clearDropsEverything() {
        PendingRequests pending = new PendingRequests();
        for (int i = 0; i < 10; i++) {
            pending.add(InMemoryChain.request(2, 0, 0), 2, 0, i);
        }
        pending.clear();
        assertTrue(pending.isEmpty());
        InMemoryChain after = InMemoryChain.request(4, 0, 0);
        pending.add(after, 4, 0, 99);
        assertSame(after, pending.chain());
        assertEquals(99, pending.queuedAt());
    }

    private static void takeAndCheck(PendingRequests pending, ArrayDeque<InMemoryChain> expected) {
        InMemoryChain chain = expected.poll();
        assertSame(chain, pending.chain());
        int type = pending.type();
        assertEquals(-type, pending.value());
        assertEquals(1000L + type, pending.queuedAt());
        pending.remove();
    }
}
