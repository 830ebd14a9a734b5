// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/** The few QMP commands a test sends to QEMU's monitor socket. */
final class Qmp {

    private Qmp() {
    }

    /**
     * Connects, negotiates capabilities, runs {@code command} (one JSON object)
     * and fails unless QEMU answers it with {@code "return"}.
     *
     * @param socket the {@code -qmp unix:...} socket
     * @param command the command
     */
    static void execute(Path socket, String command) throws IOException {
        run(socket, command);
    }

    /**
     * Runs an HMP command line through QMP ({@code human-monitor-command}).
     *
     * @return what the monitor printed, as a JSON string value (unescaped only for quotes)
     */
    static String humanMonitorCommand(Path socket, String commandLine) throws IOException {
        String answer = run(socket, "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\""
                + commandLine + "\"}}");
        return answer.replace("\\\"", "\"");
    }

    /**
     * Runs {@code command} until QEMU answers it with success and the answer
     * passes {@code accepted}, for what QEMU finishes asynchronously (a device the
     * guest still has to let go, a chardev still in use).
     */
    static void awaitSuccess(Path socket, String command, Predicate<String> accepted, Duration deadline)
            throws IOException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        String last;
        do {
            try {
                last = run(socket, command);
                if (accepted.test(last)) {
                    return;
                }
            } catch (AssertionError refused) {
                last = refused.getMessage();
            }
            Thread.sleep(100); // polling with a deadline
        } while (System.nanoTime() < end);
        throw new AssertionError("QMP " + command + " did not succeed within " + deadline.toSeconds() + " s: " + last);
    }

    /** Runs {@code command} and returns QEMU's {@code return} answer line. */
    private static String run(Path socket, String command) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            OutputStream out = Channels.newOutputStream(channel);
            in.readLine(); // the greeting
            String last = null;
            for (String next : new String[] {"{\"execute\":\"qmp_capabilities\"}", command}) {
                out.write((next + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                String answer = answer(in);
                if (!answer.startsWith("{\"return\"")) {
                    throw new AssertionError("QMP " + next + " answered " + answer);
                }
                last = answer;
            }
            return last;
        }
    }

    /** The next answer, skipping asynchronous events (such as STOP, printed before stop's answer). */
    private static String answer(BufferedReader in) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new AssertionError("QEMU closed its QMP socket");
            }
        } while (!line.startsWith("{\"return\"") && !line.startsWith("{\"error\""));
        return line;
    }
}
