// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import gpio.api.Bias;
import gpio.api.Direction;
import gpio.api.Drive;
import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.GpioException.Reason;
import gpio.api.GpioLine;
import gpio.api.LineInfo;
import gpio.api.LineSettings;
import gpio.cdev.internal.uapi.ChipInfo;
import gpio.cdev.internal.uapi.ErrnoException;
import gpio.cdev.internal.uapi.Ioctl;
import gpio.cdev.internal.uapi.LineFlag;
import gpio.cdev.internal.uapi.LineInfoChanged;
import gpio.cdev.internal.uapi.LineRequest;
import gpio.cdev.internal.uapi.Syscalls;

/**
 * A {@link GpioController} over one Linux GPIO chip, through the character
 * device uAPI v2. Its line {@code i} is the chip's line {@code offsets[i]}
 * (all the chip's lines when no subset is configured).
 *
 * <p>Lifetime: {@link #open} opens the chip and starts the poller; {@link #close}
 * releases every line and stops it. When the chip disappears the poller releases
 * every line, closes the chip and calls the {@code onLost} callback once, on its
 * own thread; operations fail with {@link Reason#IO} (while the kernel reports
 * ENODEV) and then with {@link Reason#RELEASED}.
 */
final class CdevController implements GpioController, EdgePoller.ChipListener {

    /**
     * What a controller is made of, from configuration.
     *
     * @param chip {@code /dev/gpiochipN}, {@code gpiochipN} or the chip's label
     * @param offsets the chip offsets exposed, in controller order; empty for all
     * @param consumer the consumer name the kernel shows for requested lines
     * @param label the controller's label; empty for the chip's label
     * @param defaults electrical defaults for the lines
     * @throws IllegalArgumentException for a negative or repeated offset or a
     *         label that is not 1 to 64 letters, digits, '.', '_' and '-'; the
     *         chip itself is checked only when it is opened
     */
    record Options(String chip, int[] offsets, String consumer, String label, LineDefaults defaults) {
        Options {
            Objects.requireNonNull(chip, "chip");
            offsets = offsets.clone();
            Objects.requireNonNull(consumer, "consumer");
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(defaults, "defaults");
            Set<Integer> seen = new HashSet<>();
            for (int offset : offsets) {
                if (offset < 0) {
                    throw new IllegalArgumentException("offsets: " + offset + " is not a line offset (0 or more)");
                }
                if (!seen.add(offset)) {
                    throw new IllegalArgumentException("offsets: line " + offset + " is listed twice");
                }
            }
            if (!label.isEmpty() && !LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("gpio.label '" + label + "' is not 1 to 64 characters among"
                        + " letters, digits, '.', '_' and '-' starting with a letter or digit");
            }
        }
    }

    // The labels that fit unescaped in a service filter such as (gpio.label=board-pins).
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private static final System.Logger LOG = System.getLogger(CdevController.class.getName());
    /** Edge events the kernel buffers per line before it drops some (its default is 16). */
    private static final int EVENT_BUFFER_SIZE = 64;

    private final Syscalls syscalls;
    private final String chipName;
    private final String label;
    private final int chipFd;
    private final int[] chipOffsets;
    private final String consumer;
    private final LineDefaults defaults;
    private final Runnable onLost;
    private final Set<CdevLine> lines = new HashSet<>();
    private final EdgePoller poller;
    // Guarded by lines; the chip fd is used and closed only under that lock, so a
    // late call never reaches an fd number the process reused.
    private boolean closed;
    private boolean chipClosed;
    // Reused by probe(), poller thread only.
    private final ChipInfo probeInfo = new ChipInfo();

    private CdevController(Syscalls syscalls, int chipFd, ChipInfo info, Options options, Runnable onLost)
            throws GpioException, ErrnoException {
        this.syscalls = syscalls;
        this.chipFd = chipFd;
        this.chipName = info.name();
        this.chipOffsets = options.offsets().length == 0
                ? IntStream.range(0, info.lines()).toArray() : options.offsets();
        this.label = !options.label().isEmpty() ? options.label() : !info.label().isEmpty() ? info.label() : chipName;
        this.consumer = options.consumer();
        this.defaults = options.defaults();
        this.onLost = onLost;
        checkOffsets(info.lines());
        if (chipOffsets.length == 0) {
            throw new GpioException(Reason.INVALID_ARGUMENT, chipName + " has no lines");
        }
        for (int chipOffset : chipOffsets) {
            gpio.cdev.internal.uapi.LineInfo watch = new gpio.cdev.internal.uapi.LineInfo();
            watch.query(chipOffset);
            syscalls.ioctl(chipFd, Ioctl.GET_LINEINFO_WATCH, watch.buffer());
        }
        poller = new EdgePoller(syscalls, chipFd, chipName, this);
    }

