// SPDX-License-Identifier: Apache-2.0
package gpio.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type that sets the {@value GpioController#BACKEND_PROPERTY}
 * service property of a {@link GpioController} component, for example
 * {@code @GpioBackend("sim")}. As a single-element annotation, its name maps
 * to the property name {@code gpio.backend}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface GpioBackend {

    /**
     * The backend name.
     *
     * @return the name, such as {@code sim} or {@code cdev}
     */
    String value();
}
