// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The real gateway: {@code java -jar gateway.jar} as a child process, with its
 * output collected so a test can wait for a line and show everything on failure.
 */
public final class GatewayProcess implements AutoCloseable {

    public static final Duration START_DEADLINE = Duration.ofSeconds(60);

    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final int httpPort;
    private final HttpClient http = HttpClient.newHttpClient();

    private GatewayProcess(Process process, int httpPort) {
        this.process = process;
        this.httpPort = httpPort;
        Thread reader = new Thread(this::collectOutput, "gateway-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the gateway jar with its data in {@code dataDir} and HTTP on a free port. */
    public static GatewayProcess start(Path dataDir) throws IOException {
        String jar = System.getProperty("gateway.jar");
        if (jar == null) {
            throw new IllegalStateException("system property gateway.jar is not set: run the tests with mvn verify");
        }
        int port = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Dgpio.data=" + dataDir,
                "-Dorg.osgi.service.http.port=" + port, "-jar", jar).redirectErrorStream(true);
        return new GatewayProcess(builder.start(), port);
    }

    /** Waits for an output line matching {@code condition}; fails with the whole output otherwise. */
    public String awaitLine(Predicate<String> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (output) {
                for (String line : output) {
                    if (condition.test(line)) {
                        return line;
                    }
                }
                if (!process.isAlive()) {
                    break;
                }
                output.wait(100);
            }
        }
        throw new AssertionError("gateway did not print " + what + "; its output:\n" + output());
    }

    /** The gateway's process id, to look at what it holds in {@code /proc}. */
    public long pid() {
        return process.pid();
    }

    /** Types a command into the gateway's Gogo shell, which reads its standard input. */
    public void shell(String command) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** A GET with the default web console credentials; waits until HTTP is up. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** A PUT of a plain text body with the default web console credentials; waits until HTTP is up. */
    public HttpResponse<String> put(String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    /**
     * Waits until the web console's configuration page offers the form of
     * {@code factoryPid}: only then does a POST to it reach ConfigAdmin.
     */
    public void awaitConfigurationForm(String factoryPid) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        HttpResponse<String> page;
        do {
            page = get("/system/console/configMgr");
            if (page.statusCode() == 200 && page.body().contains("\"id\":\"" + factoryPid + "\"")) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the web console offers no " + factoryPid + " form; last page (HTTP "
                + page.statusCode() + "):\n" + page.body() + "\ngateway output:\n" + output());
    }

    /** A form POST with the default web console credentials. */
    public HttpResponse<String> postForm(String path, Map<String, String> form) throws IOException, InterruptedException {
        String body = form.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /**
     * Sends SIGTERM and checks the gateway stopped every bundle and exited with
     * the JVM's code for SIGTERM (143).
     */
    public void stopCleanly() throws InterruptedException {
        // Through the handle: Process.destroy() would also close the output we still read.
        process.toHandle().destroy();
        if (!process.waitFor(START_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("gateway did not stop within " + START_DEADLINE.toSeconds()
                    + " s of SIGTERM; its output:\n" + output());
        }
        awaitLine(line -> line.equals("Gateway stopped."), "that it stopped its bundles");
        if (process.exitValue() != 143) {
            throw new AssertionError("gateway exited with " + process.exitValue() + "; its output:\n" + output());
        }
    }

    /** The gateway's HTTP root, such as {@code http://127.0.0.1:8080}. */
    public String baseUri() {
        return "http://127.0.0.1:" + httpPort;
    }

    public String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        String credentials = Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8));
        request.header("Authorization", "Basic " + credentials).timeout(Duration.ofSeconds(10));
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        boolean retried = false;
        while (true) {
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (!notServedYet(response)) {
                    return response;
                }
                if (System.nanoTime() > deadline) {
                    return response;
                }
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new AssertionError("web console not reachable; gateway output:\n" + output(), e);
                }
            } catch (IOException e) {
                // A kept-alive connection the server closed just as the request went out ("header parser
                // received no bytes"): sent again once on a new connection, for GET and PUT, which may repeat.
                String method = request.build().method();
                if (retried || !(method.equals("GET") || method.equals("PUT"))) {
                    throw e;
                }
                retried = true;
            }
            Thread.sleep(100);
        }
    }

    /**
     * Whether the answer comes from a server still starting: 503, Jetty's own 404
     * page for a servlet not registered yet (a 404 from the GPIO API itself is
     * JSON and is a real answer), or Felix HTTP's 500 "Servlet has been
     * unregistered": while it starts, Felix's web console unregisters and
     * registers its servlets again, and a request caught in that window is
     * refused before any servlet code runs, so sending it again is safe for any
     * method.
     */
    private static boolean notServedYet(HttpResponse<String> response) {
        boolean json = response.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
        return response.statusCode() == 503 || (response.statusCode() == 404 && !json)
                || (response.statusCode() == 500 && response.body().contains("has been unregistered"));
    }

    private URI uri(String path) {
        return URI.create(baseUri() + path);
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void collectOutput() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                    output.notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (output) {
                output.add("(reading the gateway's output failed: " + e + ")");
                output.notifyAll();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