    /**
     * Opens a chip.
     *
     * @param syscalls the kernel
     * @param options what to open and how
     * @param onLost called once when the chip disappears, on the poller thread
     * @return the controller, running
     * @throws GpioException {@link Reason#INVALID_ARGUMENT} for a chip that does
     *         not exist or offsets it does not have, {@link Reason#IO} when it
     *         cannot be opened
     */
    static CdevController open(Syscalls syscalls, Options options, Runnable onLost) throws GpioException {
        String path = chipPath(syscalls, options.chip());
        int fd;
        try {
            fd = syscalls.open(path);
        } catch (ErrnoException e) {
            throw new GpioException(e.errno() == ErrnoException.ENOENT ? Reason.INVALID_ARGUMENT : Reason.IO,
                    "cannot open GPIO chip " + path + ": " + e.getMessage(), e);
        }
        try {
            ChipInfo info = new ChipInfo();
            syscalls.ioctl(fd, Ioctl.GET_CHIPINFO, info.buffer());
            CdevController controller = new CdevController(syscalls, fd, info, options, onLost);
            controller.poller.start();
            LOG.log(Level.INFO, () -> "GPIO controller " + controller.label + " serves " + controller.chipOffsets.length
                    + " line(s) of " + controller.chipName + " (" + path + ")");
            return controller;
        } catch (ErrnoException e) {
            syscalls.close(fd);
            throw new GpioException(Reason.IO, "cannot use GPIO chip " + path + ": " + e.getMessage(), e);
        } catch (GpioException | RuntimeException e) {
            syscalls.close(fd);
            throw e;
        }
    }

    // A path as given, a kernel name under /dev, or else the chip whose label matches.
    private static String chipPath(Syscalls syscalls, String chip) throws GpioException {
        if (chip.startsWith("/")) {
            return chip;
        }
        List<String> paths = syscalls.chipPaths();
        for (String path : paths) {
            if (path.endsWith("/" + chip)) {
                return path;
            }
        }
        ChipInfo info = new ChipInfo();
        for (String path : paths) {
            int fd;
            try {
                fd = syscalls.open(path);
            } catch (ErrnoException e) {
                continue;
            }
            try {
                syscalls.ioctl(fd, Ioctl.GET_CHIPINFO, info.buffer());
                if (info.label().equals(chip)) {
                    return path;
                }
            } catch (ErrnoException e) {
                // Not a chip we can read: not the one.
            } finally {
                syscalls.close(fd);
            }
        }
        throw new GpioException(Reason.INVALID_ARGUMENT,
                "no GPIO chip is named or labelled '" + chip + "' (chips present: " + paths + ")");
    }

