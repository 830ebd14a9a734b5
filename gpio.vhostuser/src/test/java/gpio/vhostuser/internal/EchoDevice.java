// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import gpio.vhostuser.DescriptorChain;
import gpio.vhostuser.RingPosition;
import gpio.vhostuser.VirtioDevice;

/**
 * A small device for transport tests. Queue 0 echoes: it writes the readable
 * bytes back, each plus one, into the writable part and completes at once,
 * allocating nothing. Queue 1 holds its buffers (like an event queue) until the
 * test {@link #fireEvent fires} one from its own thread.
 */
final class EchoDevice implements VirtioDevice {

    static final int CONFIG_SIZE = 24;
    static final long FEATURES = (1L << 32) | (1L << 28) | (1L << 29);

    final AtomicInteger resets = new AtomicInteger();
    final AtomicLong handled = new AtomicLong();
    final ConcurrentLinkedQueue<DescriptorChain> held = new ConcurrentLinkedQueue<>();
    volatile long negotiated = -1;
    /** What {@link #queueStarted} and {@link #queueClosed} were told, as "started 0 ..." / "closed 1 ...", in order. */
    final ConcurrentLinkedQueue<String> ringEvents = new ConcurrentLinkedQueue<>();
    /**
     * Thrown once by the next {@link #queueCount()}: a device failing as a frontend
     * connects. A RuntimeException or an Error.
     */
    final AtomicReference<Throwable> queueCountFailure = new AtomicReference<>();
    /** When set, {@link #handle} waits for it first: a device that holds the endpoint thread. */
    volatile CountDownLatch handleGate;
    /** What {@link #ringPollNanos()} answers. */
    volatile long ringPoll;
    private final long features;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(4096);

    EchoDevice() {
        this(FEATURES);
    }

    /** An echo device offering {@code features} instead of {@link #FEATURES}. */
    EchoDevice(long features) {
        this.features = features;
    }

    @Override
    public long ringPollNanos() {
        return ringPoll;
    }

    static byte configByte(int offset) {
        return (byte) (offset * 7 + 3);
    }

    @Override
    public int deviceId() {
        return 1000;
    }

    @Override
    public long offeredFeatures() {
        return features;
    }

    @Override
    public int queueCount() {
        Throwable failure = queueCountFailure.getAndSet(null);
        if (failure instanceof Error error) {
            throw error;
        }
        if (failure != null) {
            throw (RuntimeException) failure;
        }
        return 2;
    }

    @Override
    public int maxQueueSize() {
        return 1024;
    }

    @Override
    public int configSize() {
        return CONFIG_SIZE;
    }

    @Override
    public void readConfig(int offset, ByteBuffer dst) {
        for (int i = offset; dst.hasRemaining(); i++) {
            dst.put(configByte(i));
        }
    }

    @Override
    public void featuresNegotiated(long features) {
        negotiated = features;
    }

    @Override
    public void handle(int queueIndex, DescriptorChain chain) {
        handled.incrementAndGet();
        CountDownLatch gate = handleGate;
        if (gate != null) {
            awaitUninterruptibly(gate);
        }
        if (queueIndex == 1) {
            held.add(chain);
            return;
        }
        scratch.clear().limit(Math.min(chain.readableLength(), chain.writableLength()));
        int n = chain.read(0, scratch);
        for (int i = 0; i < n; i++) {
            scratch.put(i, (byte) (scratch.get(i) + 1));
        }
        scratch.flip();
        chain.complete(chain.write(0, scratch));
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Completes the oldest held event buffer with {@code payload}, from the calling thread.
     *
     * @return whether there was one
     */
    boolean fireEvent(byte[] payload) {
        DescriptorChain chain = held.poll();
        if (chain == null) {
            return false;
        }
        chain.complete(chain.write(0, ByteBuffer.wrap(payload)));
        return true;
    }

    @Override
    public void queueStarted(int queueIndex, RingPosition ring) {
        ringEvents.add("started " + queueIndex + " " + ring);
    }

    @Override
    public void queueClosed(int queueIndex, RingPosition ring) {
        ringEvents.add("closed " + queueIndex + " " + ring);
    }

    @Override
    public void reset() {
        resets.incrementAndGet();
        held.clear();
    }
}
