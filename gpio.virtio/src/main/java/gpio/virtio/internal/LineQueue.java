// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_NONE;
import static gpio.virtio.internal.VirtioGpio.IRQ_RESPONSE_SIZE;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static gpio.virtio.internal.VirtioGpio.RESPONSE_SIZE;
import static gpio.virtio.internal.VirtioGpio.STATUS_ERR;
import static gpio.virtio.internal.VirtioGpio.STATUS_OK;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

import gpio.api.Edge;
import gpio.api.EdgeEvent;
import gpio.api.EdgeListener;
import gpio.api.GpioController;
import gpio.vhostuser.DescriptorChain;

/**
 * The work queue of one guest line: requestq messages, eventq buffers, edges
 * and controller swaps for that line, carried out one at a time, in order, on
 * a thread of the device's executor, so that a slow controller call holds up
 * only its own line. This comment is the document of the device's threading
 * model.
 *
 * <p>Threads: the transport thread parses and queues ({@link GpioDevice#handle});
 * a small fixed set of workers ({@link DeviceThreads}, {@code worker.threads})
 * drains the line queues handed to it; one watchdog answers what waited too
 * long ({@link #expire}). No thread per line or per request.
 *
 * <p>The fast path: when a request or an eventq buffer arrives for a line nobody
 * drains and every controller call it can lead to cannot block
 * ({@link GpioController#nonBlocking()}, as the simulator without latency), the
 * transport thread drains the line itself, under the same rules as a worker, and
 * the answer goes out with the rest of the ring's batch: no hand-off, no wake-up
 * of another thread. An edge is carried out the same way on the controller's
 * event thread that reports it. Such a thread hands the line to a worker as soon
 * as that no longer holds (a swap to a controller that may block) or after a few
 * items, so a blocking call never runs on it and a busy line cannot keep it from
 * the rings (or the controller from its other lines). Lines of controllers that
 * may block (cdev) always go through the workers.
 *
 * <p>Ownership:
 * <ul>
 * <li>Only the thread draining the queue touches the {@link LineState}. At
 *     most one thread drains a queue at a time: the queue is handed to the
 *     executor only when it is not already scheduled, and it unschedules itself
 *     only with nothing left to do, under the monitor.</li>
 * <li>Everything else (the pending requests, the edge count, the chain in
 *     flight, the flags) is guarded by the queue's monitor. A request chain is
 *     answered by whoever takes it out of the queue or out of {@code inFlight}
 *     under the monitor: the drainer when the controller call returns, or the
 *     watchdog when it waited too long. The loser never touches the chain,
 *     which the transport may already have reused; so no request is answered
 *     twice, and none is left unanswered (short of a reset, which voids
 *     them, or a response whose memory faults).</li>
 * <li>A ring stop (GET_VRING_BASE, the VM stops running) is not a reset:
 *     {@link #awaitAnswered} lets the transport wait until every request taken
 *     is answered, and held eventq buffers, latched edges and the line state
 *     stay as they are (an edge while the VM is stopped completes a held buffer;
 *     the transport publishes it when the ring resumes).</li>
 * <li>{@link #reset()} (the driver starts over) voids every chain at once under the
 *     monitor: pending ones are dropped, the one in flight is forgotten, and
 *     eventq completions are refused until the drainer has run the reset
 *     through the line state. Chains of the next driver queue up behind the
 *     reset, so they see the initial line state.</li>
 * <li>A controller swap is not applied here but checked by the drainer before
 *     each item: the line moves to the device's current controller between two
 *     messages, never in the middle of one. {@link #rebind()} only wakes the
 *     queue so that a held eventq buffer or an edge watch moves over even when
 *     the guest sends nothing.</li>
 * </ul>
 *
 * <p>Time limit: every request is bounded by the time it was queued (kept with
 * it in {@link PendingRequests}), whether it waits behind a slow call of its
 * own line, waits for a free worker (every worker wedged in other lines' calls)
 * or is being carried out; so it is answered within the timeout plus one
 * watchdog period (100 ms in the component). The watchdog, every period,
 * answers ERR:
 * <ul>
 * <li>the request in flight once {@code request.timeout.ms} have passed since it
 *     was queued; the late result of its call is dropped;</li>
 * <li>every queued request older than the timeout, and, while the line is
 *     <em>stuck</em> (the drainer has been in one item, a controller call, for
 *     longer than the timeout), every queued request at once: it could only
 *     wait behind that call. These are answered without being carried out: the
 *     guest was told they failed, so carrying them out later would contradict
 *     the answer.</li>
 * </ul>
 * The one exception is a release: a SET_DIRECTION NONE answered ERR this way
 * is remembered and carried out by the drainer before anything queued after
 * it, as soon as the drainer is free (the stuck call returned, or a worker
 * took the line). The Linux driver sends it when a line is freed and ignores
 * the answer, so without it the host line would stay held and driven for a
 * guest that let it go.
 *
 * <p>Faults: nothing that a controller or a chain can throw ends a worker or
 * leaves a line scheduled with nobody draining it. {@link LineState} treats
 * anything a controller call throws as a failed call (rolled back, ERR); the
 * drainer catches whatever else escapes one item (for example an
 * {@link InternalError} from a guest-memory access that faults), logs it with
 * the line and what it was doing, answers the request ERR if it still can, and
 * goes on with the next item. Writing a response that faults is logged and
 * leaves the chain unanswered (its memory is gone).
 *
 * <p>Allocation: a request costs no allocation once the line's
 * {@link PendingRequests} has grown to the depth the guest uses; the watchdog
 * scans the queues without allocating unless it has something to log.
 */
