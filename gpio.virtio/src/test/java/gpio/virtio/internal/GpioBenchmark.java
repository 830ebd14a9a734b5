// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import gpio.vhostuser.frontend.FrontendQueue;

/**
 * The device's performance as a guest sees it, side by side with the rust-vmm
 * reference backend when one is given. Not a test: run with
 * {@code mvn -B -pl gpio.virtio -am -Pbench verify}, optionally with
 * {@code -Dbench.reference=<path of a vhost-device-gpio binary built with its
 * mock_gpio feature>}, {@code -Dbench.pollUs=N} (also measure the device with
 * {@code ring.poll.us} N), {@code -Dbench.baseline=<class path>} (also measure
 * the device with these classes or jars ahead of its own, for example another
 * commit's {@code target/classes}: a change compared in the same run),
 * {@code -Dbench.nice=N} (also measure the device started with {@code nice -n N};
 * below 0 needs root or CAP_SYS_NICE), {@code -Dbench.seconds=N} (length of a
 * round, 2) and
 * {@code -Dbench.depths=1,16,64} (the depths measured).
 *
 * <p>Every backend runs as a process of its own ({@link BenchDevice} for this
 * device, with the default settings and the simulator; the reference with its
 * mock chip), driven by the same single-threaded frontend in this JVM, as a guest
 * driver does: one request per line, {@code depth} of them in flight, each
 * answer followed by the next request for that line, a kick after each (left out
 * when the backend suppresses it), sleeping on the call eventfd when nothing is
 * there. Latency runs from just before the submit to the answer seen.
 *
 * <p>Two conditions: the machine as it is, then with two CPU-bound processes at
 * normal priority started by the benchmark (as two busy guests beside ours).
 * For GET_VALUE and SET_VALUE (the value toggled on every request) at depths 1,
 * 16 and 64, rounds of the backends alternate, each round starting with the
 * next backend, so that each sees the same load; every backend is warmed up
 * again under each condition.
 * For each round: requests/s; p50, p99 and p99.9 latency; the backend process's
 * CPU time per request (utime + stime, all its threads, GC and JIT included);
 * its context switches per request (voluntary and involuntary, summed over its
 * threads: each is a wake-up or a preemption). Then, for this device only (the
 * reference's mock chip makes no edges), the latency from a simulated edge to
 * the eventq completion seen by the frontend.
 */
final class GpioBenchmark {

    /** Lines driven by the round trips; one more line, an input, takes the edges. */
    private static final int LINES = 64;
    private static final int ROUNDS = 3;
    private static final int BUSY_LOOPS = 2;
    private static final int EDGES = 5_000;
    /** Edges before the measured ones: enough for the JIT to compile the edge path. */
    private static final int WARM_UP_EDGES = 20_000;
    private static final Duration WARM_UP = Duration.ofSeconds(3);
    private static final Duration ROUND_WARM_UP = Duration.ofMillis(200);
    private static final long CONNECT_RETRY_NANOS = 10_000_000;
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100;
    /** Latencies kept per second of a round: more than any backend answers here. */
    private static final int SAMPLES_PER_SECOND = 6_000_000;

