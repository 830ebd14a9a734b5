// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * The threads of one device: a small fixed set of workers that drain the line
 * queues handed to {@link #execute}, and one watchdog that runs a task
 * periodically. Never a thread per line or per request.
 *
 * <p>Neither a failing task nor a failing watchdog run ends its thread: each
 * failure is logged and the thread goes on with the next. {@link #execute}
 * allocates nothing once the task queue has grown to the number of lines
 * (each line queue is in it at most once). Closing lets the workers finish
 * what is queued (so lines get released after a reset), then stops them; a
 * worker stuck in a controller call is abandoned after a grace period.
 */
final class DeviceThreads implements Executor, AutoCloseable {

    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
    private final Thread[] threads;
    private final Runnable periodic;
    private final long periodNanos;
    private final DeviceLog log;
    /** The watchdog waits here, so that {@link #execute} wakes only workers. */
    private final Object watchdogClock = new Object();
    private boolean closed;
    private volatile boolean watchdogClosed;

    /**
     * Starts the threads.
     *
     * @param name the thread name prefix
     * @param workers the number of worker threads, at least 1
     * @param periodic the watchdog task
     * @param period how often the watchdog task runs
     * @param log where failures of the watchdog task go
     */
    DeviceThreads(String name, int workers, Runnable periodic, Duration period, DeviceLog log) {
        this.periodic = periodic;
        this.periodNanos = period.toNanos();
        this.log = log;
        threads = new Thread[workers + 1];
        for (int i = 0; i < workers; i++) {
            threads[i] = new Thread(this::work, name + "-worker-" + i);
        }
        threads[workers] = new Thread(this::watch, name + "-watchdog");
        for (Thread thread : threads) {
            thread.setDaemon(true);
            thread.start();
        }
    }

    @Override
    public synchronized void execute(Runnable task) {
        if (closed) {
            return; // the endpoint is closed: nobody waits for this line any more
        }
        ready.add(task);
        notify();
    }

    private void work() {
        for (;;) {
            Runnable task;
            synchronized (this) {
                while (ready.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                task = ready.poll();
                if (task == null) {
                    return; // closed and drained
                }
            }
            try {
                task.run();
            } catch (Throwable e) {
                // Line queues catch their own failures; this keeps the worker for anything else.
                log.event(Level.ERROR, Thread.currentThread().getName() + ": a task failed, the worker goes on: "
                        + e);
            }
        }
    }

    private void watch() {
        long next = System.nanoTime() + periodNanos;
        for (;;) {
            synchronized (watchdogClock) {
                long left;
                while (!watchdogClosed && (left = next - System.nanoTime()) > 0) {
                    try {
                        watchdogClock.wait(left / 1_000_000, (int) (left % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (watchdogClosed) {
                    return;
                }
            }
            try {
                periodic.run();
            } catch (Throwable e) {
                log.event(Level.ERROR, "watchdog task failed, it runs again next period: " + e);
            }
            next += periodNanos;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        synchronized (watchdogClock) {
            watchdogClosed = true;
            watchdogClock.notifyAll();
        }
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        for (Thread thread : threads) {
            try {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (thread.isAlive()) {
                log.event(Level.WARNING, thread.getName() + " is still in a controller call; abandoned");
            }
        }
    }
}
