// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The configuration of one virtio-gpio device (factory PID {@code gpio.virtio}). */
@ObjectClassDefinition(name = "virtio-gpio device",
        description = "Serves the lines of one GPIO controller to a virtual machine as a virtio-gpio device,"
                + " over a vhost-user socket that QEMU connects to (vhost-user-gpio-pci). One configuration per"
                + " device; each needs its own socket path.")
@interface VirtioGpioConfiguration {

    /**
     * Property {@code socket.path}.
     *
     * @return the socket path
     */
    @AttributeDefinition(name = "Socket path",
            description = "Absolute path of the vhost-user Unix socket that QEMU connects to"
                    + " (-chardev socket,path=...). Its directory must exist; a stale socket file is replaced."
                    + " Changing it moves the device to the new path; a connected guest stays connected.")
    String socket_path();

    /**
     * Property {@code socket.mode}.
     *
     * @return the permissions
     */
    @AttributeDefinition(name = "Socket mode",
            description = "Permissions of the socket file as nine characters the way ls shows them,"
                    + " for example rw-rw---- to let the group connect. Default rw------- (only the gateway's user).")
    String socket_mode() default "rw-------";

    /**
     * Property {@code controller.target}: the target of the {@code controller} reference.
     *
     * @return an LDAP filter
     */
    @AttributeDefinition(name = "GPIO controller",
            description = "LDAP filter choosing the GPIO controller to serve, on its service properties gpio.label"
                    + " (unique per controller) or gpio.backend (sim, cdev), for example (gpio.label=sim0)."
                    + " Changing it swaps the controller under a running guest: the lines keep the direction,"
                    + " value and interrupt settings the guest gave them. While no controller matches, the guest"
                    + " gets an error for every line request. Default: any controller.")
    String controller_target() default "(gpio.label=*)";

    /**
     * Property {@code lines}.
     *
     * @return the line selection
     */
    @AttributeDefinition(name = "Lines", required = false,
            description = "Which controller lines the guest sees, as offsets and ranges, for example 0-7,12;"
                    + " the guest numbers them from 0 in ascending order (here 0-7 and 8 for line 12)."
                    + " Empty (the default): every line of the controller first bound.")
    String lines() default "";

    /**
     * Property {@code line.names}.
     *
     * @return name overrides
     */
    @AttributeDefinition(name = "Line names", required = false,
            description = "Names shown to the guest instead of the controller's, one entry per line as"
                    + " offset=name with the controller offset, for example 3=LED. Names must be 7-bit ASCII"
                    + " and unique. Controller names that are not ASCII or repeat another are left out.")
    String[] line_names() default {};

    /**
     * Property {@code consumer}.
     *
     * @return the consumer name
     */
    @AttributeDefinition(name = "Consumer name",
            description = "The consumer the device requests lines under, as the host's gpioinfo shows it."
                    + " Default virtio-gpio.")
    String consumer() default "virtio-gpio";

    /**
     * Property {@code interrupts}.
     *
     * @return whether interrupts are offered
     */
    @AttributeDefinition(name = "Interrupts",
            description = "Offer interrupts (VIRTIO_GPIO_F_IRQ) to the guest: edge and level interrupts, used by"
                    + " gpiomon. Needs QEMU 9.0 or newer. Default on.")
    boolean interrupts() default true;

    /**
     * Property {@code request.timeout.ms}.
     *
     * @return the timeout in milliseconds
     */
    @AttributeDefinition(name = "Request timeout (ms)", min = "100", max = "600000",
            description = "How long a request may wait for its answer, in milliseconds (100 to 600000), counted from"
                    + " its arrival (waiting for a worker or behind the line's earlier messages included), before the"
                    + " guest gets an error for it: the Linux driver waits for ever. Default 5000.")
    int request_timeout_ms() default 5000;

    /**
     * Property {@code worker.threads}.
     *
     * @return the number of worker threads
     */
    @AttributeDefinition(name = "Worker threads", min = "1", max = "64",
            description = "Threads that carry out controller calls for this device (1 to 64); requests for"
                    + " different lines run in parallel up to this number. Default 2.")
    int worker_threads() default 2;
}
