package io.github.jamescbv.james;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * The {@code <smtpserver>} blocks of James's {@code smtpserver.xml} and the name each announces in
 * its greeting and EHLO reply ({@code <helloName>}), as James 3.8.1 works it out
 * ({@code AbstractConfigurableAsyncServer.configureHelloName}, unchanged in 3.8.2 and 3.9.0):
 * {@code autodetect} (the default, also when {@code <helloName>} is absent) means the local host
 * name as {@code InetAddress.getLocalHost().getHostName()} gives it, else the element's text.
 * Disabled blocks announce nothing and are left out.
 *
 * <p>Why read the file: James hands a handler only its own {@code <handler>} subtree, a detached
 * copy with no way up to the server it sits in. The block a handler belongs to is the one whose
 * {@code <handler>} of our class has the same content.
 */
final class SmtpServerNames {
    private static final String HANDLER_CLASS = "[@class]";

    /** One enabled {@code <smtpserver>}: how logs name it, what it announces, the handlers of our class in it. */
    static final class Server {
        final String label;
        final String helloName;
        private final List<Map<String, List<String>>> ourHandlers;

        Server(String label, String helloName, List<Map<String, List<String>>> ourHandlers) {
            this.label = label;
            this.helloName = helloName;
            this.ourHandlers = ourHandlers;
        }

        boolean holds(Map<String, List<String>> handler) {
            return ourHandlers.contains(handler);
        }
    }

    private final List<Server> servers;

    private SmtpServerNames(List<Server> servers) {
        this.servers = servers;
    }

    /**
     * @param smtpservers the whole file ({@code <smtpservers>} as root)
     * @param handlerClass the class name our handlers are configured with
     * @param localHostName what autodetect gives (James: the local host name, or "localhost")
     */
    static SmtpServerNames read(HierarchicalConfiguration<ImmutableNode> smtpservers, String handlerClass,
                                Supplier<String> localHostName) {
        List<Server> servers = new ArrayList<>();
        List<HierarchicalConfiguration<ImmutableNode>> blocks = smtpservers.configurationsAt("smtpserver");
        for (int i = 0; i < blocks.size(); i++) {
            HierarchicalConfiguration<ImmutableNode> block = blocks.get(i);
            if (!block.getBoolean("[@enabled]", true)) {
                continue;
            }
            String label = block.getString("jmxName", "#" + (i + 1));
            String hello = block.getBoolean("helloName[@autodetect]", true)
                ? localHostName.get() : block.getString("helloName", "");
            List<Map<String, List<String>>> ours = block.configurationsAt("handlerchain.handler").stream()
                .filter(h -> handlerClass.equals(h.getString(HANDLER_CLASS, null)))
                .map(SmtpServerNames::content)
                .collect(Collectors.toList());
            servers.add(new Server(label, hello.trim(), ours));
        }
        return new SmtpServerNames(servers);
    }

    /** James's autodetected name: the local host name, "localhost" when it has none. */
    static String jamesLocalHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** The enabled servers whose handlers include one with this content, in the file's order. */
    List<Server> holding(Configuration handler) {
        Map<String, List<String>> wanted = content(handler);
        return servers.stream().filter(s -> s.holds(wanted)).collect(Collectors.toList());
    }

    /** Every enabled server, in the file's order. */
    List<Server> all() {
        return servers;
    }

    /**
     * A handler's elements and attributes with their values, as James reads them (interpolated):
     * what tells two {@code <handler>} elements apart whatever the order of their children.
     */
    static Map<String, List<String>> content(Configuration handler) {
        Map<String, List<String>> content = new TreeMap<>();
        Iterator<String> keys = handler.getKeys();
        while (keys.hasNext()) {
            String key = keys.next();
            content.put(key, handler.getList(String.class, key, List.of()));
        }
        return content;
    }

    /** The names the given servers announce, each once, in order. */
    static List<String> distinctNames(List<Server> servers) {
        return servers.stream().map(s -> s.helloName).distinct().collect(Collectors.toList());
    }
}
