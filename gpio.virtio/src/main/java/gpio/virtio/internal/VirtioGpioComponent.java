// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.ComponentConstants;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import gpio.api.GpioController;
import gpio.form.internal.Refusals;
import gpio.vhostuser.Endpoint;
import gpio.vhostuser.VhostUserTransport;

/**
 * One virtio-gpio device per factory configuration {@code gpio.virtio}: a
 * {@link GpioDevice} served on its own socket by the vhost-user transport, over
 * the GPIO controller chosen by {@code controller.target}.
 *
 * <p>The controller reference is dynamic, greedy and optional: SCR binds a
 * better or newly targeted controller before unbinding the old one, and the
 * device swaps between them without touching the frontend connection (see
 * {@link GpioDevice} for what happens to messages in flight and line state).
 * A change of {@code socket.path} or {@code socket.mode} is applied to the
 * running endpoint; a change of any other property restarts the device, which
 * disconnects the frontend.
 *
 * <p>A composed chip ({@code lines} naming controllers by label, see
 * {@link LineMap}) does not use the {@code controller} reference: the
 * {@code controllers} reference, dynamic and multiple, is offered every GPIO
 * controller, and each label of the chip is bound to the best one with that
 * {@code gpio.label} (highest {@code service.ranking}, then lowest
 * {@code service.id}, as SCR chooses), again whenever one comes, goes or is
 * relabelled. Each label swaps on its own, exactly like the single controller.
 *
 * <p>What the guest set on its lines outlives the device: when the connection
 * ends because the device stops (the gateway shuts down, a configuration change
 * restarts it), the component keeps it (in the bundle's data area in
 * {@code gpio.data}, per configuration) and gives it to the next device, which
 * restores it if the same guest comes back on the same rings (see
 * {@link GuestState}).
 *
 * <p>Values that are refused (or that cannot be served) are logged and
 * reported to {@link Refusals} for the GPIO page, with whether the last good
 * configuration still serves.
 */
@Component(name = "gpio.virtio", configurationPid = "gpio.virtio",
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = DeviceStatus.class, immediate = true)
@Designate(ocd = VirtioGpioConfiguration.class, factory = true)
public final class VirtioGpioComponent implements DeviceStatus {

    private static final Duration WATCHDOG_PERIOD = Duration.ofMillis(100);

    private final VhostUserTransport transport;
    /** Where what the guest had set is kept across gateway restarts; {@code null}: not kept. */
    private final Path savedGuestFile;
    private final Refusals refusals;
    // The component's properties at activation: they name the configuration instance for the refusals.
    private final Map<String, Object> instance;
    private final Object lock = new Object();
    // Guarded by lock.
    private DeviceSettings settings;
    private GpioController controller;
    /** Every GPIO controller with its service properties, for the labels of a composed chip. */
    private final Map<GpioController, Map<String, Object>> offered = new IdentityHashMap<>();
    private DeviceLog log;
    private GpioDevice device;
    private DeviceThreads threads;
    private Endpoint endpoint;

    /**
     * Takes a configuration from ConfigAdmin; the device starts in {@link #activate}.
     *
     * @param transport the vhost-user transport
     * @param config the configuration
     * @param context the bundle's context, for its data area
     * @param properties the component properties, for the configuration's PID
     * @param refusals where refused configurations are reported
     * @throws IllegalArgumentException when the configuration is invalid, saying what is wrong
     */
    @Activate
    public VirtioGpioComponent(@Reference(name = "transport") VhostUserTransport transport,
            VirtioGpioConfiguration config, BundleContext context, Map<String, Object> properties,
            @Reference(name = "refusals") Refusals refusals) {
        this(transport, config, savedGuestFile(context, properties), properties, refusals);
    }

    /**
     * A component keeping what the guest had set in {@code savedGuestFile}.
     *
     * @param transport the vhost-user transport
     * @param config the configuration
     * @param savedGuestFile where to keep it across restarts, {@code null} for nowhere
     * @param properties the component properties, which name the configuration instance
     * @param refusals where refused configurations are reported
     */
    VirtioGpioComponent(VhostUserTransport transport, VirtioGpioConfiguration config, Path savedGuestFile,
            Map<String, Object> properties, Refusals refusals) {
        this.transport = transport;
        this.refusals = refusals;
        this.instance = properties;
        this.settings = checked(config);
        this.savedGuestFile = savedGuestFile;
    }

