// SPDX-License-Identifier: Apache-2.0
package gpio.itest.osgi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import gpio.vhostuser.frontend.Completion;
import gpio.vhostuser.frontend.FrontendQueue;
import gpio.vhostuser.frontend.RingOptions;
import gpio.vhostuser.frontend.VhostUserFrontend;

/**
 * What a Linux guest sees of a virtio-gpio device, through QEMU's part played
 * by the vhost-user test frontend over the device's real Unix socket: the
 * config space, the requestq (one message, one answer) and the eventq (buffers
 * held by the device until an interrupt fires). The message numbers are the
 * OASIS virtio 1.2 section 5.18 ones, written out here on purpose: the test
 * must not borrow them from the device it checks.
 *
 * <p>The frontend classes come from the test JVM's class path, not from a
 * bundle (see {@code GatewayOptions.frontendFromTestClassPath}): like QEMU, the
 * guest shares nothing with the gateway but the socket. Single-threaded.
 */
final class VirtioGpioGuest implements AutoCloseable {

    static final int GET_LINE_NAMES = 1;
    static final int GET_DIRECTION = 2;
    static final int SET_DIRECTION = 3;
    static final int GET_VALUE = 4;
    static final int SET_VALUE = 5;
    static final int SET_IRQ_TYPE = 6;

    static final int OK = 0;
    static final int ERR = 1;

    static final int DIRECTION_OUT = 1;
    static final int DIRECTION_IN = 2;

    static final int IRQ_EDGE_RISING = 1;
    static final int IRQ_EDGE_BOTH = 3;

    static final int IRQ_VALID = 1;

    private static final long F_IRQ = 1L << 0;
    private static final int REQUEST_QUEUE = 0;
    private static final int EVENT_QUEUE = 1;
    /** How long any answer may take: a guest that waits longer is hung. */
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** An answer on the requestq: the status byte and the value byte. */
    record Answer(int status, int value) {
        @Override
        public String toString() {
            return (status == OK ? "OK" : status == ERR ? "ERR" : "status " + status) + " value " + value;
        }
    }

    private final VhostUserFrontend frontend;
    private final FrontendQueue requests;
    private final FrontendQueue events;
    /** eventq buffers the device holds, by token; null until it returns them. */
    private final Map<Integer, byte[]> heldEvents = new HashMap<>();

