package io.github.jamescbv.james.e2e;

import java.net.InetSocketAddress;
import javax.inject.Inject;
import org.apache.james.protocols.lib.netty.AbstractConfigurableAsyncServer;
import org.apache.james.smtpserver.netty.SMTPServerFactory;
import org.apache.james.utils.GuiceProbe;

/**
 * The port of each SMTP server of the test James, found by its {@code helloName} (James's own
 * SmtpGuiceProbe only knows the first server).
 */
public class SmtpPortsProbe implements GuiceProbe {
    private final SMTPServerFactory servers;

    @Inject
    public SmtpPortsProbe(SMTPServerFactory servers) {
        this.servers = servers;
    }

    public int port(String helloName) {
        return servers.getServers().stream()
            .filter(s -> helloName.equals(s.getHelloName()))
            .map(AbstractConfigurableAsyncServer::getListenAddresses)
            .flatMap(addresses -> addresses.stream().map(InetSocketAddress::getPort))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no SMTP server with helloName " + helloName));
    }
}