    private GpioBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Duration round = Duration.ofSeconds(Long.getLong("bench.seconds", 2));
        int pollMicros = Integer.getInteger("bench.pollUs", 0);
        int nice = Integer.getInteger("bench.nice", 0);
        String reference = System.getProperty("bench.reference", "");
        String baseline = System.getProperty("bench.baseline", "");
        int[] depths = Arrays.stream(System.getProperty("bench.depths", "1,16,64").split(","))
                .mapToInt(d -> Integer.parseInt(d.trim())).toArray();
        Path dir = Files.createTempDirectory("gpio-bench");
        List<Backend> backends = new ArrayList<>();
        try {
            String classPath = System.getProperty("java.class.path");
            backends.add(Backend.device("vgpio", dir, 0, 0, classPath));
            if (!baseline.isEmpty()) {
                backends.add(Backend.device("baseline", dir, 0, 0, baseline + File.pathSeparator + classPath));
            }
            if (pollMicros > 0) {
                backends.add(Backend.device("vgpio poll " + pollMicros + "us", dir, pollMicros, 0, classPath));
            }
            if (nice != 0) {
                backends.add(Backend.device("vgpio nice " + nice, dir, 0, nice, classPath));
            }
            if (!reference.isEmpty()) {
                backends.add(Backend.reference(Path.of(reference), dir));
            }
            System.out.printf(Locale.ROOT, "%nvirtio-gpio benchmark: %d CPUs, %s, Java %s, rounds of %d s,"
                    + " load average %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"),
                    System.getProperty("java.version"), round.toSeconds(), loadAverage());
            long[] samples = new long[Math.toIntExact(round.toSeconds() * SAMPLES_PER_SECOND)];
            Summary summary = new Summary();
            System.out.printf("%-6s %-9s %5s %-18s %9s %8s %8s %8s %9s %8s %8s%n", "load", "message", "depth",
                    "backend", "req/s", "p50 us", "p99 us", "p99.9 us", "CPU us/r", "ctx/req", "frontend");
            for (boolean busy : new boolean[] {false, true}) {
                List<Process> loops = busy ? busyLoops() : List.of();
                String condition = busy ? "busy" : "idle";
                try {
                    // Under each condition anew: the first round after the busy loops started ran at a
                    // fraction of the later ones, and always for the first backend.
                    warmUp(backends, samples);
                    for (int type : new int[] {MSG_GET_VALUE, MSG_SET_VALUE}) {
                        for (int depth : depths) {
                            for (int r = 0; r < ROUNDS; r++) {
                                for (int b = 0; b < backends.size(); b++) {
                                    // Each round starts with the next backend: none always runs first.
                                    Backend backend = backends.get((r + b) % backends.size());
                                    run(backend, type, depth, ROUND_WARM_UP, samples);
                                    Figures f = measure(backend, type, depth, round, samples);
                                    System.out.println(f.row(condition, messageName(type), depth, backend.name));
                                    summary.add(condition + " | " + messageName(type) + " | " + depth + " | "
                                            + backend.name, f);
                                }
                            }
                        }
                    }
                    for (Backend backend : backends) {
                        if (backend.makesEdges()) {
                            Figures f = edges(backend, EDGES, samples);
                            System.out.println(f.row(condition, "edge", 1, backend.name));
                            summary.add(condition + " | edge to eventq | 1 | " + backend.name, f);
                        }
                    }
                } finally {
                    for (Process loop : loops) {
                        loop.destroy();
                        loop.waitFor();
                    }
                }
            }
            System.out.println("\nload average after: " + loadAverage() + "; ranges over " + ROUNDS
                    + " rounds (edges: one run of " + EDGES + ")\n");
            System.out.println(summary);
        } finally {
            for (Backend backend : backends) {
                backend.close();
            }
            try (Stream<Path> left = Files.list(dir)) {
                for (Path p : left.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Every backend serves GET_VALUE and SET_VALUE at depth 16 for {@link #WARM_UP} each, then edges. */
    private static void warmUp(List<Backend> backends, long[] samples) throws Exception {
        for (Backend backend : backends) {
            run(backend, MSG_GET_VALUE, 16, WARM_UP, samples);
            run(backend, MSG_SET_VALUE, 16, WARM_UP, samples);
            if (backend.makesEdges()) {
                edges(backend, WARM_UP_EDGES, samples);
            }
        }
    }

    /** Two processes that only burn CPU, at normal priority, as busy guests beside ours. */
    private static List<Process> busyLoops() throws IOException {
        List<Process> loops = new ArrayList<>();
        for (int i = 0; i < BUSY_LOOPS; i++) {
            loops.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
        }
        return loops;
    }

    /**
     * What one round measured; {@code frontendBusy} is the share of one core the
     * frontend's thread used meanwhile (near 100%: the frontend, not the backend,
     * bounds the rate).
     */
    private record Figures(double perSecond, double p50, double p99, double p999, double cpuMicros,
            double switches, double frontendBusy) {

        String row(String condition, String message, int depth, String backend) {
            return String.format(Locale.ROOT, "%-6s %-9s %5d %-18s %9.0f %8.1f %8.1f %8.1f %9.2f %8.2f %7.0f%%",
                    condition, message, depth, backend, perSecond, p50, p99, p999, cpuMicros, switches,
                    frontendBusy);
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static Figures measure(Backend backend, int type, int depth, Duration length, long[] samples)
            throws Exception {
        double cpu = backend.cpuSeconds();
        long switches = backend.contextSwitches();
        long frontendCpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        int count = run(backend, type, depth, length, samples);
        long elapsed = System.nanoTime() - start;
        double cpuMicros = (backend.cpuSeconds() - cpu) * 1e6 / count;
        double switchesPerRequest = (double) (backend.contextSwitches() - switches) / count;
        // Should a backend answer faster than the samples allow, the rate still counts every answer.
        return figures(samples, Math.min(count, samples.length), count * 1e9 / elapsed, cpuMicros,
                switchesPerRequest, 100.0 * (THREADS.getCurrentThreadCpuTime() - frontendCpu) / elapsed);
    }

    private static Figures figures(long[] samples, int count, double perSecond, double cpuMicros, double switches,
            double frontendBusy) {
        Arrays.sort(samples, 0, count);
        return new Figures(perSecond, samples[count / 2] / 1e3, samples[(int) (count * 0.99)] / 1e3,
                samples[(int) (count * 0.999)] / 1e3, cpuMicros, switches, frontendBusy);
    }

    /**
     * Keeps {@code depth} requests in flight, one per line, for {@code length}.
     *
     * @return how many were answered; the latencies of the first ones, as many as
     *         it holds, are in {@code samples}
     */
    private static int run(Backend backend, int type, int depth, Duration length, long[] samples)
            throws Exception {
        FrontendQueue queue = backend.guest.requestQueue();
        byte[][] requests = backend.requests(type);
        long[] sentAt = new long[queue.size()];
        int[] lineOf = new int[queue.size()];
        int[] nextValue = new int[LINES];
        for (int line = 0; line < depth; line++) {
            long at = System.nanoTime();
            sentAt[submit(queue, requests, line, nextValue, lineOf)] = at;
        }
        long end = System.nanoTime() + length.toNanos();
        int count = 0;
        while (true) {
            int token = queue.awaitToken(WAIT);
            long now = System.nanoTime();
            if (queue.firstWrittenByte(token) != 0) {
                throw new AssertionError(backend.name + " answered ERR during the benchmark");
            }
            if (count < samples.length) {
                samples[count] = now - sentAt[token];
            }
            count++;
            if (now - end < 0) {
                // The answer's clock reading times the next request too: it is taken just before that
                // submit, and one reading per request keeps the frontend's own cost down.
                sentAt[submit(queue, requests, lineOf[token], nextValue, lineOf)] = now;
            } else if (queue.freeDescriptors() == queue.size()) {
                return count;
            }
        }
    }

    /** Submits the next request for {@code line} and kicks; returns its token. */
    private static int submit(FrontendQueue queue, byte[][] requests, int line, int[] nextValue, int[] lineOf) {
        int value = nextValue[line];
        nextValue[line] = value ^ 1;
        int token = queue.submit(requests[2 * line + value], VirtioGpio.RESPONSE_SIZE);
        lineOf[token] = line;
        queue.kick();
        return token;
    }

    /** Simulated edges on the device's last line, each timed to its eventq completion. */
    private static Figures edges(Backend backend, int edges, long[] samples) throws Exception {
        double cpu = backend.cpuSeconds();
        long switches = backend.contextSwitches();
        long frontendCpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < edges; i++) {
            Guest.Irq irq = backend.guest.unmask(LINES);
            long madeAt = backend.edge();
            if (irq.await() != VirtioGpio.IRQ_STATUS_VALID) {
                throw new AssertionError("interrupt not VALID");
            }
            samples[i] = System.nanoTime() - madeAt;
        }
        long elapsed = System.nanoTime() - start;
        return figures(samples, edges, edges * 1e9 / elapsed, (backend.cpuSeconds() - cpu) * 1e6 / edges,
                (double) (backend.contextSwitches() - switches) / edges,
                100.0 * (THREADS.getCurrentThreadCpuTime() - frontendCpu) / elapsed);
    }

    /** A backend process and the frontend connected to it. */
    private static final class Backend {

        final String name;
        final Process process;
        final FrontendGuest guest;
        /** GET_VALUE and SET_VALUE 0 and 1 for each line, at index 2 * line + value. */
        private final Map<Integer, byte[][]> requests = new LinkedHashMap<>();
        private final BufferedReader output;
        private final OutputStream input;

        private Backend(String name, Process process, Path socket, boolean readsCommands) throws Exception {
            this.name = name;
            this.process = process;
            this.output = readsCommands
                    ? new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))
                    : null;
            this.input = readsCommands ? process.getOutputStream() : null;
            if (readsCommands && !"ready".equals(output.readLine())) {
                throw new IllegalStateException(name + " did not start");
            }
            Await.until(name + "'s socket", () -> Files.exists(socket) || !process.isAlive());
            this.guest = connect(socket);
            // As the Linux driver's direction_output: the value first (the
            // reference refuses an output without one), then the direction.
            for (int line = 0; line < LINES; line++) {
                expectOk(guest.call(MSG_SET_VALUE, line, 0), "SET_VALUE");
                expectOk(guest.call(MSG_SET_DIRECTION, line, DIRECTION_OUT), "SET_DIRECTION");
            }
            if (readsCommands) {
                expectOk(guest.call(MSG_SET_DIRECTION, LINES, DIRECTION_IN), "SET_DIRECTION");
                expectOk(guest.call(MSG_SET_IRQ_TYPE, LINES, IRQ_TYPE_EDGE_BOTH), "SET_IRQ_TYPE");
            }
            for (int type : new int[] {MSG_GET_VALUE, MSG_SET_VALUE}) {
                byte[][] all = new byte[2 * LINES][];
                for (int i = 0; i < all.length; i++) {
                    ByteBuffer b = ByteBuffer.allocate(VirtioGpio.REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
                    all[i] = b.putShort((short) type).putShort((short) (i / 2))
                            .putInt(type == MSG_SET_VALUE ? i % 2 : 0).array();
                }
                requests.put(type, all);
            }
        }

        /**
         * Connects the frontend. The socket file appears at the backend's bind(),
         * before it listens: a connection refused until then is tried again.
         */
        private FrontendGuest connect(Path socket) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                try {
                    return new FrontendGuest(socket, 256);
                } catch (SocketException refused) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        throw refused;
                    }
                    LockSupport.parkNanos(CONNECT_RETRY_NANOS);
                }
            }
        }

        /** Starts {@code backend}; a backend that could not be set up is not left running. */
        private static Backend start(String name, Process process, Path socket, boolean readsCommands)
                throws Exception {
            try {
                return new Backend(name, process, socket, readsCommands);
            } catch (Exception | Error e) {
                process.destroyForcibly();
                throw e;
            }
        }

        /** This device in a JVM of its own. */
        static Backend device(String name, Path dir, int ringPollMicros, int nice, String classPath)
                throws Exception {
            Path socket = dir.resolve(name.replaceAll("\\W", "-") + ".sock");
            List<String> command = new ArrayList<>();
            if (nice != 0) {
                command.addAll(List.of("nice", "-n", Integer.toString(nice)));
            }
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    classPath, BenchDevice.class.getName(), socket.toString(), Integer.toString(LINES + 1),
                    Integer.toString(ringPollMicros)));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Backend backend = start(name, process, socket, true);
            // nice(1) runs the command at the old priority when it may not change it, with only a warning.
            if (backend.nice() != nice) {
                backend.close();
                throw new IllegalStateException(name + " runs at nice " + backend.nice() + ", not " + nice
                        + ": a priority above normal needs root or CAP_SYS_NICE");
            }
            return backend;
        }

        /** The rust-vmm reference with its mock chip of as many lines. */
        static Backend reference(Path binary, Path dir) throws Exception {
            Path socket = dir.resolve("reference.sock");
            // The reference appends the guest's index to the socket path; "s65" is
            // its mock GPIO chip with as many lines as this device has.
            Process process = new ProcessBuilder(binary.toString(), "-s", socket.toString(), "-l", "s" + (LINES + 1))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("reference.log").toFile()).start();
            return start("reference", process, dir.resolve("reference.sock0"), false);
        }

        byte[][] requests(int type) {
            return requests.get(type);
        }

        boolean makesEdges() {
            return input != null;
        }

        /** Makes an edge on the last line; returns when, on the machine's monotonic clock. */
        long edge() throws IOException {
            input.write('\n');
            input.flush();
            return Long.parseLong(output.readLine());
        }

        /** utime + stime of the process, all threads (fields 14 and 15 of its stat). */
        double cpuSeconds() throws IOException {
            String[] fields = statFields();
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        }

        /** The process's nice value (field 19 of its stat). */
        int nice() throws IOException {
            return Integer.parseInt(statFields()[16]);
        }

        /** The fields of {@code /proc/PID/stat} from the third on (the name in the second may hold spaces). */
        private String[] statFields() throws IOException {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        }

        /** Voluntary and involuntary context switches of every thread of the process. */
        long contextSwitches() throws IOException {
            long sum = 0;
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        for (String line : Files.readAllLines(task.resolve("status"))) {
                            if (line.startsWith("voluntary_ctxt_switches:")
                                    || line.startsWith("nonvoluntary_ctxt_switches:")) {
                                sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                            }
                        }
                    } catch (IOException e) {
                        // The thread ended meanwhile.
                    }
                }
            }
            return sum;
        }

        void close() throws IOException, InterruptedException {
            if (guest != null) {
                guest.close();
            }
            if (input != null) {
                input.close();
            }
            process.destroy();
            process.waitFor();
        }
    }

    private static void expectOk(int[] answer, String what) {
        if (answer[0] != 0) {
            throw new AssertionError(what + " answered status " + answer[0]);
        }
    }

    /** Ranges over the rounds, as a Markdown table. */
    private static final class Summary {
        private final Map<String, List<Figures>> rounds = new LinkedHashMap<>();

        void add(String key, Figures figures) {
            rounds.computeIfAbsent(key, k -> new ArrayList<>()).add(figures);
        }

        @Override
        public String toString() {
            StringBuilder table = new StringBuilder("| load | message | depth | backend | req/s | p50 µs | p99 µs"
                    + " | p99.9 µs | CPU µs/req | ctx switches/req | frontend busy % |\n"
                    + "|---|---|---|---|---|---|---|---|---|---|---|\n");
            rounds.forEach((key, figures) -> table.append("| ").append(key)
                    .append(range(figures, Figures::perSecond, "%.0f"))
                    .append(range(figures, Figures::p50, "%.0f")).append(range(figures, Figures::p99, "%.0f"))
                    .append(range(figures, Figures::p999, "%.0f"))
                    .append(range(figures, Figures::cpuMicros, "%.2f"))
                    .append(range(figures, Figures::switches, "%.2f"))
                    .append(range(figures, Figures::frontendBusy, "%.0f")).append(" |\n"));
            return table.toString();
        }

        private static String range(List<Figures> figures, java.util.function.ToDoubleFunction<Figures> field,
                String format) {
            double min = figures.stream().mapToDouble(field).min().orElse(0);
            double max = figures.stream().mapToDouble(field).max().orElse(0);
            String low = String.format(Locale.ROOT, format, min);
            String high = String.format(Locale.ROOT, format, max);
            return " | " + (low.equals(high) ? low : low + "-" + high);
        }
    }

    private static String messageName(int type) {
        return type == MSG_GET_VALUE ? "GET_VALUE" : "SET_VALUE";
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }
}
