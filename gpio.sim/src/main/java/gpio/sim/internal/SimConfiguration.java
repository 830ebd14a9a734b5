// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The configuration of one simulated chip (factory PID {@value SimComponent#PID}). */
@ObjectClassDefinition(
        name = "GPIO simulator",
        description = "A simulated GPIO chip whose inputs tests and operators drive from outside;"
                + " every level change is recorded.")
@interface SimConfiguration {

    @AttributeDefinition(
            name = "Label",
            description = "The chip's label, unique among all GPIO controllers (service property gpio.label):"
                    + " 1 to 64 characters among letters, digits, '.', '_' and '-', starting with a letter or digit.")
    String label();

    @AttributeDefinition(
            name = "Number of lines",
            description = "How many lines the chip has, offsets 0 to count-1: 1 to 1024. Default 8."
                    + " Changing it replaces the chip: lines in use are released.",
            min = "1", max = "1024")
    int line_count() default 8;

    @AttributeDefinition(
            name = "Line names",
            description = "Names of the lines from offset 0 on; at most one per line, lines beyond have none."
                    + " Each name is unique, at most 31 printable 7-bit ASCII characters; an empty entry means"
                    + " no name. Can be changed while lines are in use.",
            required = false, cardinality = 1024)
    String[] line_names() default {};

    @AttributeDefinition(
            name = "Line pulls",
            description = "The pull of each line from offset 0 on, 'up' or 'down'; lines beyond are pulled down."
                    + " A line nobody drives from outside sits at its pull (unless its consumer requests one).",
            required = false, cardinality = 1024)
    String[] line_pulls() default {};

    @AttributeDefinition(
            name = "Latency (microseconds)",
            description = "Delay added to every consumer operation (request, read, write, reconfigure, watch),"
                    + " as a slow bus would: 0 (default, none) to 59999999 microseconds.",
            type = AttributeType.INTEGER, min = "0", max = "59999999")
    int latency_us() default 0;

    @AttributeDefinition(
            name = "Recording limit",
            description = "How many level changes the recording keeps; older ones are dropped: 1 to 10000000."
                    + " Default 100000.",
            min = "1", max = "10000000")
    int recording_limit() default 100_000;
}
