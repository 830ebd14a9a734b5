// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import gpio.api.Direction;
import gpio.api.Edge;
import gpio.api.EdgeDetection;
import gpio.api.EdgeEvent;
import gpio.api.EdgeListener;
import gpio.api.EdgeSubscription;
import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.GpioLine;
import gpio.api.LineInfo;
import gpio.api.LineSettings;

/**
 * A controller in memory for unit tests: lines with a level, failures and
 * slow calls on demand, edges driven by the test, and a log of the calls.
 */
final class TestController implements GpioController {

    private final String label;
    private final String[] names;
    private final boolean[] levels;
    private final Direction[] directions;
    private final TestLine[] held;
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    /** The name of the thread each entry of {@link #calls} was made on. */
    private final List<String> callThreads = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean nonBlocking;
    private volatile boolean nonBlockingFails;
    private Throwable nextFailure;
    private volatile CountDownLatch gate;
    private volatile Set<Integer> gatedOffsets = Set.of();
    private long sequence;

    TestController(String label, String... names) {
        this.label = label;
        this.names = names.clone();
        this.levels = new boolean[names.length];
        this.directions = new Direction[names.length];
        this.held = new TestLine[names.length];
        java.util.Arrays.fill(directions, Direction.INPUT);
    }

    /** Declares the calls non-blocking, or not (the default), as {@link GpioController#nonBlocking()}. */
    void declareNonBlocking(boolean declared) {
        nonBlocking = declared;
    }

    /** From now on {@link #nonBlocking()} throws, as a broken backend would. */
    void failNonBlocking() {
        nonBlockingFails = true;
    }

    @Override
    public boolean nonBlocking() {
        if (nonBlockingFails) {
            throw new IllegalStateException("injected nonBlocking() failure");
        }
        return nonBlocking;
    }

    /** The next controller or line call fails with this reason. */
    synchronized void failNext(GpioException.Reason reason) {
        nextFailure = new GpioException(reason, "injected " + reason);
    }

    /**
     * The next controller, line or edge-watch-closing call throws this, as a
     * broken backend or a fault would.
     */
    synchronized void throwNext(Error error) {
        nextFailure = error;
    }

    /** Calls for these lines (none given: every line) wait until {@link #open()} is called. */
    void stall(int... offsets) {
        Set<Integer> gated = new HashSet<>();
        for (int offset : offsets) {
            gated.add(offset);
        }
        gatedOffsets = gated;
        gate = new CountDownLatch(1);
    }

    /** Lets blocked calls run. */
    void open() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    /** An output left driven high by someone else, as a controller may report it. */
    synchronized void setDirection(int offset, Direction direction) {
        directions[offset] = direction;
    }

    /** Drives an input from outside; reports an edge to a watch when the level changes. */
    void drive(int offset, boolean high) {
        EdgeListener listener;
        EdgeEvent event;
        synchronized (this) {
            if (levels[offset] == high) {
                return;
            }
            levels[offset] = high;
            TestLine line = held[offset];
            Edge edge = high ? Edge.RISING : Edge.FALLING;
            if (line == null || line.listener == null || !line.detection.reports(edge)) {
                return;
            }
            listener = line.listener;
            sequence++;
            event = new EdgeEvent(offset, edge, System.nanoTime(), sequence, sequence);
        }
        listener.onEdge(event);
    }

    synchronized boolean level(int offset) {
        return levels[offset];
    }

    synchronized boolean isHeld(int offset) {
        return held[offset] != null;
    }

    synchronized boolean isWatched(int offset) {
        return held[offset] != null && held[offset].listener != null;
    }

    List<String> calls() {
        synchronized (calls) {
            return new ArrayList<>(calls);
        }
    }

    /**
     * The threads the calls ran on, from the call at {@code from} on.
     *
     * @param from an index into {@link #calls()}
     * @return the distinct thread names
     */
    Set<String> callThreadsSince(int from) {
        synchronized (calls) {
            return new HashSet<>(callThreads.subList(from, callThreads.size()));
        }
    }

    private void record(String call) {
        synchronized (calls) {
            calls.add(call);
            callThreads.add(Thread.currentThread().getName());
        }
    }

