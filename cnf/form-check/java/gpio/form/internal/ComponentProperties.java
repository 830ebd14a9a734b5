// SPDX-License-Identifier: Apache-2.0
package gpio.form.internal;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Collection;
import java.util.Dictionary;
import java.util.List;
import java.util.Locale;

/**
 * Reads configuration properties as DS hands them to a component through its
 * component property type: each method reads its property ({@code line_count}
 * reads {@code line.count}) or returns its default, converted the way DS
 * converts (a single value where an array is expected becomes one element, the
 * first element of an array where a single value is expected, text to numbers,
 * booleans and enum constants). A value that cannot be converted is an
 * {@link IllegalArgumentException} naming the property.
 */
public final class ComponentProperties {

    private ComponentProperties() {
    }

    /**
     * The properties seen through a component property type.
     *
     * @param <T> the component property type
     * @param type the component property type (an annotation)
     * @param properties the configuration properties
     * @return a view whose methods convert on each call
     */
    public static <T> T as(Class<T> type, Dictionary<String, ?> properties) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> value(method, properties.get(property(method)))));
    }

    private static String property(Method method) {
        return method.getName().replace('_', '.');
    }

    private static Object value(Method method, Object raw) {
        Class<?> type = method.getReturnType();
        if (type.isArray()) {
            if (raw == null) {
                return method.getDefaultValue();
            }
            List<?> given = elements(raw);
            Object array = Array.newInstance(type.getComponentType(), given.size());
            for (int i = 0; i < given.size(); i++) {
                Array.set(array, i, convert(method, type.getComponentType(), given.get(i)));
            }
            return array;
        }
        Object single = raw == null ? null : elements(raw).stream().findFirst().orElse(null);
        return single == null ? method.getDefaultValue() : convert(method, type, single);
    }

    private static List<?> elements(Object raw) {
        if (raw instanceof Collection<?> collection) {
            return List.copyOf(collection);
        }
        if (raw.getClass().isArray()) {
            Object[] boxed = new Object[Array.getLength(raw)];
            Arrays.setAll(boxed, i -> Array.get(raw, i));
            return Arrays.asList(boxed);
        }
        return List.of(raw);
    }

    private static Object convert(Method method, Class<?> type, Object single) {
        if (type == String.class) {
            return single.toString();
        }
        if (type == boolean.class) {
            return single instanceof Boolean ? single : Boolean.parseBoolean(single.toString().trim());
        }
        if (type == int.class || type == long.class) {
            long number = wholeNumber(method, single);
            if (type == long.class) {
                return number;
            }
            if (number != (int) number) {
                throw new IllegalArgumentException(property(method) + " " + number + " is too large");
            }
            return (int) number;
        }
        if (type.isEnum()) {
            String name = single.toString().trim();
            for (Object constant : type.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(name)) {
                    return constant;
                }
            }
            throw new IllegalArgumentException(property(method) + " \"" + single + "\" is not one of "
                    + Arrays.toString(type.getEnumConstants()));
        }
        throw new IllegalStateException("no conversion to " + type + " for " + property(method));
    }

    private static long wholeNumber(Method method, Object single) {
        if (single instanceof Number number) {
            return number.longValue();
        }
        try {
            return Long.parseLong(single.toString().trim().toLowerCase(Locale.ROOT));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property(method) + " \"" + single + "\" is not a whole number", e);
        }
    }
}
