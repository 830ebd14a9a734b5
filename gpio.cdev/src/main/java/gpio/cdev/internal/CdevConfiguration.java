// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import gpio.api.Bias;
import gpio.api.Drive;

/** The configuration of one Linux GPIO chip controller (factory PID {@value CdevComponent#FACTORY_PID}). */
@ObjectClassDefinition(
        id = CdevComponent.FACTORY_PID,
        name = "GPIO controller: Linux GPIO chip",
        description = "Serves the lines of a GPIO chip of this machine (Linux GPIO character device, uAPI v2) "
                + "as a GpioController service with gpio.backend=cdev.")
@interface CdevConfiguration {

    @AttributeDefinition(name = "Chip",
            description = "The GPIO chip: a device path such as /dev/gpiochip0, a kernel name such as gpiochip0, "
                    + "or the chip's label as gpioinfo shows it (a label survives renumbering of the chips).")
    String chip() default "/dev/gpiochip0";

    @AttributeDefinition(name = "Line offsets",
            description = "The chip lines to serve, in order: controller line i is chip line offsets[i]. "
                    + "Empty (the default) serves every line of the chip under its own offset. "
                    + "Each offset at most once, from 0 to the chip's last line.",
            required = false, cardinality = 1024)
    // Text, not int[]: a browser posts the form's empty field as "", which the web console
    // stores as is for a number list and DS then cannot convert; empty entries are skipped.
    String[] offsets() default {};

    @AttributeDefinition(name = "Consumer name",
            description = "The consumer name the kernel shows (for example in gpioinfo) for lines this controller "
                    + "holds; a consumer's own name is appended after a colon. At most 31 bytes are kept.")
    String consumer() default "vgpio";

    @AttributeDefinition(name = "Label",
            description = "The controller's label, published as the gpio.label service property; unique among all "
                    + "controllers: 1 to 64 characters among letters, digits, '.', '_' and '-', starting with a "
                    + "letter or digit. Empty (the default) uses the chip's label.",
            required = false)
    String gpio_label() default "";

    @AttributeDefinition(name = "Default bias",
            description = "The pull applied to lines whose consumer leaves it as is (AS_IS keeps the hardware's).")
    Bias bias() default Bias.AS_IS;

    @AttributeDefinition(name = "Default drive",
            description = "How outputs that their consumer requests as push-pull are driven "
                    + "(OPEN_DRAIN or OPEN_SOURCE for lines wired so).")
    Drive drive() default Drive.PUSH_PULL;

    @AttributeDefinition(name = "Active low",
            description = "Inverts every line: active is the low level. For boards whose lines are wired inverted.")
    boolean active_low() default false;

    @AttributeDefinition(name = "Default debounce (microseconds)",
            description = "Debounce period applied to inputs whose consumer asks for none; 0 (the default) for none, "
                    + "below one hour.", min = "0", max = "3599999999")
    long debounce_us() default 0;
}
