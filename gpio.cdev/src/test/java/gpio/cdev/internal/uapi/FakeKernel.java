// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fake GPIO kernel behind the {@link Syscalls} seam, for unit tests: chips
 * with lines whose level a test sets ({@link #pull}), line requests that hold
 * lines and queue edge events, epoll and eventfds, chips that go away
 * ({@link #unplug}) and errors injected on demand ({@link #failNext}). Decodes
 * and encodes the same struct layouts the kernel uses. One monitor guards it all.
 */
public final class FakeKernel implements Syscalls {

    /** A simulated chip. */
    private static final class Chip {
        final String path;
        final String name;
        final String label;
        final String[] consumers;
        final long[] flags;
        final boolean[] levels;
        boolean gone;

        Chip(String path, String label, int lines) {
            this.path = path;
            this.name = path.substring(path.lastIndexOf('/') + 1);
            this.label = label;
            consumers = new String[lines];
            flags = new long[lines];
            levels = new boolean[lines];
        }
    }

    private record ChipFd(Chip chip) {
    }

    private static final class RequestFd {
        final Chip chip;
        final int offset;
        long flags;
        final Deque<byte[]> events = new ArrayDeque<>();
        int lineSequence;

        RequestFd(Chip chip, int offset) {
            this.chip = chip;
            this.offset = offset;
        }
    }

    private static final class Epoll {
        final Map<Integer, Long> tokens = new HashMap<>();
    }

    private static final class EventFd {
        long counter;
    }

    private static final int EBADF = 9;
    private static final int EFAULT = 14;

    private final Map<String, Chip> chips = new HashMap<>();
    private final Map<Integer, Object> fds = new HashMap<>();
    private final Map<Ioctl, Integer> failures = new EnumMap<>(Ioctl.class);
    private final List<String> ioctlLog = new ArrayList<>();
    private int nextFd = 3;
    private long clock = 1_000_000;

    /**
     * Adds a chip.
     *
     * @param path such as {@code /dev/gpiochip0}
     * @param label its label
     * @param lines its number of lines
     */
    public synchronized void addChip(String path, String label, int lines) {
        chips.put(path, new Chip(path, label, lines));
    }

    /**
     * Marks a line as held by someone outside the gateway.
     *
     * @param path the chip
     * @param offset the line
     * @param consumer the holder's consumer name
     */
    public synchronized void hold(String path, int offset, String consumer) {
        Chip chip = chips.get(path);
        chip.consumers[offset] = consumer;
        chip.flags[offset] = LineFlag.USED | LineFlag.OUTPUT;
    }

    /**
     * Sets the level seen on a line, queueing an edge event when the line's request detects it.
     *
     * @param path the chip
     * @param offset the line
     * @param high the new level
     */
    public synchronized void pull(String path, int offset, boolean high) {
        Chip chip = chips.get(path);
        if (chip.levels[offset] == high) {
            return;
        }
        chip.levels[offset] = high;
        for (Object fd : fds.values()) {
            if (fd instanceof RequestFd request && request.chip == chip && request.offset == offset) {
                queueEdge(request, high);
            }
        }
        notifyAll();
    }

    private void queueEdge(RequestFd request, boolean high) {
        boolean active = high ^ ((request.flags & LineFlag.ACTIVE_LOW) != 0);
        long wanted = active ? LineFlag.EDGE_RISING : LineFlag.EDGE_FALLING;
        if ((request.flags & wanted) == 0) {
            return;
        }
        request.lineSequence++;
        ByteBuffer event = ByteBuffer.allocate(LineEvent.SIZE).order(java.nio.ByteOrder.nativeOrder());
        new LineEvent(event, 0).fill(clock += 1000, active ? LineEvent.RISING_EDGE : LineEvent.FALLING_EDGE,
                request.offset, request.lineSequence, request.lineSequence);
        request.events.add(event.array());
    }

    /**
     * Drops the next edge events of a line, as a full kernel buffer does.
     *
     * @param path the chip
     * @param offset the line
     * @param count how many sequence numbers to skip
     */
    public synchronized void loseEvents(String path, int offset, int count) {
        for (Object fd : fds.values()) {
            if (fd instanceof RequestFd request && request.chip.path.equals(path) && request.offset == offset) {
                request.lineSequence += count;
            }
        }
    }

    /**
     * The level of a line, as driven by an output or pulled for an input.
     *
     * @param path the chip
     * @param offset the line
     * @return the level
     */
    public synchronized boolean level(String path, int offset) {
        return chips.get(path).levels[offset];
    }

    /**
     * The flags of a line as last requested or configured.
     *
     * @param path the chip
     * @param offset the line
     * @return the {@link LineFlag} bits
     */
    public synchronized long flags(String path, int offset) {
        return chips.get(path).flags[offset];
    }

    /**
     * Removes a chip: from now on its fds answer ENODEV. Like Linux 6.1, it does
     * not wake an epoll wait.
     *
     * @param path the chip
     */
    public synchronized void unplug(String path) {
        chips.get(path).gone = true;
    }

    /**
     * Makes the next call of an ioctl fail.
     *
     * @param ioctl the ioctl
     * @param errno the error
     */
    public synchronized void failNext(Ioctl ioctl, int errno) {
        failures.put(ioctl, errno);
    }

    /** @return how many fds are open */
    public synchronized int openFds() {
        return fds.size();
    }

    /** @return the ioctls called, as {@code NAME(fd)} */
    public synchronized List<String> ioctls() {
        return List.copyOf(ioctlLog);
    }

    @Override
    public synchronized List<String> chipPaths() {
        return chips.keySet().stream().sorted().toList();
    }

    @Override
    public synchronized int open(String path) throws ErrnoException {
        Chip chip = chips.get(path);
        if (chip == null || chip.gone) {
            throw new ErrnoException("open(" + path + ")", ErrnoException.ENOENT);
        }
        return add(new ChipFd(chip));
    }

    private int add(Object fd) {
        int number = nextFd++;
        fds.put(number, fd);
        return number;
    }

    @Override
    public synchronized void close(int fd) {
        Object closed = fds.remove(fd);
        if (closed instanceof RequestFd request) {
            request.chip.consumers[request.offset] = null;
            request.chip.flags[request.offset] = 0;
        }
        for (Object other : fds.values()) {
            if (other instanceof Epoll epoll) {
                epoll.tokens.remove(fd);
            }
        }
    }

    @Override
    public synchronized void ioctl(int fd, Ioctl request, ByteBuffer argument) throws ErrnoException {
        ioctlLog.add(request + "(" + fd + ")");
        if (argument.capacity() < request.argumentSize()) {
            throw new ErrnoException("ioctl(" + request + ")", EFAULT);
        }
        Integer injected = failures.remove(request);
        if (injected != null) {
            throw new ErrnoException("ioctl(" + request + ")", injected);
        }
        Object target = fds.get(fd);
        Chip chip = target instanceof ChipFd chipFd ? chipFd.chip() : target instanceof RequestFd r ? r.chip : null;
        if (chip == null) {
            throw new ErrnoException("ioctl(" + request + ")", ErrnoException.ENOTTY);
        }
        if (chip.gone) {
            throw new ErrnoException("ioctl(" + request + ")", ErrnoException.ENODEV);
        }
        switch (request) {
            case GET_CHIPINFO:
                new ChipInfo(argument).fill(chip.name, chip.label, chip.levels.length);
                break;
            case GET_LINEINFO:
            case GET_LINEINFO_WATCH:
                LineInfo info = new LineInfo(argument);
                int offset = info.offset();
                if (offset >= chip.levels.length) {
                    throw new ErrnoException("ioctl(" + request + ")", ErrnoException.EINVAL);
                }
                info.fill("line" + offset, chip.consumers[offset] == null ? "" : chip.consumers[offset],
                        chip.flags[offset]);
                break;
            case GET_LINE:
                requestLine(chip, new LineRequest(argument));
                break;
            case LINE_SET_CONFIG:
                RequestFd line = (RequestFd) target;
                LineConfig config = new LineConfig(argument, 0);
                line.flags = config.flags();
                apply(chip, line.offset, config);
                break;
            case LINE_GET_VALUES:
                RequestFd reading = (RequestFd) target;
                LineValues values = new LineValues(argument);
                boolean active = chip.levels[reading.offset] ^ ((reading.flags & LineFlag.ACTIVE_LOW) != 0);
                values.set(active ? 1L : 0L, values.mask());
                break;
            case LINE_SET_VALUES:
                RequestFd writing = (RequestFd) target;
                if ((writing.flags & LineFlag.OUTPUT) == 0) {
                    throw new ErrnoException("ioctl(" + request + ")", ErrnoException.EPERM);
                }
                LineValues set = new LineValues(argument);
                chip.levels[writing.offset] = ((set.bits() & 1L) != 0) ^ ((writing.flags & LineFlag.ACTIVE_LOW) != 0);
                break;
            default:
                throw new ErrnoException("ioctl(" + request + ")", ErrnoException.EINVAL);
        }
    }

    private void requestLine(Chip chip, LineRequest request) throws ErrnoException {
        int offset = request.offset(0);
        if (request.lineCount() != 1 || offset >= chip.levels.length) {
            throw new ErrnoException("ioctl(GET_LINE)", ErrnoException.EINVAL);
        }
        if (chip.consumers[offset] != null) {
            throw new ErrnoException("ioctl(GET_LINE)", ErrnoException.EBUSY);
        }
        RequestFd line = new RequestFd(chip, offset);
        line.flags = request.config().flags();
        chip.consumers[offset] = request.consumer();
        apply(chip, offset, request.config());
        request.fd(add(line));
    }

    private static void apply(Chip chip, int offset, LineConfig config) {
        long flags = config.flags();
        chip.flags[offset] = LineFlag.USED | (flags & ~(LineFlag.EDGE_RISING | LineFlag.EDGE_FALLING));
        if ((flags & LineFlag.OUTPUT) != 0) {
            for (int i = 0; i < config.attributeCount(); i++) {
                if (config.attribute(i).id() == LineAttribute.ID_OUTPUT_VALUES) {
                    chip.levels[offset] = ((config.attribute(i).value() & 1L) != 0)
                            ^ ((flags & LineFlag.ACTIVE_LOW) != 0);
                }
            }
        }
    }

    @Override
    public synchronized int read(int fd, ByteBuffer into) throws ErrnoException {
        Object target = fds.get(fd);
        if (target instanceof RequestFd request) {
            if (request.chip.gone) {
                throw new ErrnoException("read", ErrnoException.ENODEV);
            }
            int length = 0;
            while (!request.events.isEmpty() && length + LineEvent.SIZE <= into.capacity()) {
                byte[] event = request.events.poll();
                for (int i = 0; i < event.length; i++) {
                    into.put(length + i, event[i]);
                }
                length += event.length;
            }
            return length;
        }
        return 0;
    }

    @Override
    public synchronized int epollCreate() {
        return add(new Epoll());
    }

    @Override
    public synchronized void epollAdd(int epollFd, int fd, long token) throws ErrnoException {
        if (!fds.containsKey(fd)) {
            throw new ErrnoException("epoll_ctl(ADD)", EBADF);
        }
        ((Epoll) fds.get(epollFd)).tokens.put(fd, token);
    }

    @Override
    public synchronized void epollDelete(int epollFd, int fd) {
        Object epoll = fds.get(epollFd);
        if (epoll instanceof Epoll set) {
            set.tokens.remove(fd);
        }
    }

    @Override
    public synchronized int epollWait(int epollFd, EpollEvents events, int timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            Epoll epoll = (Epoll) fds.get(epollFd);
            if (epoll == null) {
                return 0;
            }
            int count = 0;
            for (Map.Entry<Integer, Long> watched : epoll.tokens.entrySet()) {
                Object fd = fds.get(watched.getKey());
                boolean ready = fd instanceof RequestFd request && !request.events.isEmpty()
                        || fd instanceof EventFd eventFd && eventFd.counter > 0;
                if (ready && count < events.capacity()) {
                    events.set(count++, EpollEvents.IN, watched.getValue());
                }
            }
            long left = deadline - System.currentTimeMillis();
            if (count > 0 || left <= 0) {
                return count;
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
    }

    @Override
    public synchronized int eventFd() {
        return add(new EventFd());
    }

    @Override
    public synchronized void signal(int fd) {
        if (fds.get(fd) instanceof EventFd eventFd) {
            eventFd.counter++;
            notifyAll();
        }
    }

    @Override
    public synchronized void drain(int fd) {
        if (fds.get(fd) instanceof EventFd eventFd) {
            eventFd.counter = 0;
        }
    }
}