    private void enter(String call, int offset) throws GpioException {
        record(call);
        CountDownLatch g = gate;
        Set<Integer> gated = gatedOffsets;
        if (g != null && (gated.isEmpty() || gated.contains(offset))) {
            try {
                g.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            Throwable failure = nextFailure;
            nextFailure = null;
            if (failure instanceof GpioException) {
                throw (GpioException) failure;
            }
            if (failure != null) {
                throw (Error) failure;
            }
        }
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public int lineCount() {
        return names.length;
    }

    @Override
    public LineInfo lineInfo(int offset) throws GpioException {
        enter("lineInfo " + offset, offset);
        synchronized (this) {
            return new LineInfo(offset, names[offset], held[offset] != null, "", directions[offset], false,
                    gpio.api.Bias.AS_IS, gpio.api.Drive.PUSH_PULL);
        }
    }

    @Override
    public GpioLine request(int offset, LineSettings settings, String consumer) throws GpioException {
        enter("request " + offset + " " + describe(settings), offset);
        synchronized (this) {
            if (held[offset] != null) {
                throw new GpioException(GpioException.Reason.BUSY, "line " + offset + " is busy");
            }
            TestLine line = new TestLine(offset, settings);
            held[offset] = line;
            apply(offset, settings);
            return line;
        }
    }

    private void apply(int offset, LineSettings settings) {
        directions[offset] = settings.direction();
        if (settings.direction() == Direction.OUTPUT) {
            levels[offset] = settings.outputValue();
        }
    }

    private static String describe(LineSettings settings) {
        return settings.direction() == Direction.OUTPUT ? "out=" + (settings.outputValue() ? 1 : 0) : "in";
    }

    final class TestLine implements GpioLine {
        private final int offset;
        private LineSettings settings;
        private boolean closed;
        private EdgeListener listener;
        private EdgeDetection detection;

        TestLine(int offset, LineSettings settings) {
            this.offset = offset;
            this.settings = settings;
        }

        private void check(String call) throws GpioException {
            enter(call + " " + offset, offset);
            synchronized (TestController.this) {
                if (closed) {
                    throw new GpioException(GpioException.Reason.RELEASED, "released");
                }
            }
        }

        @Override
        public int offset() {
            return offset;
        }

        @Override
        public LineSettings settings() {
            synchronized (TestController.this) {
                return settings;
            }
        }

        @Override
        public boolean getValue() throws GpioException {
            check("getValue");
            return level(offset);
        }

        @Override
        public void setValue(boolean active) throws GpioException {
            check("setValue=" + (active ? 1 : 0));
            synchronized (TestController.this) {
                if (settings.direction() != Direction.OUTPUT) {
                    throw new GpioException(GpioException.Reason.INVALID_ARGUMENT, "input");
                }
                levels[offset] = active;
            }
        }

        @Override
        public void reconfigure(LineSettings newSettings) throws GpioException {
            check("reconfigure " + describe(newSettings));
            synchronized (TestController.this) {
                if (newSettings.direction() == Direction.OUTPUT && listener != null) {
                    throw new GpioException(GpioException.Reason.INVALID_ARGUMENT, "watched line cannot be output");
                }
                settings = newSettings;
                apply(offset, newSettings);
            }
        }

        @Override
        public EdgeSubscription watchEdges(EdgeDetection edges, EdgeListener edgeListener) throws GpioException {
            check("watchEdges " + edges);
            synchronized (TestController.this) {
                if (settings.direction() != Direction.INPUT) {
                    throw new GpioException(GpioException.Reason.INVALID_ARGUMENT, "output");
                }
                if (listener != null) {
                    throw new GpioException(GpioException.Reason.BUSY, "watched");
                }
                listener = edgeListener;
                detection = edges;
            }
            return () -> {
                synchronized (TestController.this) {
                    // close() cannot fail with a GpioException, but an Error can come through.
                    if (nextFailure instanceof Error) {
                        Error failure = (Error) nextFailure;
                        nextFailure = null;
                        throw failure;
                    }
                    if (listener == edgeListener) {
                        record("unwatch " + offset);
                        listener = null;
                    }
                }
            };
        }

        @Override
        public void close() {
            synchronized (TestController.this) {
                if (closed) {
                    return;
                }
                closed = true;
                listener = null;
                held[offset] = null;
                directions[offset] = Direction.INPUT;
                record("release " + offset);
            }
        }
    }
}
