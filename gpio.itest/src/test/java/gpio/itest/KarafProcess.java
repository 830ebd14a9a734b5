// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Karaf, unpacked by the build, copied into a fresh directory and
 * run headless ({@code bin/karaf server}) with its SSH console on a free
 * loopback port; commands go through {@code bin/client} as an operator types
 * them.
 */
final class KarafProcess implements AutoCloseable {

    static final Duration DEADLINE = Duration.ofSeconds(120);
    /** Pause between two tries of the shell before the first command (not a synchronisation: a retry pace). */
    private static final long SHELL_RETRY_MILLIS = 500;
    /** The longest a feature:install or feature:uninstall may take (the bound, on 2 busy cores). */
    static final Duration INSTALL_LIMIT = Duration.ofSeconds(60);
    /** A user with Karaf's admin group (roles admin, manager, viewer, ...). */
    static final String USER = "vgpio";
    static final String PASSWORD = "vgpio-test";
    /** A user with the role viewer only. */
    static final String VIEWER = "watcher";
    static final String VIEWER_PASSWORD = "watcher-test";

    private final Path home;
    private final int sshPort;
    private final int httpPort;
    private final Process process;
    private final List<String> output = new ArrayList<>();
    /** Whether the shell answered once (see {@link #awaitShell}). */
    private boolean shellAnswered;

    private KarafProcess(Path home, int sshPort, int httpPort, Process process) {
        this.home = home;
        this.sshPort = sshPort;
        this.httpPort = httpPort;
        this.process = process;
        Thread reader = new Thread(this::collectOutput, "karaf-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Copies the unpacked Karaf into {@code dir}, adds the bundles of
     * {@code extraSystem} (Maven repository layout) to its system repository,
     * creates an admin user, binds SSH, JMX and HTTP (once the {@code http}
     * feature is installed) to loopback on free ports and starts it.
     */
    static KarafProcess start(Path unpacked, Path extraSystem, Path dir) throws IOException {
        Path home = copy(unpacked, dir);
        copyTree(extraSystem, home.resolve("system"));
        return start(home);
    }

    /**
     * Starts Karaf as {@link #start(Path, Path, Path)} does, but with
     * {@code localRepository} as its local Maven repository, as
     * {@code ~/.m2/repository} is after {@code mvn install}, and nothing added to
     * its system repository.
     */
    static KarafProcess startWithLocalRepository(Path unpacked, Path localRepository, Path dir) throws IOException {
        Path home = copy(unpacked, dir);
        setProperties(home.resolve("etc/org.ops4j.pax.url.mvn.cfg"),
                Map.of("org.ops4j.pax.url.mvn.localRepository", localRepository.toString()));
        return start(home);
    }

    private static Path copy(Path unpacked, Path dir) throws IOException {
        if (!Files.isRegularFile(unpacked.resolve("bin/karaf"))) {
            throw new IllegalStateException("no Karaf at " + unpacked + ": run the tests with mvn verify");
        }
        Path home = dir.resolve("karaf");
        copyTree(unpacked, home);
        return home;
    }

    private static KarafProcess start(Path home) throws IOException {
        for (String script : List.of("karaf", "client", "inc", "shell", "start", "stop", "status")) {
            Path file = home.resolve("bin").resolve(script);
            if (Files.exists(file)) {
                file.toFile().setExecutable(true);
            }
        }
        Files.writeString(home.resolve("etc/users.properties"), USER + " = " + PASSWORD + ",_g_:admingroup\n"
                + "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh\n"
                + VIEWER + " = " + VIEWER_PASSWORD + ",viewer\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        int ssh = freePort();
        setProperties(home.resolve("etc/org.apache.karaf.shell.cfg"),
                Map.of("sshHost", "127.0.0.1", "sshPort", String.valueOf(ssh)));
        setProperties(home.resolve("etc/org.apache.karaf.management.cfg"),
                Map.of("rmiRegistryHost", "127.0.0.1", "rmiRegistryPort", String.valueOf(freePort()),
                        "rmiServerHost", "127.0.0.1", "rmiServerPort", String.valueOf(freePort())));
        int http = freePort();
        // Pax Web's configuration; the http feature keeps an existing one.
        Files.writeString(home.resolve("etc/org.ops4j.pax.web.cfg"), "org.osgi.service.http.port = " + http
                + "\norg.ops4j.pax.web.listening.addresses = 127.0.0.1\n", StandardCharsets.UTF_8);
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                .directory(home.toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return new KarafProcess(home, ssh, http, builder.start());
    }

    /**
     * Runs shell commands in one session through {@code bin/client}, retrying
     * the connection until the console is up.
     *
     * @return what the commands printed
     * @throws AssertionError when the client fails or a command reports an error
     */
    String execute(String... commands) throws IOException, InterruptedException {
        return execute(DEADLINE, commands);
    }

    /**
     * Runs shell commands as {@link #execute(String...)} does, within {@code limit}.
     *
     * @throws AssertionError also when they take longer: the client is killed then
     */
    String execute(Duration limit, String... commands) throws IOException, InterruptedException {
        awaitShell();
        return run(limit, commands);
    }

    /**
     * Before the first command: waits until the shell answers a harmless one.
     * While Karaf installs its boot features, its SSH server can accept a
     * session and then drop it ("[ssh-connection]: Failed ... Broken pipe"),
     * and a command sent then may or may not have run.
     */
    private void awaitShell() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!shellAnswered) {
            String printed;
            try {
                printed = run(DEADLINE, "shell:echo shell-ready");
                shellAnswered = printed.lines().anyMatch("shell-ready"::equals);
            } catch (AssertionError e) {
                printed = e.getMessage();
            }
            if (!shellAnswered) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("Karaf's shell did not answer within " + DEADLINE.toSeconds() + " s:\n"
                            + printed);
                }
                Thread.sleep(SHELL_RETRY_MILLIS);
            }
        }
    }

