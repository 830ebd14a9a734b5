// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;

import gpio.vhostuser.frontend.FrontendQueue;
import gpio.vhostuser.frontend.RingOptions;
import gpio.vhostuser.frontend.VhostUserFrontend;

/**
 * Round-trip latency and throughput of the transport through a real socket, at
 * queue depths 1, 16 and 64: the test frontend keeps that many requests in flight
 * on an EVENT_IDX ring (kicking after every submission, as Linux's virtio driver
 * does, suppressed when the backend asks), the echo device answers each at once.
 * Requests look like virtio-gpio's GET_VALUE: 8 readable bytes, 2 writable.
 *
 * <p>Not a unit test. Run with {@code mvn -B -pl gpio.vhostuser -am -Pbench verify}
 * (optionally {@code -Dbench.seconds=N}, default 5 per depth); it prints one line per
 * depth: requests per second, latency p50/p99 from submission to completion as the
 * frontend sees it, and the endpoint thread's CPU time per request.
 */
public final class TransportBenchmark {

    private static final int[] DEPTHS = {1, 16, 64};
    private static final Duration WARM_UP = Duration.ofSeconds(2);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_SAMPLES = 20_000_000;

    private TransportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
        Logger.getLogger("gpio.vhostuser.internal").setLevel(Level.WARNING);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Path dir = Files.createTempDirectory("vhost-user-bench");
        VhostUserTransportComponent transport = new VhostUserTransportComponent();
        try {
            VhostUserEndpoint endpoint = (VhostUserEndpoint) transport.open(dir.resolve("bench.sock"),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"), new EchoDevice());
            long backend = endpoint.thread().getId();
            try (VhostUserFrontend frontend = VhostUserFrontend.connect(endpoint.socketPath())) {
                frontend.negotiate(VhostUserFrontend.VIRTIO_F_VERSION_1 | VhostUserFrontend.VIRTIO_RING_F_EVENT_IDX);
                FrontendQueue queue = frontend.startQueue(0, RingOptions.plain(256).withEventIdx());
                long[] samples = new long[MAX_SAMPLES];
                System.out.printf("%nvhost-user transport benchmark: %s, %d CPUs, Java %s%n",
                        System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version"));
                System.out.printf("%6s %12s %12s %10s %10s %16s%n", "depth", "requests", "req/s", "p50 us",
                        "p99 us", "backend CPU us/req");
                for (int depth : DEPTHS) {
                    run(queue, depth, WARM_UP.toNanos(), samples);
                    long cpuBefore = threads.getThreadCpuTime(backend);
                    long start = System.nanoTime();
                    int count = run(queue, depth, Duration.ofSeconds(seconds).toNanos(), samples);
                    long elapsed = System.nanoTime() - start;
                    long cpu = threads.getThreadCpuTime(backend) - cpuBefore;
                    Arrays.sort(samples, 0, count);
                    System.out.printf("%6d %12d %12.0f %10.1f %10.1f %16.2f%n", depth, count,
                            count * 1e9 / elapsed, samples[count / 2] / 1e3, samples[(int) (count * 0.99)] / 1e3,
                            cpu / 1e3 / count);
                }
            }
        } finally {
            transport.close();
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Keeps {@code depth} requests in flight for {@code nanos}.
     *
     * @return the number of completed requests, whose latencies are in {@code samples}
     */
    private static int run(FrontendQueue queue, int depth, long nanos, long[] samples) throws Exception {
        byte[] request = {1, 0, 0, 0, 3, 0, 0, 0};
        long[] submittedAt = new long[queue.size()];
        for (int i = 0; i < depth; i++) {
            submittedAt[queue.submit(request, 2)] = System.nanoTime();
            queue.kick();
        }
        long end = System.nanoTime() + nanos;
        int count = 0;
        while (true) {
            int token = queue.awaitToken(TIMEOUT);
            long now = System.nanoTime();
            if (count < samples.length) {
                samples[count++] = now - submittedAt[token];
            }
            if (now >= end) {
                break;
            }
            submittedAt[queue.submit(request, 2)] = System.nanoTime();
            queue.kick();
        }
        for (int i = 1; i < depth; i++) {
            queue.awaitToken(TIMEOUT);
        }
        return count;
    }
}
