// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The vhost-user transport service: serves virtio devices to vhost-user
 * frontends on Unix sockets.
 *
 * <p>Implemented by the transport bundle; device components call it.
 * Thread-safe.
 */
@ProviderType
public interface VhostUserTransport {

    /**
     * Listens on {@code socketPath} for one frontend at a time and serves
     * {@code device} to it; after a frontend disconnects, resets the device and
     * waits for the next one on the same path.
     *
     * @param socketPath where to create the socket; a stale socket file there is
     *        replaced; its parent directory must exist
     * @param mode the permissions of the socket file, for example {@code rw-------}
     * @param device the device to serve
     * @return the open endpoint; close it to stop serving and remove the socket
     * @throws IOException when the socket cannot be created, with a message
     *         naming the path and the reason
     */
    Endpoint open(Path socketPath, Set<PosixFilePermission> mode, VirtioDevice device) throws IOException;
}