    private static Path savedGuestFile(BundleContext context, Map<String, Object> properties) {
        Object pid = properties.get(Constants.SERVICE_PID);
        File data = context.getDataFile("guests");
        if (pid == null || data == null) {
            return null;
        }
        return data.toPath().resolve(pid.toString().replaceAll("[^A-Za-z0-9._~-]", "_") + ".properties");
    }

    /**
     * Opens the socket. SCR calls this after binding the controller (if one
     * matches), so a frontend that connects at once already sees the controller's
     * lines; opening the socket in the constructor let a fast guest read
     * {@code ngpio} 0 and get ERR for every line.
     *
     * @throws IOException when the socket cannot be created
     */
    @Activate
    void activate() throws IOException {
        try {
            synchronized (lock) {
                start(settings, takeSavedGuest());
            }
        } catch (IOException | RuntimeException e) {
            refusals.refused(instance, "cannot serve the device: " + e.getMessage(), false);
            throw e;
        }
        refusals.accepted(instance);
    }

    /** Reads what the guest had set when the gateway last stopped, and removes the file: it is kept in memory now. */
    private GuestState takeSavedGuest() {
        if (savedGuestFile == null) {
            return null;
        }
        Logger componentLog = System.getLogger("gpio.virtio");
        try {
            GuestState saved = GuestState.load(savedGuestFile);
            Files.deleteIfExists(savedGuestFile);
            if (saved != null) {
                componentLog.log(Level.INFO, "{0}: kept from the last run, restored if the same guest comes back on"
                        + " the same rings: {1}", settings.socketPath(), saved.describe());
            }
            return saved;
        } catch (IOException e) {
            componentLog.log(Level.WARNING, "{0}: what the guest had set when the gateway last stopped is not"
                    + " restored: {1}", settings.socketPath(), e.getMessage());
            return null;
        }
    }

    private DeviceSettings checked(VirtioGpioConfiguration config) {
        try {
            return DeviceSettings.from(config);
        } catch (IllegalArgumentException e) {
            System.getLogger("gpio.virtio").log(Level.ERROR, "virtio-gpio configuration refused: {0}",
                    e.getMessage());
            refusals.refused(instance, e.getMessage(), false);
            throw e;
        }
    }

