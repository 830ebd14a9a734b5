// SPDX-License-Identifier: Apache-2.0
package gpio.itest.internal;

/** The QEMU command line that attaches a guest to a virtio-gpio device's socket. */
final class QemuCommand {

    private QemuCommand() {
    }

    /**
     * A complete command line for a guest with 1 GiB of shared memory (vhost-user
     * needs the guest memory in a shareable memfd) and the device on its PCI bus;
     * the caller appends the guest's own disk or kernel options.
     *
     * @param socketPath the device's socket
     * @return the command line
     */
    static String forSocket(String socketPath) {
        return "qemu-system-x86_64 -machine q35 -m 1G"
                + " -object memory-backend-memfd,id=mem,size=1G,share=on -numa node,memdev=mem"
                + " -chardev socket,id=vgpio,path=" + socketPath
                + " -device vhost-user-gpio-pci,chardev=vgpio,id=gpio0"
                + " <your guest's -kernel/-drive options>";
    }
}