final class LineQueue implements Runnable, LineState.Events, EdgeListener {

    /** What the drainer took out of the queue, in the order it takes it. */
    private static final int IDLE = 0;
    private static final int RESET = 1;
    private static final int RELEASE = 2;
    private static final int REQUEST = 3;
    private static final int EVENT_BUFFER = 4;
    private static final int EDGES = 5;
    private static final int REBIND = 6;
    private static final int RESTORE = 7;
    /** {@link #drain} is to take the next item itself. */
    private static final int NOT_TAKEN = -1;
    /** For {@link #takeLocked}: the caller did not read the clock. */
    private static final long CLOCK_NOT_READ = Long.MIN_VALUE;
    /** Nothing taken: the transport thread may not carry out the next item, a worker is to. */
    private static final int HAND_OFF = -2;
    /**
     * The most items the transport thread carries out for one line in one go
     * before it leaves the rest to a worker, so that a line flooded with edges
     * cannot keep it from the rings.
     */
    private static final int INLINE_ITEMS = 8;

    private final int line;
    /** The source of the line map this line is served from. */
    private final int source;
    private final GpioDevice device;
    private final Executor executor;
    private final DeviceLog log;
    private final LineState state;
    private final LineHistory history;
    /** Written under the monitor only. */
    private final ByteBuffer response = ByteBuffer.allocate(RESPONSE_SIZE);
    /** Written under the monitor only. */
    private final ByteBuffer irqResponse = ByteBuffer.allocate(IRQ_RESPONSE_SIZE);

    // Guarded by this.
    private final PendingRequests requests = new PendingRequests();
    private final ArrayDeque<DescriptorChain> eventBuffers = new ArrayDeque<>();
    private int edgeCount;
    private boolean scheduled;
    private boolean resetPending;
    /** The device stops: after the reset, a line held at its safe state is released too. */
    private boolean stopping;
    private boolean rebindPending;
    /** {@link #awaitAnswered} waits on the monitor: answers notify it. */
    private boolean quiescing;
    /** The watchdog answered a SET_DIRECTION NONE before it ran: the drainer releases the line next. */
    private boolean releasePending;
    /** What the guest set before a reconnect, applied before anything else queued. */
    private GuestState.LineSetting restorePending;
    private DescriptorChain inFlight;
    private int inFlightType;
    private long inFlightQueuedAt;
    /** The drainer is carrying out an item it took at {@link #carryingOutSince}. */
    private boolean carryingOut;
    private long carryingOutSince;

    // The item the drainer took, and the controller to carry it out on; drainer only.
    private GpioController takenTarget;
    private DescriptorChain takenChain;
    private int takenType;
    private int takenValue;
    private int takenEdges;
    private GuestState.LineSetting takenSetting;
    /**
     * The transport thread left the request it took to a worker: taken again
     * first, by the worker. Drainer only, and the hand-over to the worker
     * (through the executor) publishes it.
     */
    private boolean retryOnWorker;

