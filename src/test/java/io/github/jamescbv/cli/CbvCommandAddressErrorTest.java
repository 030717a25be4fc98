package io.github.jamescbv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A refused address, as text and under --json: what an administrator reads, what a script
 * parses, and that an address with line breaks or non-ASCII never reaches either raw.
 */
class CbvCommandAddressErrorTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return CbvCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void asTextTheReasonAndOneLinePointingToTheHelp() {
        assertThat(run("verify", "not-an-address")).isEqualTo(64);
        assertThat(err()).isEqualTo("cbv: bad address: not of the form local@domain: not-an-address\n"
            + "Run 'bin/cbv --help' for the options and exit statuses.\n");
        assertThat(out()).isEmpty();
    }

    @Test
    void asJsonOneObjectOnStandardOutput() {
        assertThat(run("verify", "--json", "not-an-address")).isEqualTo(64);
        assertThat(out()).isEqualTo("{\"error\":\"bad address: not of the form local@domain: not-an-address\","
            + "\"address\":\"not-an-address\"}\n");
        assertThat(err()).isEmpty();
    }

    @Test
    void jsonGivenAfterTheAddressCountsToo() {
        assertThat(run("verify", "a@localhost", "--json")).isEqualTo(64);
        assertThat(out()).isEqualTo("{\"error\":\"bad address: domain is not fully qualified: localhost\","
            + "\"address\":\"a@localhost\"}\n");
    }

    @Test
    void quotesAndBackslashesAreEscapedInJson() {
        assertThat(run("verify", "--json", "\"a\\\"b")).isEqualTo(64);
        assertThat(out()).startsWith("{\"error\":\"bad address: ").endsWith(",\"address\":\"\\\"a\\\\\\\"b\"}\n");
    }

    @Test
    void lineBreaksInTheAddressAreEscapedInJson() {
        assertThat(run("verify", "--json", "a@example.com\r\nRSET")).isEqualTo(64);
        assertThat(out()).isEqualTo("{\"error\":\"bad address: control character (CR, LF, NUL or other) in address\","
            + "\"address\":\"a@example.com\\u000d\\u000aRSET\"}\n");
        assertThat(out().indexOf('\r')).isNegative();
    }

    @Test
    void lineBreaksInTheAddressNeverReachTheText() {
        assertThat(run("verify", "not-an-address\r\nRSET")).isEqualTo(64);
        assertThat(err()).doesNotContain("\r").doesNotContain("RSET\n").contains("control character");
        assertThat(err().split("\n")).hasSize(2);
    }

    @Test
    void nonAsciiIsEscapedInJson() {
        assertThat(run("verify", "--json", "jos\u00e9@example.com")).isEqualTo(64);
        assertThat(out()).contains("\"address\":\"jos\\u00e9@example.com\"");
        assertThat(out().chars().allMatch(c -> c < 0x7f)).isTrue();
    }

    @Test
    void aHugeAddressIsCutShort() {
        String huge = "a".repeat(100_000) + "@example.com";
        assertThat(run("verify", "--json", huge)).isEqualTo(64);
        assertThat(out()).contains("\"error\":\"bad address: address longer than").hasSizeLessThan(500)
            .endsWith("...\"}\n");
    }

    @Test
    void otherUsageErrorsUnderJsonKeepTheUsageText() {
        // Only the address varies from run to run in a script; a wrong option is found at its first run.
        assertThat(run("verify", "--json", "a@example.com", "--frobnicate")).isEqualTo(64);
        assertThat(err()).contains("unknown option '--frobnicate'").contains("usage: cbv verify ADDRESS");
        assertThat(out()).isEmpty();
    }
}
