// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.IRQ_RESPONSE_SIZE;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static gpio.virtio.internal.VirtioGpio.REQUEST_SIZE;
import static gpio.virtio.internal.VirtioGpio.RESPONSE_SIZE;
import static gpio.virtio.internal.VirtioGpio.STATUS_ERR;
import static gpio.virtio.internal.VirtioGpio.STATUS_OK;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

import gpio.api.EdgeEvent;
import gpio.api.EdgeListener;
import gpio.api.GpioController;
import gpio.vhostuser.DescriptorChain;

/**
 * The work queue of one guest line: requestq messages, eventq buffers, edges
 * and controller swaps for that line, carried out one at a time, in order, on
 * a thread of the device's executor, so that a slow controller call holds up
 * only its own line.
 *
 * <p>Design (threading and buffer ownership):
 * <ul>
 * <li>Only the thread draining the queue touches the {@link LineState} and the
 *     request buffer. At most one thread drains a queue at a time: the queue is
 *     handed to the executor only when it is not already scheduled.</li>
 * <li>Everything else (the pending chains, the edge count, the chain in flight)
 *     is guarded by the queue's monitor. A request chain is answered by whoever
 *     takes it out of {@code inFlight} under the monitor: the drainer when the
 *     controller call returns, or the watchdog ({@link #expire}) when it did not
 *     return in time. The loser never touches the chain, which the transport
 *     may already have reused.</li>
 * <li>{@link #reset()} (rings stopped) voids every chain at once under the
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
 */
final class LineQueue implements Runnable, LineState.Events, EdgeListener {

    private final int line;
    private final GpioDevice device;
    private final Executor executor;
    private final DeviceLog log;
    private final LineState state;
    /** Read by the drainer only. */
    private final ByteBuffer request = ByteBuffer.allocate(REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    /** Written under the monitor only. */
    private final ByteBuffer response = ByteBuffer.allocate(RESPONSE_SIZE);
    /** Written under the monitor only. */
    private final ByteBuffer irqResponse = ByteBuffer.allocate(IRQ_RESPONSE_SIZE);

    // Guarded by this.
    private final ArrayDeque<DescriptorChain> requests = new ArrayDeque<>();
    private final ArrayDeque<DescriptorChain> eventBuffers = new ArrayDeque<>();
    private int edgeCount;
    private boolean scheduled;
    private boolean resetPending;
    private boolean rebindPending;
    private DescriptorChain inFlight;
    private long inFlightSince;
    /** The watchdog answered the chain in flight; the drainer is still in the controller call. */
    private boolean stuck;

    LineQueue(int line, int offset, GpioDevice device, Executor executor, String consumer, DeviceLog log) {
        this.line = line;
        this.device = device;
        this.executor = executor;
        this.log = log;
        this.state = new LineState(line, offset, consumer, this, this, log);
    }

    /**
     * Queues a requestq chain whose request is at least {@link VirtioGpio#REQUEST_SIZE}
     * bytes and whose response has room for {@link VirtioGpio#RESPONSE_SIZE}.
     *
     * @param chain the chain
     */
    synchronized void submitRequest(DescriptorChain chain) {
        requests.add(chain);
        schedule();
    }

    /**
     * Queues an eventq chain with room for the irq response.
     *
     * @param chain the chain
     */
    synchronized void submitEventBuffer(DescriptorChain chain) {
        eventBuffers.add(chain);
        schedule();
    }

    /**
     * This line as a status display shows it; any thread.
     *
     * @return the guest line, its controller offset and its interrupt type
     */
    DeviceStatus.GuestLine status() {
        return new DeviceStatus.GuestLine(line, state.offset(), DeviceStatus.GuestLine.interruptName(state.irqType()));
    }

    /** The device's controller changed: move the line over even if the guest sends nothing. */
    synchronized void rebind() {
        rebindPending = true;
        schedule();
    }

    /** The rings were reset: every chain held for this line is void. */
    synchronized void reset() {
        requests.clear();
        eventBuffers.clear();
        edgeCount = 0;
        inFlight = null;
        resetPending = true;
        schedule();
    }

    @Override
    public synchronized void onEdge(EdgeEvent event) {
        edgeCount++;
        schedule();
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
        }
        irqResponse.clear();
        irqResponse.put(status).flip();
        chain.write(0, irqResponse);
        chain.complete(IRQ_RESPONSE_SIZE);
    }

