// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The configuration of one virtio-gpio device (factory PID {@code gpio.virtio}). */
@ObjectClassDefinition(name = "virtio-gpio device",
        description = "Serves GPIO lines, of one controller or composed from several, to a virtual machine as a"
                + " virtio-gpio device, over a vhost-user socket that QEMU connects to (vhost-user-gpio-pci). One configuration per"
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
                    + " gets an error for every line request. Default: any controller. Not used when Lines names"
                    + " the controllers (label:offsets).")
    String controller_target() default "(gpio.label=*)";

    /**
     * Property {@code lines}.
     *
     * @return the line selection
     */
    @AttributeDefinition(name = "Lines", required = false,
            description = "Which controller lines the guest sees. Either offsets and ranges of the GPIO controller"
                    + " above, for example 0-7,12, numbered by the guest from 0 in ascending order (here 0-7 and 8"
                    + " for line 12); empty (the default): every line of the controller first bound. Or a chip"
                    + " composed of several controllers, every entry label:offset or label:first-last with the"
                    + " controller's gpio.label, for example sim0:0-3, board:5, board:7-8: the guest numbers them"
                    + " from 0 in the order given (here sim0's 0-3 are 0-3, board's 5 is 4, 7-8 are 5-6), each"
                    + " controller is bound by its label and may come, go or be replaced on its own. A line listed"
                    + " twice is refused.")
    String lines() default "";

    /**
     * Property {@code line.names}.
     *
     * @return name overrides
     */
    @AttributeDefinition(name = "Line names", required = false,
            description = "Names shown to the guest instead of the controller's, one entry per line as"
                    + " offset=name with the controller offset, for example 3=LED, or label:offset=name when Lines"
                    + " names controllers, for example board:5=RELAY. Names must be 7-bit ASCII and unique."
                    + " Controller names that are not ASCII or repeat another are left out.")
    String[] line_names() default {};

    /**
     * Property {@code lines.readonly}.
     *
     * @return the read-only lines
     */
    @AttributeDefinition(name = "Read-only lines", required = false,
            description = "Lines the guest may read and watch (interrupts) but never drive: SET_DIRECTION output"
                    + " and SET_VALUE are answered with an error (logged once per line). A comma-separated list of"
                    + " lines as in Lines (offsets and ranges, or label:offset and label:first-last when Lines"
                    + " names controllers) or names given in Line names, for example board:0-3, BUTTON4.")
    String lines_readonly() default "";

    /**
     * Property {@code safe.state}.
     *
     * @return the safe states
     */
    @AttributeDefinition(name = "Safe state", required = false,
            description = "What an output line is left at when the guest lets go of it unexpectedly (frontend"
                    + " disconnect, QEMU killed, device reset or guest reboot, the device stopped): release (the"
                    + " default: the line is released), hold (keeps driving the guest's last value), low or high"
                    + " (driven to that level). Entries line=state, several per entry separated by commas, the line"
                    + " as in Read-only lines, for example RELAY=low, board:7=high. Only lines the guest drives as"
                    + " outputs at that moment are concerned; a read-only line cannot have one. When the device"
                    + " stops, the level is set and the line then released.")
    String[] safe_state() default {};

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

    /**
     * Property {@code ring.poll.us}.
     *
     * @return the ring polling window in microseconds
     */
    @AttributeDefinition(name = "Ring polling (us)", min = "0", max = "1000",
            description = "After a request, the transport thread keeps watching the guest's rings for this many"
                    + " microseconds (0 to 1000) before it sleeps until the guest's next notification: requests"
                    + " arriving meanwhile are taken at once, without waking a thread, and the guest does not have"
                    + " to notify. Lowers latency for a guest sending request after request (bit-banging, a control"
                    + " loop), at the cost of one CPU kept busy for up to this long after every request. Changing it"
                    + " applies at once. Default 0: no polling.")
    int ring_poll_us() default 0;
}