    LineQueue(int line, LineMap map, GpioDevice device, Executor executor, String consumer, DeviceLog log,
            int historyCapacity) {
        this.line = line;
        this.source = map.source(line);
        this.device = device;
        this.executor = executor;
        this.log = log;
        this.history = new LineHistory(line, map.offset(line), historyCapacity);
        this.state = new LineState(line, map.offset(line), map.readOnly().contains(line), map.safeState(line),
                consumer, this, this, log, history);
    }

    /**
     * The source of the line map this line is served from.
     *
     * @return the source
     */
    int source() {
        return source;
    }

    /**
     * Queues a requestq chain whose response has room for
     * {@link VirtioGpio#RESPONSE_SIZE}.
     *
     * @param chain the chain
     * @param type the message type, as parsed from the request
     * @param value the message value, as parsed from the request
     */
    void submitRequest(DescriptorChain chain, int type, int value) {
        int work;
        synchronized (this) {
            // The watchdog's clock starts when the transport took the request from the ring.
            long queuedAt = chain.takenAt();
            requests.add(chain, type, value, queuedAt);
            work = claimLocked(queuedAt);
        }
        drainHere(work);
    }

    /**
     * Queues an eventq chain with room for the irq response.
     *
     * @param chain the chain
     */
    void submitEventBuffer(DescriptorChain chain) {
        int work;
        synchronized (this) {
            eventBuffers.add(chain);
            work = claimLocked(chain.takenAt());
        }
        drainHere(work);
    }

    /**
     * After something was queued, under the monitor: when nobody drains the line,
     * makes the calling thread its drainer (no worker takes it meanwhile) and
     * takes the first item in the same lock, so the fast path costs no second one.
     *
     * @return the item taken, or {@link #NOT_TAKEN} when another thread drains
     */
    private int claimLocked(long now) {
        if (scheduled) {
            return NOT_TAKEN;
        }
        scheduled = true;
        return takeLocked(now, true);
    }

    /** Carries out what {@link #claimLocked} took on the calling thread, within the fast path's limits. */
    private void drainHere(int work) {
        if (work != NOT_TAKEN) {
            drain(true, work);
        }
    }

    /**
     * This line as a status display shows it; any thread.
     *
     * @return the guest line, its controller offset and its interrupt type
     */
    DeviceStatus.GuestLine status() {
        return new DeviceStatus.GuestLine(line, state.offset(), DeviceStatus.GuestLine.interruptName(state.irqType()));
    }

    /**
     * What the device saw of this line, for the waveform; any thread.
     *
     * @return the line's history
     */
    LineHistory history() {
        return history;
    }

    /** The device's controller changed: move the line over even if the guest sends nothing. */
    synchronized void rebind() {
        rebindPending = true;
        schedule();
    }

    /** The device stops: a {@link #reset()}, then a line held at its safe state is released. */
    synchronized void stop() {
        stopping = true;
        reset();
    }

    /**
     * The guest reconnected on the rings it had: sets the line up as it had set it,
     * before any message or buffer that arrives from now on.
     *
     * @param setting what the guest had set
     */
    synchronized void restore(GuestState.LineSetting setting) {
        restorePending = setting;
        schedule();
    }

    /**
     * What the guest set on this line, for a record of the connection; any thread.
     *
     * @return the setting, {@code null} when the line is not in use
     */
    GuestState.LineSetting setting() {
        return state.setting();
    }

    /** The rings were reset: every chain held for this line is void. */
    synchronized void reset() {
        requests.clear();
        eventBuffers.clear();
        edgeCount = 0;
        inFlight = null;
        releasePending = false; // the reset releases the line anyway
        restorePending = null;
        resetPending = true;
        schedule();
        wakeQuiesce();
    }