    /**
     * Answers with ERR a request whose controller call has taken longer than
     * {@code timeoutNanos}, and every request queued behind it while the call
     * is still running: the Linux driver waits without timeout.
     *
     * @param now the current {@link System#nanoTime()}
     * @param timeoutNanos how long a controller call may take
     */
    synchronized void expire(long now, long timeoutNanos) {
        if (inFlight != null && now - inFlightSince > timeoutNanos) {
            log.guestError(line, "controller call did not return within " + timeoutNanos / 1_000_000
                    + " ms: answered ERR");
            respond(inFlight, LineState.ERR);
            inFlight = null;
            stuck = true;
        }
        if (stuck) {
            DescriptorChain chain;
            while ((chain = requests.poll()) != null) {
                respond(chain, LineState.ERR);
            }
        }
    }

    @Override
    public void run() {
        for (;;) {
            DescriptorChain request;
            DescriptorChain eventBuffer = null;
            int edges = 0;
            boolean doReset;
            synchronized (this) {
                doReset = resetPending;
                request = doReset ? null : requests.poll();
                if (request != null) {
                    inFlight = request;
                    inFlightSince = System.nanoTime();
                } else if (!doReset) {
                    eventBuffer = eventBuffers.poll();
                    if (eventBuffer == null) {
                        edges = edgeCount;
                        edgeCount = 0;
                        if (edges == 0 && !rebindPending) {
                            scheduled = false;
                            return;
                        }
                    }
                }
                rebindPending = false;
            }
            try {
                if (doReset) {
                    state.reset();
                    synchronized (this) {
                        resetPending = false;
                    }
                    continue;
                }
                GpioController current = device.controller();
                if (state.controller() != current) {
                    state.rebind(current);
                }
                if (request != null) {
                    answer(request);
                } else if (eventBuffer != null) {
                    state.unmask(eventBuffer);
                } else if (edges > 0) {
                    state.edges(edges);
                }
            } catch (RuntimeException e) {
                // A bug here must not leave the line unscheduled for ever.
                log.guestError(line, "unexpected failure: " + e);
                if (request != null) {
                    finish(request, LineState.ERR);
                }
            }
        }
    }

    private void answer(DescriptorChain chain) {
        request.clear();
        chain.read(0, request);
        int type = request.getShort(0) & 0xFFFF;
        int value = request.getInt(4);
        int result = execute(type, value);
        GpioController current = device.controller();
        if (result == LineState.ERR && current != null && state.controller() != current) {
            // The controller was swapped while the call ran, and the old one may
            // have gone away under it: carry the message out on the new one.
            state.rebind(current);
            result = execute(type, value);
        }
        finish(chain, result);
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

    private synchronized void finish(DescriptorChain chain, int result) {
        stuck = false;
        if (inFlight != chain) {
            return; // answered by the watchdog, or void after a reset
        }
        inFlight = null;
        respond(chain, result);
    }

    /** Writes a response and returns the chain; called under the monitor. */
    private void respond(DescriptorChain chain, int result) {
        response.clear();
        if (result < 0) {
            device.counters().error();
            response.put(STATUS_ERR).put((byte) 0);
        } else {
            response.put(STATUS_OK).put((byte) result);
        }
        response.flip();
        chain.write(0, response);
        chain.complete(RESPONSE_SIZE);
    }

    private void schedule() {
        if (!scheduled) {
            scheduled = true;
            executor.execute(this);
        }
    }
}
