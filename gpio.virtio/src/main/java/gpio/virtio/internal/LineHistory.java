// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * What the device itself saw of one guest line, for the waveform of the GPIO
 * page: the levels the guest set or read, the edges the controller reported,
 * the interrupts delivered to the guest and the direction the guest gave the
 * line. Lines of any backend get a trace from it, not only simulated ones.
 *
 * <p>Bounded: two rings of primitive longs (one entry per event: its time and
 * kind), each of {@link #capacityFor} entries, allocated when the first entry
 * is written, so lines the guest never uses cost nothing. The oldest entries
 * are overwritten; a reader gets the latest {@code capacity - 1} (the oldest
 * slot is the one the writer may be overwriting).
 *
 * <p>Threading: each ring has one writer at a time, the thread that already
 * owns the event: the line's drainer for what the guest set or read and the
 * interrupts (see {@link LineQueue}), the line queue's edge listener, under the
 * queue's monitor it holds anyway, for edges. Writing takes no lock and, once
 * the ring is there, allocates nothing: it stores the entry, then publishes the
 * count with a release store. Readers (the page, any thread) copy the ring
 * without locking and keep only the entries the writer cannot have overwritten
 * while they copied.
 */
public final class LineHistory {

    /** A kind of entry: the level was low. */
    public static final byte LOW = 0;
    /** A kind of entry: the level was high. */
    public static final byte HIGH = 1;
    /** A kind of entry: the device stopped seeing the line (the guest released it). */
    public static final byte UNKNOWN = 2;
    /** A kind of entry: an interrupt was delivered to the guest (an eventq buffer returned VALID). */
    public static final byte INTERRUPT = 3;

    /** Entries of all lines of a device together, per ring: 2 MiB of longs. */
    private static final int DEVICE_BUDGET = 1 << 18;
    private static final int MIN_CAPACITY = 64;
    private static final int MAX_CAPACITY = 16_384;
    private static final int KIND_BITS = 2;
    private static final int KIND_MASK = (1 << KIND_BITS) - 1;

    private final int line;
    private final int offset;
    /** Times are kept relative to this, so that they stay positive and leave room for the kind. */
    private final long originNanos = System.nanoTime();
    private final Ring seen;
    private final Ring edges;
    private volatile int direction = VirtioGpio.DIRECTION_NONE;
    /** The last level written to {@link #seen}, one of the kinds; the drainer's only. */
    private byte lastSeen = UNKNOWN;

    /**
     * The history of one guest line.
     *
     * @param line the guest line number
     * @param offset the controller line offset it maps to
     * @param capacity entries per ring, a power of two ({@link #capacityFor})
     */
    LineHistory(int line, int offset, int capacity) {
        this.line = line;
        this.offset = offset;
        this.seen = new Ring(capacity);
        this.edges = new Ring(capacity);
    }

    /**
     * The entries per ring of each line of a device with this many lines: a
     * fixed budget per device shared out, at least {@value #MIN_CAPACITY} and at
     * most {@value #MAX_CAPACITY} (4,096 for 64 lines: four seconds of a line
     * toggling at 1 kHz).
     *
     * @param lineCount the number of guest lines
     * @return a power of two
     */
    static int capacityFor(int lineCount) {
        int share = DEVICE_BUDGET / Math.max(1, lineCount);
        return Math.max(MIN_CAPACITY, Math.min(MAX_CAPACITY, Integer.highestOneBit(Math.max(1, share))));
    }

    /** @return the guest line number */
    public int line() {
        return line;
    }

    /** @return the controller line offset */
    public int offset() {
        return offset;
    }

    /** @return the direction the guest set: a {@code VIRTIO_GPIO_DIRECTION_*} value */
    public int direction() {
        return direction;
    }

    /** @return whether the guest drives the line (set it as an output) */
    public boolean guestDrives() {
        return direction == VirtioGpio.DIRECTION_OUT;
    }

    // ------------------------------------------------------------ writers

    /** The guest set a direction; drainer only. */
    void direction(int guestDirection) {
        direction = guestDirection;
    }

    /** The line's level as the guest set or read it; drainer only. Recorded when it differs from the last. */
    void seen(boolean high) {
        byte kind = high ? HIGH : LOW;
        if (kind != lastSeen) {
            lastSeen = kind;
            seen.add(entry(System.nanoTime(), kind));
        }
    }

    /** The guest released the line (or the driver reset): its level is no longer seen; drainer only. */
    void released() {
        direction = VirtioGpio.DIRECTION_NONE;
        if (lastSeen != UNKNOWN) {
            lastSeen = UNKNOWN;
            seen.add(entry(System.nanoTime(), UNKNOWN));
        }
    }

    /** An interrupt went to the guest; drainer only. */
    void interrupt() {
        seen.add(entry(System.nanoTime(), INTERRUPT));
    }

    /** The controller reported an edge; under the line queue's monitor. Timed on arrival (one clock for all). */
    void edge(boolean rising) {
        edges.add(entry(System.nanoTime(), rising ? HIGH : LOW));
    }

    private long entry(long nanos, byte kind) {
        return (nanos - originNanos) << KIND_BITS | kind;
    }

    // ------------------------------------------------------------ readers

    /**
     * What is kept, from both rings, in time order; any thread.
     *
     * @return a copy
     */
    public Events events() {
        Kept fromSeen = seen.copy();
        Kept fromEdges = edges.copy();
        long[] a = fromSeen.entries();
        long[] b = fromEdges.entries();
        int count = a.length + b.length;
        long[] nanos = new long[count];
        byte[] kinds = new byte[count];
        int s = 0;
        int e = 0;
        for (int i = 0; i < count; i++) {
            // Both rings are in time order: a merge. Comparing the entries compares their times first.
            long entry = e == b.length || s < a.length && a[s] <= b[e] ? a[s++] : b[e++];
            nanos[i] = (entry >>> KIND_BITS) + originNanos;
            kinds[i] = (byte) (entry & KIND_MASK);
        }
        long complete = Math.max(fromSeen.completeSince(), fromEdges.completeSince());
        return new Events(complete + originNanos, nanos, kinds);
    }

    /**
     * The events of a line, oldest first.
     *
     * @param completeSinceNanos the {@link System#nanoTime()} from which on nothing is missing
     * @param nanos when each happened, in {@link System#nanoTime()} nanoseconds
     * @param kinds what each was: {@link #LOW}, {@link #HIGH}, {@link #UNKNOWN} or {@link #INTERRUPT}
     */
    public record Events(long completeSinceNanos, long[] nanos, byte[] kinds) {
    }

    /**
     * A copy of a ring.
     *
     * @param entries the entries kept, oldest first
     * @param completeSince the relative time from which on no entry is missing: 0
     *        when none was ever overwritten, else the oldest kept one's
     */
    private record Kept(long[] entries, long completeSince) {
    }

    /** A ring of entries with one writer at a time and lock-free readers. */
    private static final class Ring {

        private static final VarHandle WRITTEN;

        static {
            try {
                WRITTEN = MethodHandles.lookup().findVarHandle(Ring.class, "written", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final int capacity;
        private volatile long[] entries;
        /** Entries written so far; stored with release semantics after the entry itself. */
        @SuppressWarnings("unused") // through WRITTEN
        private volatile long written;

        Ring(int capacity) {
            this.capacity = capacity;
        }

        void add(long entry) {
            long[] ring = entries;
            if (ring == null) {
                ring = new long[capacity];
                entries = ring;
            }
            long n = (long) WRITTEN.getOpaque(this);
            ring[(int) (n & (capacity - 1))] = entry;
            WRITTEN.setRelease(this, n + 1);
        }

        Kept copy() {
            long[] ring = entries;
            long end = (long) WRITTEN.getAcquire(this);
            if (ring == null || end == 0) {
                return new Kept(new long[0], 0);
            }
            long begin = Math.max(0, end - capacity);
            long[] copy = new long[(int) (end - begin)];
            for (int i = 0; i < copy.length; i++) {
                copy[i] = ring[(int) ((begin + i) & (capacity - 1))];
            }
            VarHandle.acquireFence();
            // The writer may be storing entry number `now` (over the slot of entry now - capacity)
            // before it publishes it: that slot and every one it passed since are not trustworthy.
            long now = (long) WRITTEN.getAcquire(this);
            int first = (int) Math.min(copy.length, Math.max(0, now + 1 - capacity - begin));
            long[] kept = first == 0 ? copy : Arrays.copyOfRange(copy, first, copy.length);
            if (begin + first == 0) {
                return new Kept(kept, 0);
            }
            return new Kept(kept, kept.length == 0 ? Long.MAX_VALUE >>> KIND_BITS : kept[0] >>> KIND_BITS);
        }
    }
}
