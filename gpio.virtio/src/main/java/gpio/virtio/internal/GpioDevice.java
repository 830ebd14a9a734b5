// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.CONFIG_NAMES_SIZE;
import static gpio.virtio.internal.VirtioGpio.CONFIG_NGPIO;
import static gpio.virtio.internal.VirtioGpio.CONFIG_SIZE;
import static gpio.virtio.internal.VirtioGpio.EVENT_QUEUE;
import static gpio.virtio.internal.VirtioGpio.IRQ_REQUEST_SIZE;
import static gpio.virtio.internal.VirtioGpio.IRQ_RESPONSE_SIZE;
import static gpio.virtio.internal.VirtioGpio.IRQ_STATUS_INVALID;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_LINE_NAMES;
import static gpio.virtio.internal.VirtioGpio.REQUEST_QUEUE;
import static gpio.virtio.internal.VirtioGpio.REQUEST_SIZE;
import static gpio.virtio.internal.VirtioGpio.RESPONSE_SIZE;
import static gpio.virtio.internal.VirtioGpio.STATUS_ERR;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

import gpio.api.GpioController;
import gpio.vhostuser.DescriptorChain;
import gpio.vhostuser.RingPosition;
import gpio.vhostuser.VirtioDevice;

/**
 * The virtio-gpio device as the transport sees it: identity, config space,
 * and the routing of each chain to the {@link LineQueue} of its line. Holds
 * the bound controllers, one per source of the {@link LineMap} (one for a
 * plain map, one per controller label for a composed one); the line logic
 * lives in {@link LineState}.
 *
 * <p>Threading: {@link #handle}, {@link #featuresNegotiated} and {@link #reset}
 * come from the transport thread of the endpoint and parse and queue; they
 * never make a controller call that can block. Messages that name no
 * valid line (malformed chains, out-of-range lines, GET_LINE_NAMES) are
 * answered right there; everything else is carried out one at a time per
 * line, as parsed here (the request is read from guest memory once): on the
 * transport thread itself when the line's controller declares its calls
 * non-blocking, else on the executor (the fast path, see {@link LineQueue}).
 * {@link #setController} comes from the component (any thread). The threading
 * model, time limits and fault handling are described in {@link LineQueue}.
 *
 * <p>Lifetime of a controller swap: {@link #setController} only publishes the
 * new controller and wakes every line. A message already running on the old
 * controller finishes there and is answered; each line then releases its
 * controller line and replays the guest's direction, output value and
 * interrupt type on the new controller before its next message, so no message
 * is dropped, repeated or answered twice. Held eventq buffers stay held (the
 * interrupt stays unmasked) and latched edges stay latched. While no controller
 * is bound, line messages are answered with ERR. The line layout (ngpio) is
 * fixed by the first controller bound and never changes afterwards, because the
 * guest read it at probe time; lines the new controller lacks answer ERR.
 * With a composed map each source is swapped on its own: only its lines
 * move or answer ERR, the others go on as they were.
 */
final class GpioDevice implements VirtioDevice {

    /** How much longer than the request timeout a ring stop waits for the last answers. */
    private static final Duration QUIESCE_MARGIN = Duration.ofSeconds(1);

    private final DeviceOptions options;
    private final Executor executor;
    private final DeviceLog log;
    private final DeviceCounters counters = new DeviceCounters();