    // Options refused negative and repeated offsets already.
    private void checkOffsets(int chipLines) throws GpioException {
        for (int chipOffset : chipOffsets) {
            if (chipOffset >= chipLines) {
                throw new GpioException(Reason.INVALID_ARGUMENT,
                        chipName + " has lines 0 to " + (chipLines - 1) + ", not " + chipOffset);
            }
        }
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public int lineCount() {
        return chipOffsets.length;
    }

    /** @return the kernel's name of the chip, such as {@code gpiochip0} */
    String chipName() {
        return chipName;
    }

    @Override
    public LineInfo lineInfo(int offset) throws GpioException {
        int chipOffset = chipOffset(offset);
        gpio.cdev.internal.uapi.LineInfo info = new gpio.cdev.internal.uapi.LineInfo();
        info.query(chipOffset);
        synchronized (lines) {
            if (chipClosed) {
                throw new GpioException(Reason.IO, describe(offset) + ": the controller is closed");
            }
            try {
                syscalls.ioctl(chipFd, Ioctl.GET_LINEINFO, info.buffer());
            } catch (ErrnoException e) {
                throw failure(offset, "reading the line info failed", e);
            }
        }
        long flags = info.flags();
        Bias bias = (flags & LineFlag.BIAS_PULL_UP) != 0 ? Bias.PULL_UP
                : (flags & LineFlag.BIAS_PULL_DOWN) != 0 ? Bias.PULL_DOWN
                : (flags & LineFlag.BIAS_DISABLED) != 0 ? Bias.DISABLED : Bias.AS_IS;
        Drive drive = (flags & LineFlag.OPEN_DRAIN) != 0 ? Drive.OPEN_DRAIN
                : (flags & LineFlag.OPEN_SOURCE) != 0 ? Drive.OPEN_SOURCE : Drive.PUSH_PULL;
        return new LineInfo(offset, info.name(), (flags & LineFlag.USED) != 0, info.consumer(),
                (flags & LineFlag.OUTPUT) != 0 ? Direction.OUTPUT : Direction.INPUT,
                (flags & LineFlag.ACTIVE_LOW) != 0, bias, drive);
    }

    @Override
    public GpioLine request(int offset, LineSettings settings, String requester) throws GpioException {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(requester, "consumer");
        int chipOffset = chipOffset(offset);
        LineSettings effective = defaults.applyTo(settings);
        LineRequest request = new LineRequest();
        request.setSingleLine(chipOffset, requester.isEmpty() ? consumer : consumer + ":" + requester, EVENT_BUFFER_SIZE);
        request.config().setSingleLine(LineDefaults.flags(effective, null), effective.outputValue(),
                LineDefaults.debounceMicros(effective));
        synchronized (lines) {
            checkOpen(offset);
            try {
                syscalls.ioctl(chipFd, Ioctl.GET_LINE, request.buffer());
            } catch (ErrnoException e) {
                throw failure(offset, "requesting the line failed", e);
            }
            CdevLine line = new CdevLine(this, syscalls, offset, request.fd(), settings, effective);
            lines.add(line);
            return line;
        }
    }

    /** Releases every line, stops the poller and closes the chip. Idempotent. */
    void close() {
        shutDown();
        poller.stop();
        closeChip();
    }

    private void closeChip() {
        synchronized (lines) {
            if (!chipClosed) {
                chipClosed = true;
                syscalls.close(chipFd);
            }
        }
    }

    // Marks the controller closed and releases its lines (outside the lock: a
    // line's close may wait for its edge listener, which may call the controller).
    private void shutDown() {
        List<CdevLine> open;
        synchronized (lines) {
            closed = true;
            open = new ArrayList<>(lines);
        }
        open.forEach(CdevLine::close);
    }

    @Override
    public void probe() throws ErrnoException {
        synchronized (lines) {
            if (!chipClosed) {
                syscalls.ioctl(chipFd, Ioctl.GET_CHIPINFO, probeInfo.buffer());
            }
        }
    }

    @Override
    public void chipLost(String why) {
        LOG.log(Level.WARNING, () -> "GPIO chip " + chipName + " of controller " + label + " went away (" + why
                + "): releasing its lines and withdrawing the controller");
        shutDown();
        closeChip();
        onLost.run();
    }

    @Override
    public void lineInfoChanged(LineInfoChanged change) {
        gpio.cdev.internal.uapi.LineInfo info = change.info();
        if (change.eventType() == LineInfoChanged.REQUESTED && !info.consumer().startsWith(consumer)) {
            LOG.log(Level.INFO, () -> chipName + " line " + info.offset() + " was taken by '" + info.consumer() + "'");
        } else {
            LOG.log(Level.DEBUG, () -> chipName + " line " + info.offset() + " changed (" + change.eventType()
                    + "), consumer '" + info.consumer() + "'");
        }
    }

    void released(CdevLine line) {
        synchronized (lines) {
            lines.remove(line);
        }
    }

    EdgePoller poller() {
        return poller;
    }

    LineDefaults defaults() {
        return defaults;
    }

    String describe(int offset) {
        int chipOffset = chipOffsets[offset];
        return "line " + offset + (chipOffset == offset ? "" : " (chip line " + chipOffset + ")") + " of " + label;
    }

    /**
     * Maps a failed system call to the API's reasons.
     *
     * @param offset the controller offset concerned
     * @param what what failed
     * @param e the failure
     * @return the exception to throw
     */
    GpioException failure(int offset, String what, ErrnoException e) {
        String message = describe(offset) + ": " + what + ": " + e.getMessage();
        switch (e.errno()) {
            case ErrnoException.EBUSY:
                return new GpioException(Reason.BUSY, message + holder(offset), e);
            case ErrnoException.EINVAL:
                return new GpioException(Reason.INVALID_ARGUMENT, message, e);
            case ErrnoException.EOPNOTSUPP:
            case ErrnoException.ENOTSUPP:
                return new GpioException(Reason.UNSUPPORTED, message, e);
            case ErrnoException.ENODEV:
            case ErrnoException.ENXIO:
                poller.probeSoon();
                return new GpioException(Reason.IO, message + "; the chip is gone", e);
            default:
                return new GpioException(Reason.IO, message, e);
        }
    }

    private String holder(int offset) {
        try {
            String holder = lineInfo(offset).consumer();
            return holder.isEmpty() ? "; held by someone who gave no consumer name" : "; held by '" + holder + "'";
        } catch (GpioException e) {
            return "";
        }
    }

    private int chipOffset(int offset) throws GpioException {
        if (offset < 0 || offset >= chipOffsets.length) {
            throw new GpioException(Reason.INVALID_ARGUMENT,
                    label + " has lines 0 to " + (chipOffsets.length - 1) + ", not " + offset);
        }
        return chipOffsets[offset];
    }

    private void checkOpen(int offset) throws GpioException {
        if (closed) {
            throw new GpioException(Reason.RELEASED, label + " is closed (" + describe(offset) + ")");
        }
    }

    @Override
    public String toString() {
        return "CdevController[" + label + " on " + chipName + ", offsets " + Arrays.toString(chipOffsets) + "]";
    }
}
