// SPDX-License-Identifier: Apache-2.0
/**
 * The service provider interface between the vhost-user transport and the
 * virtio devices it serves.
 *
 * <p>A device bundle implements {@link gpio.vhostuser.VirtioDevice} and asks the
 * {@link gpio.vhostuser.VhostUserTransport} service to open an
 * {@link gpio.vhostuser.Endpoint} on a Unix socket path; a vhost-user frontend
 * (QEMU) connects there, and the transport hands the device the
 * {@link gpio.vhostuser.DescriptorChain}s the guest makes available. The
 * transport knows nothing of what the device does.
 */
@Export
@Version("1.4.0")
package gpio.vhostuser;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