    private VirtioGpioGuest(VhostUserFrontend frontend) throws IOException {
        this.frontend = frontend;
        // As QEMU sets the rings up for the Linux driver: indirect descriptors and EVENT_IDX.
        frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1 | F_IRQ
                | VhostUserFrontend.VIRTIO_RING_F_INDIRECT_DESC | VhostUserFrontend.VIRTIO_RING_F_EVENT_IDX);
        requests = frontend.startQueue(REQUEST_QUEUE, new RingOptions(64, true, true, 1, 512));
        events = frontend.startQueue(EVENT_QUEUE, new RingOptions(64, true, true, 1, 16));
    }

    /** Connects to the device on {@code socket} and starts the driver as QEMU and Linux do. */
    static VirtioGpioGuest connect(Path socket) throws IOException {
        VhostUserFrontend frontend = VhostUserFrontend.connect(socket);
        try {
            return new VirtioGpioGuest(frontend);
        } catch (IOException | RuntimeException e) {
            frontend.close();
            throw e;
        }
    }

    /** {@code ngpio} from the config space. */
    int lineCount() throws IOException {
        return config().getShort(0) & 0xffff;
    }

    /**
     * The line names as the Linux driver reads them: {@code gpio_names_size} from
     * the config space, then GET_LINE_NAMES; "" for an unnamed line.
     */
    List<String> lineNames() throws IOException, TimeoutException {
        int count = lineCount();
        int size = config().getInt(4);
        byte[] written = roundTrip(request(GET_LINE_NAMES, 0, 0), 1 + size);
        if (written.length != 1 + size || written[0] != OK) {
            throw new AssertionError("GET_LINE_NAMES answered " + written.length + " bytes, status "
                    + (written.length > 0 ? written[0] : -1));
        }
        List<String> names = new ArrayList<>();
        int at = 1;
        for (int line = 0; line < count; line++) {
            int end = at;
            while (end < written.length && written[end] != 0) {
                end++;
            }
            names.add(at < written.length ? new String(written, at, end - at, StandardCharsets.US_ASCII) : "");
            at = end + 1;
        }
        return names;
    }

    /** Sends one requestq message and waits for its answer. */
    Answer call(int type, int line, int value) throws IOException, TimeoutException {
        byte[] written = roundTrip(request(type, line, value), 2);
        if (written.length != 2) {
            throw new AssertionError("message " + type + " for line " + line + " answered with used length "
                    + written.length);
        }
        return new Answer(written[0] & 0xff, written[1] & 0xff);
    }

    /**
     * Sends one message per entry of {@code lines}, all in flight together as
     * the Linux driver sends them for different lines, and waits for every
     * answer; {@code afterFirstAnswer} runs once the first answer is back, the
     * others still in flight. A buffer the device returns twice, or for no
     * request, fails.
     *
     * @return the answers, in the order of {@code lines}
     */
    List<Answer> burst(int type, int[] lines, int value, Runnable afterFirstAnswer) throws TimeoutException {
        collectEvents();
        Map<Integer, Integer> indexByToken = new HashMap<>();
        for (int i = 0; i < lines.length; i++) {
            indexByToken.put(requests.submit(request(type, lines[i], value), 2), i);
        }
        requests.kick();
        Answer[] answers = new Answer[lines.length];
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (int answered = 0; answered < lines.length; answered++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError((lines.length - answered) + " of " + lines.length
                        + " messages unanswered after " + WAIT);
            }
            Completion done = requests.await(Duration.ofNanos(left));
            Integer index = indexByToken.remove(done.token());
            if (index == null) {
                throw new AssertionError("request buffer " + done.token() + " returned but not outstanding");
            }
            byte[] written = done.written();
            if (written.length != 2) {
                throw new AssertionError("message for line " + lines[index] + " answered with used length "
                        + written.length);
            }
            answers[index] = new Answer(written[0] & 0xff, written[1] & 0xff);
            if (answered == 0) {
                afterFirstAnswer.run();
            }
        }
        return List.of(answers);
    }

    /** Configures {@code line} as an output driving {@code value}, as gpioset does; fails unless both are OK. */
    void drive(int line, int value) throws IOException, TimeoutException {
        expectOk(call(SET_VALUE, line, value), "SET_VALUE " + value + " on line " + line);
        expectOk(call(SET_DIRECTION, line, DIRECTION_OUT), "SET_DIRECTION OUT on line " + line);
    }

    /** Configures {@code line} as an input and reads it, as gpioget does; fails unless SET_DIRECTION is OK. */
    Answer read(int line) throws IOException, TimeoutException {
        expectOk(call(SET_DIRECTION, line, DIRECTION_IN), "SET_DIRECTION IN on line " + line);
        return call(GET_VALUE, line, 0);
    }

    /** Arms an interrupt as gpiomon does: input, irq type, one eventq buffer (unmask). */
    Interrupt arm(int line, int irqType) throws IOException, TimeoutException {
        expectOk(call(SET_DIRECTION, line, DIRECTION_IN), "SET_DIRECTION IN on line " + line);
        expectOk(call(SET_IRQ_TYPE, line, irqType), "SET_IRQ_TYPE " + irqType + " on line " + line);
        return unmask(line);
    }

    /** Gives the device an eventq buffer for {@code line}: it returns it when the interrupt fires. */
    private Interrupt unmask(int line) {
        byte[] request = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) line).array();
        int token = events.submit(request, 1);
        heldEvents.put(token, null);
        events.kick();
        return new Interrupt(line, token);
    }

    /** One eventq buffer given to the device. */
    final class Interrupt {
        private final int line;
        private final int token;

        private Interrupt(int line, int token) {
            this.line = line;
            this.token = token;
        }

        /** Whether the device has returned the buffer by now. */
        boolean fired() {
            collectEvents();
            return heldEvents.get(token) != null;
        }

        /** Waits for the device to return the buffer; its irq status. */
        int await() throws TimeoutException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!fired()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the interrupt of line " + line + " did not fire within " + WAIT);
                }
                settle(events.await(Duration.ofNanos(left)));
            }
            byte[] written = heldEvents.remove(token);
            if (written.length != 1) {
                throw new AssertionError("eventq buffer of line " + line + " used length " + written.length);
            }
            return written[0] & 0xff;
        }
    }

    /**
     * Whether the device closed the connection (as it does when the device goes
     * away), waiting at most {@code millis}. Consumes nothing the device would
     * send otherwise: the device never writes on the socket unasked.
     */
    boolean closedByDevice(int millis) {
        return frontend.awaitClosedByBackend(millis);
    }

    @Override
    public void close() {
        frontend.close();
    }

    static void expectOk(Answer answer, String what) {
        if (answer.status() != OK) {
            throw new AssertionError(what + " answered " + answer);
        }
    }

    private ByteBuffer config() throws IOException {
        byte[] bytes = frontend.getConfig(0, 8);
        if (bytes.length != 8) {
            throw new AssertionError("GET_CONFIG answered " + bytes.length + " bytes");
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] request(int type, int line, int value) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) type).putShort((short) line).putInt(value).array();
    }

    private byte[] roundTrip(byte[] request, int writable) throws IOException, TimeoutException {
        collectEvents();
        return frontend.roundTrip(requests, request, writable, WAIT).written();
    }

    private void collectEvents() {
        Completion done;
        while ((done = events.poll()) != null) {
            settle(done);
        }
    }

    private void settle(Completion done) {
        if (!heldEvents.containsKey(done.token()) || heldEvents.get(done.token()) != null) {
            throw new AssertionError("eventq buffer " + done.token() + " returned but not held: returned twice?");
        }
        heldEvents.put(done.token(), done.written());
    }
}
