package io.github.jamescbv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Usage errors: exit status 64 and a message naming what is wrong, before any network activity. */
class CbvCommandUsageTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return CbvCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** A command line the command cannot read: the usage text lists what it can. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "verify|missing ADDRESS",
        "check a@example.com|unknown command 'check'",
        "verify a@example.com b@example.com|more than one address",
        "verify a@example.com --frobnicate|unknown option '--frobnicate'",
        "verify a@example.com --port|--port needs a value",
        "verify a@example.com --allow-target-networks|--allow-target-networks needs a value",
        "verify a@example.com --tls|--tls needs a value"})
    void usageErrorsExit64NamingTheProblemAndShowTheUsage(String argLine, String expected) {
        assertThat(run(argLine.split(" "))).isEqualTo(64);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(expected).contains("usage: cbv verify ADDRESS");
        assertThat(out.size()).isZero();
    }

    /** A value refused: the reason and one line pointing to the help, not twenty lines burying the reason. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "verify not-an-address|bad address",
        "verify a@example.com --port 0|bad port '0'",
        "verify a@example.com --port=abc|bad port 'abc'",
        "verify a@example.com --total-timeout 10x|bad duration '10x'",
        "verify a@example.com --connect-timeout=-1s|bad duration '-1s'",
        "verify a@example.com --map yahoo.net|bad entry 'yahoo.net'",
        "verify a@example.com --map a.net=[host|[host",
        "verify a@example.com --mailfrom bad|--mailfrom",
        "verify a@example.com --dns bad/host|bad character in host",
        "verify a@example.com --helo bad..name|bad heloName",
        "verify a@example.com --allow-target-networks 10.0.0.0/40|bad network '10.0.0.0/40'",
        "verify a@example.com --tls dane|--tls: bad tls 'dane' (expected may, none or encrypt)"})
    void badValuesExit64WithTheReasonAndAPointerToTheHelp(String argLine, String expected) {
        assertThat(run(argLine.split(" "))).isEqualTo(64);
        String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).startsWith("cbv: ").contains(expected);
        assertThat(lines[1]).isEqualTo("Run 'bin/cbv --help' for the options and exit statuses.");
        assertThat(out.size()).isZero();
    }

    @Test
    void noArgumentsIsAUsageError() {
        assertThat(run()).isEqualTo(64);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing command");
    }

    @Test
    void helpPrintsUsageAndSucceeds() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Exit status: 0 pass, 1 error, 2 transient, 64 usage error");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("[--random-check] [--postmaster-check]")
            .contains("--random-check           after a pass").contains("--postmaster-check       after a pass");
    }

    @Test
    void anAddressWithALineBreakIsRefused() {
        assertThat(run("verify", "a@example.com\r\nRSET")).isEqualTo(64);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("control character");
    }
}
