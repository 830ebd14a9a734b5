// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import gpio.vhostuser.DescriptorChain;

/**
 * A descriptor chain held in memory: a readable and a writable byte range, and
 * a record of how it was completed (how often, with which length).
 */
final class InMemoryChain implements DescriptorChain {

    private final byte[] readable;
    private final byte[] writable;
    private final AtomicInteger completions = new AtomicInteger();
    private final AtomicInteger writesAfterCompletion = new AtomicInteger();
    private volatile int usedLength = -1;
    private volatile boolean faulting;

    InMemoryChain(byte[] readable, int writableLength) {
        this.readable = readable.clone();
        this.writable = new byte[writableLength];
    }

    /** A requestq message with a 2-byte response buffer. */
    static InMemoryChain request(int type, int gpio, int value) {
        return request(type, gpio, value, VirtioGpio.RESPONSE_SIZE);
    }

    /** A requestq message with a response buffer of the given size. */
    static InMemoryChain request(int type, int gpio, int value, int responseSize) {
        ByteBuffer b = ByteBuffer.allocate(VirtioGpio.REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) type).putShort((short) gpio).putInt(value);
        return new InMemoryChain(b.array(), responseSize);
    }

    /** An eventq buffer pair for a line. */
    static InMemoryChain irq(int gpio) {
        ByteBuffer b = ByteBuffer.allocate(VirtioGpio.IRQ_REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) gpio);
        return new InMemoryChain(b.array(), VirtioGpio.IRQ_RESPONSE_SIZE);
    }

    /** The clock when asked, as if the transport had just taken the chain. */
    @Override
    public long takenAt() {
        return System.nanoTime();
    }

    @Override
    public int readableLength() {
        return readable.length;
    }

    @Override
    public int writableLength() {
        return writable.length;
    }

    @Override
    public int read(int offset, ByteBuffer dst) {
        int n = Math.max(0, Math.min(dst.remaining(), readable.length - offset));
        dst.put(readable, offset, n);
        return n;
    }

    @Override
    public synchronized int write(int offset, ByteBuffer src) {
        if (faulting) {
            throw new InternalError("a fault occurred in an unsafe memory access operation");
        }
        if (completions.get() > 0) {
            // Counted as well: the device may catch the error (a chain whose memory faults is not answered).
            writesAfterCompletion.incrementAndGet();
            throw new AssertionError("write after completion");
        }
        int n = Math.max(0, Math.min(src.remaining(), writable.length - offset));
        src.get(writable, offset, n);
        return n;
    }

    @Override
    public synchronized void complete(int writtenLength) {
        if (writtenLength < 0 || writtenLength > writable.length) {
            throw new IllegalArgumentException("written length " + writtenLength);
        }
        if (completions.incrementAndGet() == 1) {
            usedLength = writtenLength;
            notifyAll();
        }
    }

    @Override
    public synchronized void completeWith(ByteBuffer response) {
        complete(write(0, response));
    }

    /**
     * Makes every write to the chain fail as a guest-memory access does when the
     * memory behind it was truncated: the JVM raises an {@link InternalError}.
     */
    InMemoryChain faulting() {
        faulting = true;
        return this;
    }

    /** Makes the chain available again, as the transport reuses chain objects. */
    synchronized void rearm() {
        completions.set(0);
        usedLength = -1;
    }

    boolean completed() {
        return completions.get() > 0;
    }

    int completions() {
        return completions.get();
    }

    /** How often the device wrote to the chain after completing it (tried to answer it again). */
    int writesAfterCompletion() {
        return writesAfterCompletion.get();
    }

    int usedLength() {
        return usedLength;
    }

    /** Byte {@code i} of the writable part. */
    synchronized int written(int i) {
        return writable[i] & 0xFF;
    }

    /** The writable bytes. */
    synchronized byte[] writtenBytes() {
        return writable.clone();
    }

    /** Waits until completed, failing after the deadline. */
    synchronized InMemoryChain awaitCompletion(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (completions.get() == 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("chain not completed within " + timeout);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return this;
    }
}