    // Transport thread only.
    private final ByteBuffer rxRequest = ByteBuffer.allocate(REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer txResponse = ByteBuffer.allocate(RESPONSE_SIZE);
    private final ByteBuffer rxIrqRequest = ByteBuffer.allocate(IRQ_REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer txIrqResponse = ByteBuffer.allocate(IRQ_RESPONSE_SIZE);

    /** The controller of each source, {@code null} where none is bound; replaced whole, never changed in place. */
    private volatile GpioController[] controllers;
    private volatile LineQueue[] lines;
    /** The name of each guest line as last sent to the guest, for status displays. */
    private volatile List<String> lineNames = List.of();
    /** The config space as the guest reads it; replaced whole, never changed in place. */
    private volatile byte[] config = new byte[CONFIG_SIZE];
    /** Status byte OK followed by the names block; replaced whole. */
    private volatile byte[] namesResponse;
    private volatile boolean interruptsNegotiated;
    private volatile long ringPollNanos;
    /**
     * What the guest of the last connection had set, from {@link #queueClosed} or
     * from an earlier run of the gateway, until the next requestq start takes it
     * up or drops it (see {@link GuestState}).
     */
    private volatile GuestState leftBehind;

    /**
     * A device with no controller bound yet.
     *
     * @param options what the configuration asks for
     * @param executor runs the line queues; must not run a task on the calling
     *        thread in production (tests may)
     * @param log the device log
     */
    GpioDevice(DeviceOptions options, Executor executor, DeviceLog log) {
        this.options = options;
        this.executor = executor;
        this.log = log;
        this.controllers = new GpioController[options.lineMap().sourceCount()];
        if (options.lineMap().offsets() != null) {
            layOut(options.lineMap().offsets().size());
        }
    }

    /**
     * Binds another controller, or none, without disturbing the connection;
     * see the class comment for what happens to messages and line state.
     *
     * @param next the controller, {@code null} for none
     */
    void setController(GpioController next) {
        setController(0, next);
    }

    /**
     * Binds another controller, or none, to one source of the line map; only
     * the lines of that source move.
     *
     * @param source the source, below {@link LineMap#sourceCount()}
     * @param next the controller, {@code null} for none
     */
    synchronized void setController(int source, GpioController next) {
        GpioController[] updated = controllers.clone();
        if (next == updated[source]) {
            return;
        }
        updated[source] = next;
        if (next != null && lines == null) {
            layOut(Math.min(next.lineCount(), LineMap.MAX_LINES));
        }
        if (lines != null && Arrays.stream(updated).anyMatch(Objects::nonNull)) {
            // With nothing bound the last names stay: they are the best the guest can be told.
            LineNames names = LineNames.of(updated, options.lineMap(), lines.length, log);
            publishConfig(names.blockSize());
            namesResponse = names.response();
            lineNames = names.names();
        }
        controllers = updated;
        for (LineQueue line : lines == null ? new LineQueue[0] : lines) {
            if (line.source() == source) {
                line.rebind();
            }
        }
    }

    /**
     * Sets how long the transport watches the rings after a request
     * ({@link #ringPollNanos()}); applies from the transport's next batch on.
     *
     * @param window the time, zero for no polling
     */
    void pollRings(Duration window) {
        ringPollNanos = window.toNanos();
    }

    @Override
    public long ringPollNanos() {
        return ringPollNanos;
    }

    /**
     * The controller bound to the source of a plain line map.
     *
     * @return the controller, {@code null} when none
     */
    GpioController controller() {
        return controller(0);
    }

    /**
     * The controller bound to a source of the line map.
     *
     * @param source the source
     * @return the controller, {@code null} when none
     */
    GpioController controller(int source) {
        return controllers[source];
    }

    /**
     * Which controller line each guest line is, with its name and policies,
     * for status displays.
     *
     * @return the lines in guest order
     */
    List<DeviceStatus.MappedLine> mapping() {
        LineMap map = options.lineMap();
        GpioController[] bound = controllers;
        List<String> names = lineNames;
        List<DeviceStatus.MappedLine> mapped = new ArrayList<>();
        for (int line = 0; line < lineCount(); line++) {
            GpioController controller = bound[map.source(line)];
            String label = map.composed() ? map.labels().get(map.source(line))
                    : controller == null ? "" : controller.label();
            mapped.add(new DeviceStatus.MappedLine(line, label, controller != null, map.offset(line),
                    line < names.size() ? names.get(line) : "", map.readOnly().contains(line),
                    map.safeState(line).configName()));
        }
        return mapped;
    }

    /**
     * What the device has done since it was created.
     *
     * @return the counters
     */
    DeviceCounters counters() {
        return counters;
    }

    /**
     * The number of lines the guest sees.
     *
     * @return the count, 0 before a controller was first bound
     */
    int lineCount() {
        LineQueue[] current = lines;
        return current == null ? 0 : current.length;
    }

    /**
     * The guest's lines whose interrupt is enabled, for status displays.
     *
     * @return the lines, in guest order
     */
    List<DeviceStatus.GuestLine> interruptLines() {
        LineQueue[] current = lines;
        List<DeviceStatus.GuestLine> enabled = new ArrayList<>();
        for (LineQueue line : current == null ? new LineQueue[0] : current) {
            DeviceStatus.GuestLine status = line.status();
            if (!status.interrupt().equals(DeviceStatus.GuestLine.NO_INTERRUPT)) {
                enabled.add(status);
            }
        }
        return enabled;
    }

    /**
     * What the device saw of each line, for the waveform.
     *
     * @return the histories, in guest order; empty before a controller was first bound
     */
    List<LineHistory> histories() {
        LineQueue[] current = lines;
        List<LineHistory> histories = new ArrayList<>();
        for (LineQueue line : current == null ? new LineQueue[0] : current) {
            histories.add(line.history());
        }
        return histories;
    }

    /**
     * Whether the driver negotiated {@code VIRTIO_GPIO_F_IRQ}.
     *
     * @return {@code true} when interrupts may be used
     */
    boolean interruptsNegotiated() {
        return interruptsNegotiated;
    }

    /**
     * Answers ERR to every request queued longer ago than the configured
     * timeout, whether its controller call is running or it still waits (see
     * {@link LineQueue}); called periodically by a watchdog.
     *
     * @param now the current {@link System#nanoTime()}
     */
    void expireStuckRequests(long now) {
        LineQueue[] current = lines;
        if (current == null) {
            return;
        }
        long timeout = options.requestTimeout().toNanos();
        for (LineQueue line : current) {
            line.expire(now, timeout);
        }
    }

    @Override
    public int deviceId() {
        return VirtioGpio.DEVICE_ID;
    }

    @Override
    public long offeredFeatures() {
        return VirtioGpio.F_VERSION_1 | VirtioGpio.F_RING_INDIRECT_DESC | VirtioGpio.F_RING_EVENT_IDX
                | (options.interrupts() ? VirtioGpio.F_IRQ : 0);
    }

    @Override
    public int queueCount() {
        return VirtioGpio.QUEUE_COUNT;
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
        dst.put(config, offset, dst.remaining());
    }

    @Override
    public void featuresNegotiated(long features) {
        interruptsNegotiated = (features & VirtioGpio.F_IRQ) != 0;
    }

    @Override
    public void handle(int queueIndex, DescriptorChain chain) {
        if (queueIndex == REQUEST_QUEUE) {
            handleRequest(chain);
        } else if (queueIndex == EVENT_QUEUE) {
            handleEventBuffer(chain);
        } else {
            log.guestError(-1, "chain on queue " + queueIndex + ", which does not exist: returned unused");
            chain.complete(0);
        }
    }

    /**
     * The frontend stops a ring (the VM stops running): for the requestq, waits
     * until every request taken from it is answered, carried out or ERR once
     * {@code request.timeout.ms} has passed, so that the index the transport
     * returns is honest and no guest thread waits for ever after the resume. Lines
     * keep their direction, value and interrupt type; held eventq buffers stay
     * held. The wait is bounded: the watchdog answers every request within the
     * timeout plus its period; the margin covers a watchdog running late on a busy
     * host.
     */
    @Override
    public void quiesce(int queueIndex) {
        LineQueue[] current = lines;
        if (queueIndex != REQUEST_QUEUE || current == null) {
            return;
        }
        long deadline = System.nanoTime() + options.requestTimeout().toNanos() + QUIESCE_MARGIN.toNanos();
        for (LineQueue line : current) {
            if (!line.awaitAnswered(deadline)) {
                log.event(Level.WARNING, "the frontend stops the requestq while line " + line.status().line()
                        + " still has a request unanswered after " + (options.requestTimeout().plus(QUIESCE_MARGIN))
                        .toMillis() + " ms; it will be answered after the resume");
                return;
            }
        }
    }

    /**
     * What the guest of the last connection had set, for the component to keep
     * across a gateway restart.
     *
     * @return the state, {@code null} when no line was in use or a new connection took it up
     */
    GuestState leftBehind() {
        return leftBehind;
    }

    /**
     * Gives the device what the guest had set in an earlier run of the gateway;
     * the next requestq start restores it if it is the same guest on the same rings.
     *
     * @param saved the state, {@code null} for none
     */
    void carryOver(GuestState saved) {
        leftBehind = saved;
    }

    /**
     * The requestq starts on a new connection: if the guest comes back on the
     * rings it had when its last connection ended (see {@link GuestState}), every
     * line is set up again as it had set it, before the first message is carried
     * out; otherwise what it had set is dropped.
     */
    @Override
    public void queueStarted(int queueIndex, RingPosition ring) {
        GuestState saved = leftBehind;
        if (queueIndex != REQUEST_QUEUE || saved == null) {
            return;
        }
        leftBehind = null;
        LineQueue[] current = lines;
        if (current == null || !saved.continuedBy(ring, current.length)) {
            log.event(Level.INFO, "the guest's requestq is a new ring (the guest rebooted, or it is another guest):"
                    + " what the guest of the last connection had set is not restored (" + saved.describe() + ")");
            return;
        }
        log.event(Level.INFO, "the guest came back on the rings it had (requestq used index " + ring.used()
                + "): restoring what it had set: " + saved.describe());
        for (GuestState.LineSetting setting : saved.lines()) {
            current[setting.line()].restore(setting);
        }
    }

    /** The connection ends: keeps what the guest had set on its lines, before the reset releases them. */
    @Override
    public void queueClosed(int queueIndex, RingPosition ring) {
        LineQueue[] current = lines;
        if (queueIndex != REQUEST_QUEUE || current == null) {
            return;
        }
        List<GuestState.LineSetting> inUse = new ArrayList<>();
        for (LineQueue line : current) {
            GuestState.LineSetting setting = line.setting();
            if (setting != null) {
                inUse.add(setting);
            }
        }
        leftBehind = inUse.isEmpty() ? null : new GuestState(ring, current.length, inUse);
    }

    @Override
    public void reset() {
        interruptsNegotiated = false;
        LineQueue[] current = lines;
        if (current != null) {
            for (LineQueue line : current) {
                line.reset();
            }
        }
    }

    /**
     * The device stops: a reset (which leaves lines at their safe state), after
     * which every line is released, those held at their safe state included.
     */
    void stop() {
        interruptsNegotiated = false;
        LineQueue[] current = lines;
        if (current != null) {
            for (LineQueue line : current) {
                line.stop();
            }
        }
    }

    private void handleRequest(DescriptorChain chain) {
        if (chain.readableLength() < REQUEST_SIZE || chain.writableLength() < RESPONSE_SIZE) {
            log.guestError(-1, "malformed requestq chain (" + chain.readableLength() + " bytes readable, "
                    + chain.writableLength() + " writable; need " + REQUEST_SIZE + " and " + RESPONSE_SIZE + ")");
            answerDirectly(chain);
            return;
        }
        rxRequest.clear();
        chain.read(0, rxRequest);
        int type = rxRequest.getShort(0) & 0xFFFF;
        int gpio = rxRequest.getShort(2) & 0xFFFF;
        int value = rxRequest.getInt(4);
        counters.request(type);
        if (type == MSG_GET_LINE_NAMES) {
            answerLineNames(chain, gpio, value);
            return;
        }
        LineQueue[] current = lines;
        if (current == null || gpio >= current.length) {
            log.guestError(-1, "message " + type + " for line " + gpio + ", which does not exist");
            answerDirectly(chain);
            return;
        }
        current[gpio].submitRequest(chain, type, value);
    }

    private void answerLineNames(DescriptorChain chain, int gpio, int value) {
        byte[] names = namesResponse;
        if (gpio != 0 || value != 0) {
            log.guestError(-1, "GET_LINE_NAMES with gpio " + gpio + " and value " + value + " (both must be 0)");
        } else if (names == null) {
            log.guestError(-1, "GET_LINE_NAMES while no controller was ever bound");
        } else if (chain.writableLength() < names.length) {
            log.guestError(-1, "GET_LINE_NAMES response buffer of " + chain.writableLength()
                    + " bytes, the names need " + names.length);
        } else {
            // Only on probe, so the wrap is not worth avoiding.
            chain.completeWith(ByteBuffer.wrap(names));
            return;
        }
        answerDirectly(chain);
    }

    /** Answers ERR (or returns the chain unused when there is no room for a response). */
    private void answerDirectly(DescriptorChain chain) {
        counters.error();
        if (chain.writableLength() < RESPONSE_SIZE) {
            chain.complete(0);
            return;
        }
        txResponse.clear();
        txResponse.put(STATUS_ERR).put((byte) 0).flip();
        chain.completeWith(txResponse);
    }

    private void handleEventBuffer(DescriptorChain chain) {
        if (chain.readableLength() < IRQ_REQUEST_SIZE || chain.writableLength() < IRQ_RESPONSE_SIZE) {
            log.guestError(-1, "malformed eventq chain (" + chain.readableLength() + " bytes readable, "
                    + chain.writableLength() + " writable): returned unused");
            chain.complete(0);
            return;
        }
        rxIrqRequest.clear();
        chain.read(0, rxIrqRequest);
        int gpio = rxIrqRequest.getShort(0) & 0xFFFF;
        LineQueue[] current = lines;
        if (current == null || gpio >= current.length) {
            log.guestError(-1, "eventq buffer for line " + gpio + ", which does not exist: returned INVALID");
            txIrqResponse.clear();
            txIrqResponse.put(IRQ_STATUS_INVALID).flip();
            chain.completeWith(txIrqResponse);
            return;
        }
        current[gpio].submitEventBuffer(chain);
    }

    private void layOut(int count) {
        LineQueue[] queues = new LineQueue[count];
        int historyCapacity = LineHistory.capacityFor(count);
        for (int i = 0; i < count; i++) {
            queues[i] = new LineQueue(i, options.lineMap(), this, executor, options.consumer(), log, historyCapacity);
        }
        lines = queues;
        publishConfig(0);
    }

    private void publishConfig(int namesSize) {
        ByteBuffer space = ByteBuffer.allocate(CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        space.putShort(CONFIG_NGPIO, (short) lines.length);
        space.putInt(CONFIG_NAMES_SIZE, namesSize);
        config = space.array();
    }
}
