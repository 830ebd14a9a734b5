// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A device served on a socket path, returned by {@link VhostUserTransport#open}.
 *
 * <p>Implemented by the transport. Thread-safe.
 */
@ProviderType
public interface Endpoint extends AutoCloseable {

    /**
     * The socket path the endpoint listens on now.
     *
     * @return the path
     */
    Path socketPath();

    /**
     * Whether a frontend is connected now.
     *
     * @return {@code true} while a frontend is connected
     */
    boolean connected();

    /**
     * The virtio features the current frontend negotiated.
     *
     * @return the feature bits, 0 when no frontend has set them
     */
    long negotiatedFeatures();

    /**
     * Listens on a new path instead of the current one, whose socket file is
     * removed. A connected frontend stays connected; the next one must use the
     * new path.
     *
     * @param newPath the new socket path, as for {@link VhostUserTransport#open}
     * @param mode the permissions of the new socket file
     * @throws IOException when the new socket cannot be created; the endpoint
     *         then keeps listening on the old path
     */
    void moveTo(Path newPath, Set<PosixFilePermission> mode) throws IOException;

    /**
     * Disconnects any frontend, resets the device, stops listening and removes
     * the socket file. Idempotent; never fails.
     */
    @Override
    void close();
}
