package io.github.jamescbv.testing.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class PeersTest {
    static Function<String, Optional<Path>> having(String... programs) {
        Set<String> present = Set.of(programs);
        return p -> present.contains(p) ? Optional.of(Path.of("/usr/sbin", p)) : Optional.empty();
    }

    @Test
    void nothingIsMissingWhenEveryProgramIsThereAndWeAreRoot() {
        assertThat(Peers.missing(having("postfix", "postconf", "dnsmasq"), true, Need.ROOT, Need.POSTFIX, Need.DNSMASQ)).isEmpty();
    }

    @Test
    void theReasonNamesEachMissingPieceAndHowToGetIt() {
        assertThat(Peers.missing(having("postconf"), false, Need.ROOT, Need.POSTFIX, Need.DNSMASQ, Need.SWAKS))
            .contains("real peers unavailable: not running as root (port 25 and the Postfix master need it); "
                + "postfix not found (apt-get install postfix); dnsmasq not found (apt-get install dnsmasq-base); "
                + "swaks not found (apt-get install swaks)");
    }

    @Test
    void missingPeersSkipByDefault() {
        assertThatThrownBy(() -> Peers.decide(Optional.of("real peers unavailable: x"), null))
            .isInstanceOf(TestAbortedException.class)
            .hasMessageContaining("real peers unavailable: x")
            .hasMessageContaining("CBV_REQUIRE_PEERS=1");
    }

    @Test
    void missingPeersFailWhenRequired() {
        assertThatThrownBy(() -> Peers.decide(Optional.of("real peers unavailable: x"), "1"))
            .isInstanceOf(AssertionFailedError.class)
            .hasMessageContaining("real peers unavailable: x");
    }

    @Test
    void availablePeersNeitherSkipNorFail() {
        Peers.decide(Optional.empty(), "1");
        Peers.decide(Optional.empty(), null);
    }
}
