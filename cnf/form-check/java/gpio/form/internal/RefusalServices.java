// SPDX-License-Identifier: Apache-2.0
package gpio.form.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The {@link Refusals} of one bundle's components: each standing refusal is a
 * {@link Refusal} service of this bundle, registered when the instance is
 * refused, replaced by a later refusal, and withdrawn when its component
 * accepts the instance or the instance is deleted. A component that was refused
 * at activation never runs, so the deletion is learnt from ConfigurationAdmin.
 *
 * <p>The refusals are held here, not by the components, because a component
 * refused at activation does not exist; and they are services so that they
 * come and go with this bundle, whatever the order in which bundles start.
 */
@Component(service = {Refusals.class, ConfigurationListener.class})
public final class RefusalServices implements Refusals, ConfigurationListener {

    private final BundleContext context;
    // Guarded by itself; by PID.
    private final Map<String, ServiceRegistration<?>> standing = new HashMap<>();

    /**
     * Refusals published through {@code context}.
     *
     * @param context the bundle's context
     */
    @Activate
    public RefusalServices(BundleContext context) {
        this.context = context;
    }

    @Override
    public void refused(Map<String, ?> component, String message, boolean previousRunning) {
        String pid = pid(component);
        if (pid == null) {
            return;
        }
        Object factoryPid = component.get("service.factoryPid");
        Refusal refusal = new Refusal(pid, factoryPid == null ? null : factoryPid.toString(), message,
                previousRunning, Instant.now());
        synchronized (standing) {
            ServiceRegistration<?> registration = standing.get(pid);
            if (registration == null) {
                // The properties carry the refusal (see Refusal); the object only stands for the registration.
                standing.put(pid, context.registerService(Refusal.class.getName(), refusal,
                        refusal.serviceProperties()));
            } else {
                registration.setProperties(refusal.serviceProperties());
            }
        }
    }

    @Override
    public void accepted(Map<String, ?> component) {
        withdraw(pid(component));
    }

    @Override
    public void stopped(Map<String, ?> component) {
        String pid = pid(component);
        synchronized (standing) {
            ServiceRegistration<?> registration = standing.get(pid);
            if (registration != null) {
                Refusal was = Refusal.of(registration.getReference());
                registration.setProperties(new Refusal(was.pid(), was.factoryPid(), was.message(), false,
                        was.refusedAt()).serviceProperties());
            }
        }
    }

    /** Withdraws the refusal of a deleted instance. */
    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getType() == ConfigurationEvent.CM_DELETED) {
            withdraw(event.getPid());
        }
    }

    /** Withdraws every refusal of this bundle. */
    @Deactivate
    void deactivate() {
        List<ServiceRegistration<?>> all;
        synchronized (standing) {
            all = new ArrayList<>(standing.values());
            standing.clear();
        }
        all.forEach(ServiceRegistration::unregister);
    }

    private void withdraw(String pid) {
        ServiceRegistration<?> registration;
        synchronized (standing) {
            registration = standing.remove(pid);
        }
        if (registration != null) {
            registration.unregister();
        }
    }

    private static String pid(Map<String, ?> component) {
        Object pid = component.get("service.pid");
        return pid == null ? null : pid.toString();
    }
}
