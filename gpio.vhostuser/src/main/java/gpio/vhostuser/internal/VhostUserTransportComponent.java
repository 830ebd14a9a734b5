// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import gpio.vhostuser.Endpoint;
import gpio.vhostuser.VhostUserTransport;
import gpio.vhostuser.VirtioDevice;

/**
 * The {@link VhostUserTransport} service. Each {@link #open} starts one endpoint
 * with its own thread (see {@link VhostUserEndpoint}); deactivation closes every
 * endpoint still open.
 */
@Component(service = VhostUserTransport.class, immediate = true)
public final class VhostUserTransportComponent implements VhostUserTransport {

    private final List<VhostUserEndpoint> endpoints = new CopyOnWriteArrayList<>();

    @Override
    public Endpoint open(Path socketPath, Set<PosixFilePermission> mode, VirtioDevice device) throws IOException {
        Objects.requireNonNull(socketPath, "socketPath");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(device, "device");
        VhostUserEndpoint endpoint = VhostUserEndpoint.open(socketPath, mode, device, endpoints::remove);
        endpoints.add(endpoint);
        return endpoint;
    }

    /** Closes every endpoint this service opened. */
    @Deactivate
    public void close() {
        for (VhostUserEndpoint endpoint : endpoints) {
            endpoint.close();
        }
    }
}
