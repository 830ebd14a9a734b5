// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import static org.ops4j.pax.exam.CoreOptions.bootDelegationPackage;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.ops4j.pax.exam.Option;

/**
 * pax-exam options that start exactly the gateway's bundle set (the bundles
 * {@code cnf/gateway.bndrun} resolved, exported to {@code target/export/gateway})
 * in a fresh Felix framework, with its data directory in a new temporary folder.
 */
public final class GatewayOptions {

    private GatewayOptions() {
    }

    public static Option[] gatewayBundleSet(Path dataDir) {
        List<Option> options = new ArrayList<>();
        for (File jar : gatewayBundles()) {
            options.add(bundle(jar.toURI().toString()));
        }
        options.add(frameworkProperty("gpio.data").value(dataDir.toString()));
        options.add(frameworkProperty("felix.cm.dir").value(dataDir.resolve("config").toString()));
        options.add(frameworkProperty("org.apache.felix.http.host").value("127.0.0.1"));
        options.add(frameworkProperty("org.osgi.service.http.port").value(Integer.toString(freePort())));
        options.add(frameworkProperty("gosh.args").value("--nointeractive"));
        options.add(junitBundles());
        return options(options.toArray(Option[]::new));
    }

    /**
     * Lets test code inside the framework use the vhost-user test frontend
     * (package {@code gpio.vhostuser.frontend}, from the {@code gpio.vhostuser}
     * test-jar) straight from the test JVM's class path, by boot delegation
     * through the framework's class loader. The frontend, like QEMU, then shares
     * no class with the gateway's bundles (its own junixsocket and JNA, no
     * bundle's {@code gpio.*} package): nothing but the Unix socket lies between
     * it and the device. Works with the native container only (same JVM).
     */
    public static Option frontendFromTestClassPath() {
        return composite(bootDelegationPackage("gpio.vhostuser.frontend"),
                frameworkProperty("org.osgi.framework.bundle.parent").value("framework"));
    }

    public static Path newDataDir() {
        try {
            return Files.createTempDirectory("gpio-itest-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<File> gatewayBundles() {
        String dir = System.getProperty("gateway.bundles");
        if (dir == null) {
            throw new IllegalStateException("system property gateway.bundles is not set: run the tests with mvn verify");
        }
        try (Stream<Path> jars = Files.list(Path.of(dir))) {
            List<File> files = jars.filter(p -> p.toString().endsWith(".jar")).sorted().map(Path::toFile).toList();
            if (files.isEmpty()) {
                throw new IllegalStateException("no bundles in " + dir);
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
