// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser;

/**
 * Where a split virtqueue lies in the frontend's address space and how far
 * the device has got in it. A frontend that reconnects to a backend which
 * restarted (QEMU's {@code reconnect} chardev option) starts the guest's
 * unchanged rings again, at the used index it reads in guest memory; a guest
 * that rebooted meanwhile has new rings whose used index starts at 0. Comparing
 * positions lets a device tell the two apart.
 *
 * @param size the number of descriptors
 * @param descriptorTable the descriptor table's address, as SET_VRING_ADDR gave it
 * @param availableRing the available ring's address, as SET_VRING_ADDR gave it
 * @param usedRing the used ring's address, as SET_VRING_ADDR gave it
 * @param nextAvailable the index of the next available entry the device takes
 * @param used the used index in guest memory: how many buffers the device returned, modulo 2^16
 * @since 1.2
 */
public record RingPosition(int size, long descriptorTable, long availableRing, long usedRing, int nextAvailable,
        int used) {
}