    /**
     * Waits until every request taken for this line has been answered (carried
     * out, or ERR from the watchdog), for {@link GpioDevice#quiesce}.
     *
     * @param deadline the {@link System#nanoTime()} to give up at
     * @return whether every request was answered
     */
    synchronized boolean awaitAnswered(long deadline) {
        quiescing = true;
        try {
            while (!requests.isEmpty() || inFlight != null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(left / 1_000_000, (int) (left % 1_000_000));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            quiescing = false;
        }
    }

    /** Wakes {@link #awaitAnswered} if it waits; under the monitor. */
    private void wakeQuiesce() {
        if (quiescing) {
            notifyAll();
        }
    }

    /**
     * An edge from the controller, on its event thread: when the line's calls
     * cannot block, that thread carries it out itself (see the fast path above),
     * so the eventq buffer completes without waking a worker.
     */
    @Override
    public void onEdge(EdgeEvent event) {
        int work;
        synchronized (this) {
            history.edge(event.edge() == Edge.RISING);
            edgeCount++;
            work = claimLocked(System.nanoTime());
        }
        drainHere(work);
    }

    @Override
    public void heldBack(int latched, int dropped) {
        device.counters().heldBack(latched, dropped);
    }

    @Override
    public synchronized void discardEdges() {
        edgeCount = 0;
    }

    @Override
    public synchronized void complete(DescriptorChain chain, byte status) {
        if (resetPending) {
            return; // void: the transport may already have reused the chain
        }
        if (status == VirtioGpio.IRQ_STATUS_VALID) {
            device.counters().interruptDelivered();
            history.interrupt(); // on the drainer, which alone completes eventq buffers
        }
        irqResponse.clear();
        irqResponse.put(status).flip();
        chain.completeWith(irqResponse);
    }

    /**
     * The watchdog: answers ERR to every request of this line that was queued
     * more than {@code timeoutNanos} ago, whether it is being carried out or
     * still waits, and to everything queued behind a call that did not return
     * in time (see the class comment).
     *
     * @param now the current {@link System#nanoTime()}
     * @param timeoutNanos how long a request may wait for its answer
     */
    synchronized void expire(long now, long timeoutNanos) {
        if (inFlight != null && now - inFlightQueuedAt > timeoutNanos) {
            log.guestError(line, messageName(inFlightType) + ": the controller call did not return within "
                    + timeoutNanos / 1_000_000 + " ms of the request: answered ERR");
            DescriptorChain chain = inFlight;
            inFlight = null;
            respond(chain, LineState.ERR);
        }
        boolean stuck = carryingOut && now - carryingOutSince > timeoutNanos;
        int expired = 0;
        boolean release = false;
        while (!requests.isEmpty() && (stuck || now - requests.queuedAt() > timeoutNanos)) {
            if (requests.type() == MSG_SET_DIRECTION && requests.value() == DIRECTION_NONE) {
                release = true;
            }
            DescriptorChain chain = requests.chain();
            requests.remove();
            expired++;
            respond(chain, LineState.ERR);
        }
        if (expired > 0) {
            releasePending |= release;
            log.guestError(line, expired + " queued message(s) answered ERR without being carried out: "
                    + (stuck ? "they wait behind a call that has run for more than " + timeoutNanos / 1_000_000
                            + " ms" : "they waited more than " + timeoutNanos / 1_000_000 + " ms")
                    + (release ? "; the release among them is carried out as soon as the line is free" : ""));
        }
    }

    /** A worker drains the queue. */
    @Override
    public void run() {
        drain(false, NOT_TAKEN);
    }

    /**
     * Carries out the queued items one by one until there is none left; the
     * caller made this thread the drainer ({@code scheduled}). On the transport
     * thread ({@code inline}) an item is carried out only while no call it can
     * make may block (see {@link #callsCannotBlock}), and at most
     * {@link #INLINE_ITEMS} of them: otherwise the queue, still scheduled, is
     * handed to a worker, which goes on where the transport thread stopped.
     * The item after a request is taken in the monitor that answers the request
     * (see {@link #finish}).
     *
     * @param taken the first item, already taken, or {@link #NOT_TAKEN}
     */
    private void drain(boolean inline, int taken) {
        int work = taken;
        for (int items = 0;; items++) {
            if (work == NOT_TAKEN) {
                work = inline && items == INLINE_ITEMS ? HAND_OFF : take(inline);
            }
            if (work == HAND_OFF) {
                executor.execute(this);
                return;
            }
            if (work == IDLE) {
                return;
            }
            boolean takeNext = !inline || items + 1 < INLINE_ITEMS;
            int next = NOT_TAKEN;
            try {
                next = carryOut(work, inline, takeNext);
            } catch (Throwable e) {
                // Whatever escaped (a fault in guest memory, a bug) ends this item, not the line or the worker.
                log.guestError(line, "unexpected " + e + " while " + doing(work) + "; the line goes on");
                if (work == REQUEST) {
                    next = finish(takenChain, LineState.ERR, inline, takeNext);
                }
            } finally {
                if (next == NOT_TAKEN && !retryOnWorker) {
                    forgetTaken();
                }
            }
            if (retryOnWorker) {
                executor.execute(this);
                return;
            }
            work = next;
        }
    }

    /**
     * Whether the transport thread may carry out this line's next item: every
     * controller call it can make, on the controller the line is bound to and on
     * {@code target} it may move to, cannot block ({@link GpioController#nonBlocking()};
     * no controller means no call). Drainer, or under the monitor while nobody drains.
     */
    private boolean callsCannotBlock(GpioController target) {
        GpioController bound = state.controller();
        return cannotBlock(target) && (bound == target || cannotBlock(bound));
    }

    /** A controller that fails to answer (a backend bug) may block, as far as the device knows. */
    private static boolean cannotBlock(GpioController controller) {
        try {
            return controller == null || controller.nonBlocking();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Takes the next item under the monitor, or unschedules the queue when there is none. */
    private synchronized int take(boolean inline) {
        return takeLocked(CLOCK_NOT_READ, inline);
    }

    /**
     * {@link #take} with the monitor held, {@code now} a {@link System#nanoTime()}
     * or {@link #CLOCK_NOT_READ} (read only when there is an item: the last take of
     * a drain, which finds none, costs no clock read); on the transport thread
     * ({@code inline}) {@link #HAND_OFF} when the next item may call a controller
     * that can block.
     */
    private int takeLocked(long now, boolean inline) {
        // Read under the monitor, which rebind() takes after a swap: either this sees
        // the new controller, or the swap's rebind comes later and is taken next.
        takenTarget = device.controller(source);
        if (inline && !callsCannotBlock(takenTarget)) {
            return HAND_OFF;
        }
        int work = nextItemLocked();
        if (work == IDLE) {
            carryingOut = false;
            scheduled = false;
        } else {
            carryingOut = true;
            carryingOutSince = now == CLOCK_NOT_READ ? System.nanoTime() : now;
        }
        return work;
    }

    /** Takes the next item out of the queue, in the order of the item types; under the monitor. */
    private int nextItemLocked() {
        if (resetPending) {
            retryOnWorker = false; // void, like every request before the reset
            return RESET; // cleared once the reset has run (refuses eventq completions until then)
        }
        if (retryOnWorker) {
            retryOnWorker = false; // the request the transport thread could not retry, still in flight
            return REQUEST;
        }
        if (releasePending) {
            releasePending = false;
            return RELEASE;
        }
        if (restorePending != null) {
            takenSetting = restorePending;
            restorePending = null;
            return RESTORE;
        }
        boolean rebind = rebindPending;
        rebindPending = false;
        if (!requests.isEmpty()) {
            takenChain = requests.chain();
            takenType = requests.type();
            takenValue = requests.value();
            inFlight = takenChain;
            inFlightType = takenType;
            inFlightQueuedAt = requests.queuedAt();
            requests.remove();
            return REQUEST;
        }
        takenChain = eventBuffers.poll();
        if (takenChain != null) {
            return EVENT_BUFFER;
        }
        takenEdges = edgeCount;
        edgeCount = 0;
        if (takenEdges > 0) {
            return EDGES;
        }
        return rebind ? REBIND : IDLE;
    }

    /**
     * Carries out one item taken from the queue.
     *
     * @return the next item when a request's answer took it ({@code takeNext}), else {@link #NOT_TAKEN}
     */
    private int carryOut(int work, boolean inline, boolean takeNext) {
        if (work == RESET) {
            try {
                state.reset();
                if (stopping()) {
                    state.releaseSafeState();
                }
            } finally {
                synchronized (this) {
                    resetPending = false;
                }
            }
            return NOT_TAKEN;
        }
        if (work == RELEASE) {
            state.discard();
            return NOT_TAKEN;
        }
        if (state.controller() != takenTarget) {
            state.rebind(takenTarget);
        }
        if (work == RESTORE) {
            state.restore(takenSetting);
        } else if (work == REQUEST) {
            return answer(takenChain, takenType, takenValue, inline, takeNext);
        } else if (work == EVENT_BUFFER) {
            state.unmask(takenChain);
        } else if (work == EDGES) {
            state.edges(takenEdges);
        }
        return NOT_TAKEN;
    }

    private String doing(int work) {
        switch (work) {
            case RESET:
                return "resetting the line";
            case RELEASE:
                return "releasing the line after its SET_DIRECTION NONE timed out";
            case REQUEST:
                return "carrying out " + messageName(takenType) + " " + takenValue;
            case EVENT_BUFFER:
                return "taking an eventq buffer";
            case EDGES:
                return "handling " + takenEdges + " edge(s)";
            case RESTORE:
                return "restoring what the guest set before the reconnect";
            default:
                return "moving the line to the current controller";
        }
    }

    private int answer(DescriptorChain chain, int type, int value, boolean inline, boolean takeNext) {
        int result = execute(type, value);
        GpioController current = device.controller(source);
        if (result == LineState.ERR && current != null && state.controller() != current) {
            // The controller was swapped while the call ran, and the old one may
            // have gone away under it: carry the message out on the new one, on a
            // worker when this is the transport thread (the new one may block).
            if (inline) {
                retryOnWorker = true;
                return NOT_TAKEN;
            }
            state.rebind(current);
            result = execute(type, value);
        }
        return finish(chain, result, inline, takeNext);
    }

    private int execute(int type, int value) {
        switch (type) {
            case MSG_GET_DIRECTION:
                return value == 0 ? state.getDirection() : nonZero("GET_DIRECTION", value);
            case MSG_SET_DIRECTION:
                return state.setDirection(value);
            case MSG_GET_VALUE:
                return value == 0 ? state.getValue() : nonZero("GET_VALUE", value);
            case MSG_SET_VALUE:
                return state.setValue(value);
            case MSG_SET_IRQ_TYPE:
                return state.setIrqType(value, device.interruptsNegotiated());
            default:
                log.guestError(line, "unknown message type " + type);
                return LineState.ERR;
        }
    }

    private int nonZero(String message, int value) {
        log.guestError(line, message + " with non-zero value " + value);
        return LineState.ERR;
    }

    private synchronized boolean stopping() {
        return stopping;
    }

    /**
     * Answers the request in flight, unless the watchdog answered it or a reset
     * voided it, and, when {@code takeNext}, takes the next item in the same
     * monitor: one lock per request on the fast path instead of two.
     *
     * @return the next item, or {@link #NOT_TAKEN} when not {@code takeNext}
     */
    private synchronized int finish(DescriptorChain chain, int result, boolean inline, boolean takeNext) {
        if (chain != null && inFlight == chain) {
            inFlight = null;
            respond(chain, result);
        }
        if (!takeNext) {
            return NOT_TAKEN;
        }
        forgetTaken();
        return takeLocked(CLOCK_NOT_READ, inline);
    }

    /** Drops the references the last item took, so that nothing keeps a done chain or setting alive; drainer only. */
    private void forgetTaken() {
        takenChain = null;
        takenSetting = null;
    }

    /**
     * Writes a response and returns the chain; called under the monitor. A
     * chain whose memory faults cannot be answered: that is logged, and the
     * caller goes on.
     */
    private void respond(DescriptorChain chain, int result) {
        wakeQuiesce();
        response.clear();
        if (result < 0) {
            device.counters().error();
            response.put(STATUS_ERR).put((byte) 0);
        } else {
            response.put(STATUS_OK).put((byte) result);
        }
        response.flip();
        try {
            chain.completeWith(response);
        } catch (Throwable e) {
            log.guestError(line, "answering a request failed, it stays unanswered: " + e);
        }
    }

    private void schedule() {
        if (!scheduled) {
            scheduled = true;
            executor.execute(this);
        }
    }

    private static String messageName(int type) {
        switch (type) {
            case MSG_GET_DIRECTION:
                return "GET_DIRECTION";
            case MSG_SET_DIRECTION:
                return "SET_DIRECTION";
            case MSG_GET_VALUE:
                return "GET_VALUE";
            case MSG_SET_VALUE:
                return "SET_VALUE";
            case MSG_SET_IRQ_TYPE:
                return "SET_IRQ_TYPE";
            default:
                return "message type " + type;
        }
    }
}
