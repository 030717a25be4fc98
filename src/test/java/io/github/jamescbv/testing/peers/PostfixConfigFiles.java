package io.github.jamescbv.testing.peers;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** main.cf, master.cf and the map files of a {@link PostfixPeer}, from its builder. */
final class PostfixConfigFiles {
    /**
     * The daemons of a working Postfix, none chrooted (a chroot would need copies of
     * /etc files in every queue directory). smtpd lines come from the listen addresses.
     */
    private static final List<String> SERVICES = List.of(
        "pickup    unix  n       -       n       60      1       pickup",
        "cleanup   unix  n       -       n       -       0       cleanup",
        "qmgr      unix  n       -       n       300     1       qmgr",
        "tlsmgr    unix  -       -       n       1000?   1       tlsmgr",
        "rewrite   unix  -       -       n       -       -       trivial-rewrite",
        "bounce    unix  -       -       n       -       0       bounce",
        "defer     unix  -       -       n       -       0       bounce",
        "trace     unix  -       -       n       -       0       bounce",
        "verify    unix  -       -       n       -       1       verify",
        "flush     unix  n       -       n       1000?   0       flush",
        "proxymap  unix  -       -       n       -       -       proxymap",
        "proxywrite unix -       -       n       -       1       proxymap",
        "smtp      unix  -       -       n       -       -       smtp",
        "relay     unix  -       -       n       -       -       smtp",
        "showq     unix  n       -       n       -       -       showq",
        "error     unix  -       -       n       -       -       error",
        "retry     unix  -       -       n       -       -       error",
        "discard   unix  -       -       n       -       -       discard",
        "local     unix  -       n       n       -       -       local",
        "virtual   unix  -       n       n       -       -       virtual",
        "lmtp      unix  -       -       n       -       -       lmtp",
        "anvil     unix  -       -       n       -       1       anvil",
        "scache    unix  -       -       n       -       1       scache",
        "postlog   unix-dgram n  -       n       -       1       postlogd");

    private final PostfixPeer.Builder b;

    PostfixConfigFiles(PostfixPeer.Builder builder) {
        this.b = builder;
    }

    void writeTo(Path conf, GreylistPolicyServer greylist) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        Map<String, String> main = mainCf(conf, greylist, files);
        files.putAll(b.files);
        files.put("main.cf", main.entrySet().stream()
            .map(e -> e.getKey() + " = " + e.getValue())
            .collect(Collectors.joining("\n", "# written by PostfixPeer " + b.name + "\n", "\n")));
        files.put("master.cf", String.join("\n", masterCf()) + "\n");
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(conf.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
        }
    }

    private Map<String, String> mainCf(Path conf, GreylistPolicyServer greylist, Map<String, String> files) {
        Path dir = b.directory;
        boolean ipv6 = b.endpoints.stream().anyMatch(e -> e.getAddress() instanceof Inet6Address);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("compatibility_level", "3.7"); // without it Postfix warns about every backwards-compatible default
        m.put("queue_directory", dir.resolve("queue").toString());
        m.put("data_directory", dir.resolve("data").toString());
        m.put("myhostname", b.hostname);
        m.put("myorigin", "$myhostname");
        m.put("mydestination", "");
        // inet_interfaces must name addresses of an interface; 127.0.0.21 is routed to lo but not
        // configured on it. The smtpd lines of master.cf bind the listen addresses themselves,
        // and proxy_interfaces tells Postfix that they are its own.
        m.put("inet_interfaces", "loopback-only");
        m.put("inet_protocols", ipv6 ? "all" : "ipv4");
        m.put("proxy_interfaces", b.endpoints.stream().map(e -> e.getAddress().getHostAddress())
            .distinct().collect(Collectors.joining(", ")));
        // Only itself: its clients (our probes from 127.0.0.1) are strangers, as on the Internet.
        m.put("mynetworks", b.endpoints.stream().map(PostfixConfigFiles::hostNetwork)
            .distinct().collect(Collectors.joining(", ")));
        m.put("alias_maps", ""); // the default includes nis:mail.aliases, which warns "NIS domain name not set"
        m.put("alias_database", "");
        m.put("biff", "no");
        m.put("smtpd_banner", "$myhostname ESMTP Postfix");
        m.put("syslog_name", "peer-" + b.name);
        m.put("maillog_file", dir.resolve("postfix.log").toString());
        m.put("maillog_file_prefixes", dir.toString());

        if (!b.mailboxes.isEmpty()) {
            Set<String> domains = new LinkedHashSet<>();
            StringBuilder table = new StringBuilder();
            for (String address : b.mailboxes) {
                domains.add(address.substring(address.indexOf('@') + 1));
                table.append(address).append(" mailbox\n");
            }
            files.put("vmailbox", table.toString());
            m.put("virtual_mailbox_domains", String.join(", ", domains));
            m.put("virtual_mailbox_maps", "texthash:" + conf.resolve("vmailbox"));
            m.put("virtual_transport", "discard");
        }
        if (b.rejectNullSender) {
            files.put("null_sender", "<> REJECT Null sender not accepted\n");
            m.put("smtpd_sender_restrictions", "check_sender_access texthash:" + conf.resolve("null_sender"));
            m.put("smtpd_delay_reject", "no");
        }
        List<String> rcpt = new ArrayList<>();
        if (b.tarpit != null) {
            rcpt.add("sleep " + Math.max(1, (b.tarpit.toMillis() + 999) / 1000));
        }
        if (greylist != null) {
            rcpt.add("check_policy_service " + greylist.endpoint());
        }
        if (!rcpt.isEmpty()) {
            m.put("smtpd_recipient_restrictions", String.join(", ", rcpt));
        }
        if (b.tlsLevel != null) {
            m.put("smtpd_tls_security_level", b.tlsLevel);
            m.put("smtpd_tls_chain_files", conf.resolve(PeerCertificate.KEY_FILE) + ", "
                + conf.resolve(PeerCertificate.CERTIFICATE_FILE));
            m.put("smtpd_tls_loglevel", "1");
        }
        m.putAll(b.mainCf);
        return m;
    }

    private List<String> masterCf() {
        List<String> lines = new ArrayList<>();
        for (InetSocketAddress e : b.endpoints) {
            String host = e.getAddress() instanceof Inet6Address
                ? "[" + e.getAddress().getHostAddress() + "]" : e.getAddress().getHostAddress();
            lines.add(host + ":" + e.getPort() + " inet n - n - - smtpd");
        }
        lines.addAll(SERVICES);
        lines.addAll(b.masterCf);
        return lines;
    }

    private static String hostNetwork(InetSocketAddress e) {
        return e.getAddress() instanceof Inet6Address
            ? "[" + e.getAddress().getHostAddress() + "]/128" : e.getAddress().getHostAddress() + "/32";
    }
}
