// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

/** A system call failed with an errno. */
public final class ErrnoException extends Exception {

    private static final long serialVersionUID = 1L;

    /** {@code EPERM}. */
    public static final int EPERM = 1;
    /** {@code ENOENT}. */
    public static final int ENOENT = 2;
    /** {@code EINTR}. */
    public static final int EINTR = 4;
    /** {@code EIO}. */
    public static final int EIO = 5;
    /** {@code ENXIO}. */
    public static final int ENXIO = 6;
    /** {@code EAGAIN}. */
    public static final int EAGAIN = 11;
    /** {@code EACCES}. */
    public static final int EACCES = 13;
    /** {@code EBUSY}. */
    public static final int EBUSY = 16;
    /** {@code ENODEV}. */
    public static final int ENODEV = 19;
    /** {@code EINVAL}. */
    public static final int EINVAL = 22;
    /** {@code ENOTTY}: not a GPIO chip. */
    public static final int ENOTTY = 25;
    /** {@code EOPNOTSUPP}. */
    public static final int EOPNOTSUPP = 95;
    /** {@code ENOTSUPP}: the kernel-internal "not supported" some drivers leak to user space. */
    public static final int ENOTSUPP = 524;

    private final int errno;

    /**
     * @param call what was called, such as {@code ioctl(GET_LINE)}
     * @param errno the error number
     */
    public ErrnoException(String call, int errno) {
        super(call + " failed: " + name(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    /** @return the error number */
    public int errno() {
        return errno;
    }

    /**
     * The symbolic name of an error number.
     *
     * @param errno the error number
     * @return such as {@code EBUSY}, or {@code errno N} for one not listed here
     */
    public static String name(int errno) {
        switch (errno) {
            case EPERM: return "EPERM";
            case ENOENT: return "ENOENT";
            case EINTR: return "EINTR";
            case EIO: return "EIO";
            case ENXIO: return "ENXIO";
            case EAGAIN: return "EAGAIN";
            case EACCES: return "EACCES";
            case EBUSY: return "EBUSY";
            case ENODEV: return "ENODEV";
            case EINVAL: return "EINVAL";
            case ENOTTY: return "ENOTTY";
            case EOPNOTSUPP: return "EOPNOTSUPP";
            case ENOTSUPP: return "ENOTSUPP";
            default: return "errno " + errno;
        }
    }
}