    private String run(Duration limit, String... commands) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/client").toString(), "-a",
                String.valueOf(sshPort), "-h", "127.0.0.1", "-u", USER, "-p", PASSWORD, "-r", "120", "-d", "1",
                "-b").redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // Into a file, so that a hanging command cannot block the reading of its output past the limit.
        Path printedFile = Files.createTempFile(home, "client", ".out");
        builder.redirectOutput(printedFile.toFile());
        Process client = builder.start();
        client.getOutputStream().write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
        client.getOutputStream().close();
        boolean finished = client.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            client.descendants().forEach(ProcessHandle::destroyForcibly);
            client.destroyForcibly();
            client.waitFor();
        }
        String printed = Files.readString(printedFile, StandardCharsets.UTF_8);
        Files.delete(printedFile);
        if (!finished) {
            throw new AssertionError("not finished within " + limit.toSeconds() + " s: " + String.join("; ", commands)
                    + "\n" + printed + "\nKaraf log:\n" + log());
        }
        if (client.exitValue() != 0 || printed.contains("Error executing command")
                || printed.contains("Command not found")) {
            throw new AssertionError("Karaf refused " + String.join("; ", commands) + " (exit " + client.exitValue()
                    + "):\n" + printed + "\nKaraf log:\n" + log());
        }
        return printed;
    }

    /**
     * Installs features with one {@code feature:install} command, which must
     * finish within {@link #INSTALL_LIMIT}.
     */
    void install(String features) throws IOException, InterruptedException {
        // Verbose: the report then shows which bundles Karaf installed and refreshed.
        System.out.println(execute(INSTALL_LIMIT, "feature:install -v " + features));
    }

    /** Uninstalls a feature, within {@link #INSTALL_LIMIT}. */
    void uninstall(String feature) throws IOException, InterruptedException {
        System.out.println(execute(INSTALL_LIMIT, "feature:uninstall -v " + feature));
    }

    /** Karaf's HTTP root once the {@code http} feature runs, such as {@code http://127.0.0.1:8181}. */
    String baseUri() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** Karaf's log file, for failure messages. */
    String log() {
        try {
            Path log = home.resolve("data/log/karaf.log");
            return Files.exists(log) ? Files.readString(log) : "(no data/log/karaf.log)\n" + output();
        } catch (IOException e) {
            return "(cannot read the log: " + e + ")";
        }
    }

    private String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    /** Stops Karaf through its shell and waits for it to exit; kills it if it does not. */
    @Override
    public void close() throws IOException {
        try {
            if (process.isAlive()) {
                execute("system:shutdown -f");
            }
            if (process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (AssertionError e) {
            // The shell is already gone: kill what is left below.
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void collectOutput() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
            }
        } catch (IOException e) {
            synchronized (output) {
                output.add("(reading Karaf's output failed: " + e + ")");
            }
        }
    }

    /** Sets {@code key = value} lines in a Karaf .cfg file, replacing existing (also commented-out) ones. */
    private static void setProperties(Path cfg, Map<String, String> values) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(cfg, StandardCharsets.UTF_8));
        lines.removeIf(line -> values.keySet().stream().anyMatch(
                key -> line.matches("\\s*#?\\s*" + key + "\\s*=.*")));
        values.forEach((key, value) -> lines.add(key + " = " + value));
        Files.write(cfg, lines, StandardCharsets.UTF_8);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
