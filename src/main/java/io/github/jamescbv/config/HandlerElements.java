package io.github.jamescbv.config;

import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.SafeText;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;

/**
 * The handler's XML elements ({@link Place#HANDLER}), read by the declarations of
 * {@link Settings}. Every mistake is a {@link ConfigurationException} naming the element and the
 * bad value, so that James refuses to start instead of running with a setting the administrator
 * did not mean (a typo in {@code <phsae>} silently ignored would leave the default phase in force
 * without anyone noticing).
 */
public final class HandlerElements extends SettingReader<ConfigurationException> {
    private static final String HANDLER_CLASS_KEY = "[@class]";
    private static final String MAP_ENTRY = Settings.MAP.name() + ".entry";
    private static final String DNS_SERVER = Settings.DNS.name() + ".server";
    /** Elements that hold elements, not text: a text in them is a mistake. */
    private static final Set<String> CONTAINERS = Set.of(Settings.MAP.name(), MAP_ENTRY, Settings.DNS.name());
    /** Keys inside those containers; bare "map", "dns", "cache" and "map.entry" appear when they are empty. */
    private static final Set<String> INSIDE = Set.of(MAP_ENTRY + "[@from]", MAP_ENTRY + "[@to]", DNS_SERVER);

    private final Configuration config;

    public HandlerElements(Configuration config) {
        super(Place.HANDLER, key -> config.getString(key, null));
        this.config = config;
    }

    @Override
    protected ConfigurationException refusal(Setting<?> setting, String reason) {
        return error(setting == Settings.DNS ? DNS_SERVER : setting.name(), reason);
    }

    /** Builds the settings object of a group such as {@code cache}, which may refuse a value of any of its elements. */
    public <T> T group(String element, Supplier<T> builder) throws ConfigurationException {
        try {
            return builder.get();
        } catch (IllegalArgumentException e) {
            throw error(element, e.getMessage());
        }
    }

    /** Refuses an element or attribute that no setting declares, and one given more than once. */
    public void rejectUnknown() throws ConfigurationException {
        Iterator<String> keys = config.getKeys();
        while (keys.hasNext()) {
            String key = keys.next();
            Optional<Setting<?>> setting = Settings.named(Place.HANDLER, key);
            if (CONTAINERS.contains(key)) {
                if (!config.getString(key, "").isBlank()) {
                    throw error(key, "unexpected text '" + SafeText.clean(config.getString(key), 40) + "'");
                }
            } else if (setting.isPresent()) {
                if (config.getList(String.class, key, List.of()).size() > 1) {
                    throw error(key, "given more than once");
                }
            } else if (!key.equals(HANDLER_CLASS_KEY) && !INSIDE.contains(key) && !Settings.isGroup(Place.HANDLER, key)) {
                throw new ConfigurationException("CallbackVerifyHandler: unknown element or attribute '"
                    + SafeText.clean(key, 80) + "' with value '" + SafeText.clean(config.getString(key, ""), 80)
                    + "' (known: " + String.join(", ", Settings.names(Place.HANDLER)) + ")");
            }
        }
    }

    /** {@code <dns><server>host[:port]</server>...</dns>}: each server an element of its own. */
    @Override
    public Optional<List<String>> dnsServers() throws ConfigurationException {
        List<String> servers = new ArrayList<>();
        for (String server : config.getList(String.class, DNS_SERVER, List.of())) {
            if (server == null || server.isBlank()) {
                throw error(DNS_SERVER, "empty DNS server");
            }
            servers.add(server.trim());
        }
        return Optional.of(servers);
    }

    /** {@code <map><entry from="yahoo.net" to="yahoo.com"/>...</map>}. */
    @Override
    public Optional<DomainMap> domainMap() throws ConfigurationException {
        DomainMap.Builder map = DomainMap.builder();
        if (config instanceof HierarchicalConfiguration) {
            // One sub-configuration per <entry>, so that a missing attribute is noticed on its own entry.
            for (HierarchicalConfiguration<?> entry : ((HierarchicalConfiguration<?>) config).configurationsAt(MAP_ENTRY)) {
                addEntry(map, entry.getString("[@from]", null), entry.getString("[@to]", null));
            }
        } else {
            List<String> from = config.getList(String.class, MAP_ENTRY + "[@from]", List.of());
            List<String> to = config.getList(String.class, MAP_ENTRY + "[@to]", List.of());
            if (from.size() != to.size()) {
                throw error(Settings.MAP.name(), "every <entry> needs both from and to");
            }
            for (int i = 0; i < from.size(); i++) {
                addEntry(map, from.get(i), to.get(i));
            }
        }
        return Optional.of(map.build());
    }

    private static void addEntry(DomainMap.Builder map, String from, String to) throws ConfigurationException {
        String described = "<entry from=\"" + SafeText.clean(from, 80) + "\" to=\"" + SafeText.clean(to, 80) + "\">";
        if (from == null || to == null) {
            throw error(Settings.MAP.name(), described + " needs both from and to");
        }
        try {
            map.add(from, to);
        } catch (IllegalArgumentException e) {
            throw error(Settings.MAP.name(), described + ": " + e.getMessage());
        }
    }

    /** "cache.passTtl" as the administrator wrote it: {@code <cache><passTtl>}. */
    private static ConfigurationException error(String key, String message) {
        return new ConfigurationException("CallbackVerifyHandler: <" + key.replace(".", "><") + ">: " + message);
    }
}