    /**
     * Binds a controller; with a greedy reference, also a better one that
     * replaces the current one.
     *
     * @param next the controller
     */
    @Reference(name = "controller", service = GpioController.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unbindController")
    void bindController(GpioController next) {
        synchronized (lock) {
            controller = next;
            if (device != null && !composed()) {
                device.setController(next);
                announceController();
            }
        }
    }

    /**
     * Unbinds a controller; ignored unless it is the one in use (SCR binds a
     * replacement before unbinding the old one).
     *
     * @param gone the controller
     */
    void unbindController(GpioController gone) {
        synchronized (lock) {
            if (controller != gone) {
                return;
            }
            controller = null;
            if (device != null && !composed()) {
                device.setController(null);
                announceController();
            }
        }
    }

    /**
     * Offers a GPIO controller to the labels of a composed chip.
     *
     * @param offer the controller
     * @param properties its service properties
     */
    @Reference(name = "controllers", service = GpioController.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, updated = "updatedLabelled", unbind = "unbindLabelled")
    void bindLabelled(GpioController offer, Map<String, Object> properties) {
        synchronized (lock) {
            offered.put(offer, properties);
            bindLabels();
        }
    }

    /**
     * A controller's service properties changed (a simulator relabelled in place).
     *
     * @param offer the controller
     * @param properties its new service properties
     */
    void updatedLabelled(GpioController offer, Map<String, Object> properties) {
        bindLabelled(offer, properties);
    }

    /**
     * A controller went away.
     *
     * @param gone the controller
     * @param properties its service properties
     */
    void unbindLabelled(GpioController gone, Map<String, Object> properties) {
        synchronized (lock) {
            offered.remove(gone);
            bindLabels();
        }
    }

    /**
     * Applies a new configuration; an invalid one is refused and the device
     * keeps running as it was.
     *
     * @param config the configuration
     */
    @Modified
    void modified(VirtioGpioConfiguration config) {
        DeviceSettings next;
        try {
            next = DeviceSettings.from(config);
        } catch (IllegalArgumentException e) {
            log.event(Level.ERROR, "configuration change refused, device unchanged: " + e.getMessage());
            refusals.refused(instance, e.getMessage(), true);
            return;
        }
        String notApplied;
        boolean lastGoodRunning = true;
        synchronized (lock) {
            try {
                notApplied = reconfigure(next);
            } catch (IOException | RuntimeException e) {
                notApplied = "configuration change failed and the last good configuration could not be restarted"
                        + " either; the device is stopped: " + e.getMessage();
                lastGoodRunning = false;
                log.event(Level.ERROR, notApplied);
            }
        }
        // Reported outside the lock: a report registers a service, which calls other bundles' listeners.
        if (notApplied == null) {
            refusals.accepted(instance);
        } else {
            refusals.refused(instance, notApplied, lastGoodRunning);
        }
    }

    /**
     * Closes the endpoint (disconnecting any frontend) and stops the device's
     * threads; keeps what the guest had set for the next run, unless the
     * configuration was deleted.
     *
     * @param reason why SCR deactivates the component
     */
    @Deactivate
    void deactivate(int reason) {
        synchronized (lock) {
            keepForTheNextRun(stop(), reason);
        }
        refusals.stopped(instance);
    }

    private void keepForTheNextRun(GuestState left, int reason) {
        if (left == null || savedGuestFile == null
                || reason == ComponentConstants.DEACTIVATION_REASON_CONFIGURATION_DELETED) {
            return;
        }
        try {
            left.store(savedGuestFile);
            log.event(Level.INFO, "kept what the guest had set for the next run: " + left.describe());
        } catch (IOException e) {
            log.event(Level.WARNING, "could not keep what the guest had set for the next run: " + e);
        }
    }

    /**
     * The endpoint (for tests).
     *
     * @return the endpoint
     */
    Endpoint endpoint() {
        synchronized (lock) {
            return endpoint;
        }
    }

    @Override
    public Snapshot status() {
        synchronized (lock) {
            if (device == null) {
                // Deactivated while SCR still handed out the service.
                return new Snapshot(settings.socketPath().toString(), false, 0, "", 0,
                        new DeviceCounters().snapshot(), List.of(), List.of());
            }
            return new Snapshot(endpoint.socketPath().toString(), endpoint.connected(), endpoint.negotiatedFeatures(),
                    boundLabels(), device.lineCount(), device.counters().snapshot(), device.interruptLines(),
                    device.mapping());
        }
    }

    @Override
    public List<LineHistory> lineHistories() {
        synchronized (lock) {
            return device == null ? List.of() : device.histories();
        }
    }

    /**
     * Applies {@code next}.
     *
     * @return {@code null} when applied; otherwise why not, the last good configuration still serving
     * @throws IOException when the last good configuration could not be restarted either
     */
    private String reconfigure(DeviceSettings next) throws IOException {
        if (endpoint == null || !settings.sameDevice(next)) {
            return restart(next);
        }
        if (!next.socketPath().equals(settings.socketPath())) {
            try {
                endpoint.moveTo(next.socketPath(), next.socketMode());
            } catch (IOException e) {
                // The endpoint keeps listening on its old path.
                String notMoved = "configuration change not applied, the device still serves on "
                        + settings.socketPath() + ": " + e.getMessage();
                log.event(Level.ERROR, notMoved);
                return notMoved;
            }
            log.event(Level.INFO, "moved to " + next.socketPath());
        } else if (!next.socketMode().equals(settings.socketMode())) {
            Files.setPosixFilePermissions(next.socketPath(), next.socketMode());
        }
        device.pollRings(next.ringPoll());
        settings = next;
        return null;
    }

    /**
     * Replaces the device by one for {@code next}. Everything that can be checked
     * was checked before (see {@link DeviceSettings#from}); should the new device
     * still fail to start (a socket path that is too long, a file in the way), the
     * last good configuration is started again on its own socket, so that a refused
     * change never leaves the guest without a device.
     *
     * @return {@code null} when {@code next} serves; otherwise why not, the last good configuration serving again
     * @throws IOException when the last good configuration could not be restarted either
     */
    private String restart(DeviceSettings next) throws IOException {
        DeviceSettings lastGood = settings;
        if (endpoint != null) {
            log.event(Level.INFO, "restarting the device for the new configuration; the frontend must reconnect");
        }
        GuestState left = stop();
        try {
            start(next, left);
            return null;
        } catch (IOException | RuntimeException e) {
            start(lastGood, left);
            String notApplied = "configuration change not applied, the last good configuration serves again on "
                    + lastGood.socketPath() + ": " + e.getMessage();
            log.event(Level.ERROR, notApplied);
            return notApplied;
        }
    }

    private void start(DeviceSettings next, GuestState carried) throws IOException {
        DeviceLog deviceLog = new DeviceLog(next.socketPath().toString());
        GpioDevice[] created = new GpioDevice[1];
        DeviceThreads startedThreads = new DeviceThreads("gpio.virtio " + next.socketPath(), next.workerThreads(),
                () -> created[0].expireStuckRequests(System.nanoTime()), WATCHDOG_PERIOD, deviceLog);
        GpioDevice newDevice = new GpioDevice(next.options(), startedThreads, deviceLog);
        created[0] = newDevice;
        newDevice.pollRings(next.ringPoll());
        if (next.options().lineMap().composed()) {
            bindLabels(newDevice, next.options().lineMap());
        } else {
            newDevice.setController(controller);
        }
        newDevice.carryOver(carried);
        try {
            endpoint = transport.open(next.socketPath(), next.socketMode(), newDevice);
        } catch (IOException | RuntimeException e) {
            startedThreads.close();
            deviceLog.event(Level.ERROR, "cannot serve the device: " + e.getMessage());
            throw e;
        }
        settings = next;
        log = deviceLog;
        device = newDevice;
        threads = startedThreads;
        deviceLog.event(Level.INFO, "virtio-gpio device listening");
        announceController();
    }

    /**
     * Says which controller the device serves; logged by the component, after the
     * socket exists, because operators and tests take this line as "ready".
     */
    private void announceController() {
        if (!composed()) {
            log.event(Level.INFO, controller == null ? "no GPIO controller bound: line messages are answered ERR"
                    : "serving GPIO controller " + controller.label());
            return;
        }
        List<String> labels = settings.options().lineMap().labels();
        List<String> missing = new ArrayList<>();
        for (int source = 0; source < labels.size(); source++) {
            if (device.controller(source) == null) {
                missing.add(labels.get(source));
            }
        }
        log.event(Level.INFO, "serving a chip composed of GPIO controllers " + String.join(", ", labels)
                + (missing.isEmpty() ? "" : "; not bound, their lines answer ERR: " + String.join(", ", missing)));
    }

    private boolean composed() {
        return settings.options().lineMap().composed();
    }

    /** Binds each label of a composed chip to its best offered controller; announces a change. */
    private void bindLabels() {
        if (device != null && composed() && bindLabels(device, settings.options().lineMap())) {
            announceController();
        }
    }

    private boolean bindLabels(GpioDevice target, LineMap map) {
        boolean changed = false;
        for (int source = 0; source < map.labels().size(); source++) {
            GpioController best = best(map.labels().get(source));
            if (target.controller(source) != best) {
                target.setController(source, best);
                changed = true;
            }
        }
        return changed;
    }

    /** The offered controller labelled {@code label} that SCR would choose: highest ranking, then oldest. */
    private GpioController best(String label) {
        GpioController best = null;
        Map<String, Object> bestProperties = null;
        for (Map.Entry<GpioController, Map<String, Object>> entry : offered.entrySet()) {
            Map<String, Object> properties = entry.getValue();
            if (label.equals(properties.get(GpioController.LABEL_PROPERTY))
                    && (best == null || better(properties, bestProperties))) {
                best = entry.getKey();
                bestProperties = properties;
            }
        }
        return best;
    }

    private static boolean better(Map<String, Object> a, Map<String, Object> b) {
        int rankingA = ranking(a);
        int rankingB = ranking(b);
        if (rankingA != rankingB) {
            return rankingA > rankingB;
        }
        return serviceId(a) < serviceId(b);
    }

    private static int ranking(Map<String, Object> properties) {
        return properties.get("service.ranking") instanceof Integer ranking ? ranking : 0;
    }

    private static long serviceId(Map<String, Object> properties) {
        return properties.get("service.id") instanceof Long id ? id : Long.MAX_VALUE;
    }

    /** The labels of the controllers bound now, comma-separated. */
    private String boundLabels() {
        StringJoiner labels = new StringJoiner(", ");
        for (int source = 0; source < settings.options().lineMap().sourceCount(); source++) {
            GpioController bound = device.controller(source);
            if (bound != null) {
                labels.add(bound.label());
            }
        }
        return labels.toString();
    }

    /**
     * Stops the device.
     *
     * @return what its guest had set when the connection ended, {@code null} for nothing
     */
    private GuestState stop() {
        if (endpoint != null) {
            endpoint.close();
            endpoint = null;
        }
        GuestState left = null;
        if (device != null) {
            // The transport reset it too (leaving lines at their safe state, after the device kept what the
            // guest had set); releases every line before the threads stop.
            device.stop();
            left = device.leftBehind();
            device = null;
        }
        if (threads != null) {
            threads.close();
            threads = null;
        }
        return left;
    }
}
