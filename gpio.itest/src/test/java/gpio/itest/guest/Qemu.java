// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import java.util.List;
import java.util.function.Supplier;

/** The QEMU builds a test guest runs under. */
enum Qemu {

    /**
     * Debian 12's own {@code qemu-system-x86} (7.2) from the PATH: it runs the
     * device but never offers VIRTIO_GPIO_F_IRQ to the guest, so no gpiomon.
     */
    STOCK_7_2(() -> List.of("qemu-system-x86_64")),

    /** QEMU 10.0 from Debian 12's bookworm-backports, unpacked privately: interrupts work. */
    BACKPORTS_10_0(GuestTools::qemu10);

    private final Supplier<List<String>> command;

    Qemu(Supplier<List<String>> command) {
        this.command = command;
    }

    /**
     * The executable and the options that make it find its firmware.
     *
     * @return the start of a QEMU command line
     */
    List<String> command() {
        return command.get();
    }
}
