// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import gpio.api.EdgeEvent;
import gpio.api.EdgeListener;

/** An edge listener for tests that queues what it gets, with the thread it got it on. */
final class Events implements EdgeListener {

    private final BlockingQueue<EdgeEvent> events = new LinkedBlockingQueue<>();
    private final BlockingQueue<Thread> threads = new LinkedBlockingQueue<>();

    @Override
    public void onEdge(EdgeEvent event) {
        threads.add(Thread.currentThread());
        events.add(event);
    }

    /** The next event, waiting up to 5 seconds for it. */
    EdgeEvent next() throws InterruptedException {
        EdgeEvent event = events.poll(5, TimeUnit.SECONDS);
        assertNotNull(event, "no edge event within 5 s");
        return event;
    }

    Thread nextThread() throws InterruptedException {
        Thread thread = threads.poll(5, TimeUnit.SECONDS);
        assertNotNull(thread, "no edge event within 5 s");
        return thread;
    }

    /** Checks that no event comes; the caller has made sure any event would already be queued. */
    void assertNone() {
        assertNull(events.poll(), "unexpected edge event");
    }
}
