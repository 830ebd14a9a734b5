// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The open file descriptors of this process, from /proc/self/fd, for leak tests. */
final class OpenFds {

    private OpenFds() {
    }

    /** How many fds are open. */
    static int count() {
        return list().size();
    }

    /** Every open fd and what it is (the target of its /proc link). */
    static Map<String, String> list() {
        Map<String, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            entries.forEach(fd -> {
                try {
                    fds.put(fd.getFileName().toString(), Files.readSymbolicLink(fd).toString());
                } catch (IOException e) {
                    // Closed while listing (the listing's own fd, for one).
                }
            });
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return fds;
    }
}
