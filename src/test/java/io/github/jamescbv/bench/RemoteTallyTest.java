package io.github.jamescbv.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.testing.peers.PostfixLog;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Counting a remote Postfix's connections and RCPTs from its log lines, as Postfix 3.7 writes them. */
class RemoteTallyTest {
    private static final String P = "Nov 25 06:50:23 race-remote peer-race-remote/smtpd";

    @Test
    void countsSessionsAndTheRcptsTheyWereSentAcceptedOrNot() {
        PostfixLog log = new PostfixLog(List.of(
            P + "[1]: connect from localhost[127.0.0.1]",
            P + "[2]: connect from localhost[127.0.0.1]",
            P + "[1]: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.1.1 <a@race.test>: Recipient address rejected",
            P + "[1]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=0/1 rset=1 quit=1 commands=4/5",
            P + "[2]: disconnect from localhost[127.0.0.1] ehlo=1 mail=2 rcpt=2/3 quit=1 commands=6/7",
            P + "[1]: connect from localhost[127.0.0.1]",
            P + "[1]: lost connection after RCPT from localhost[127.0.0.1]",
            P + "[1]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 commands=3",
            P + "[3]: connect from localhost[127.0.0.1]",
            "Nov 25 06:50:23 race-remote peer-race-remote/qmgr[9]: connect from nowhere"));

        RemoteTally tally = RemoteTally.of(log);

        assertThat(tally.connections).isEqualTo(4);
        assertThat(tally.rcpts).isEqualTo(1 + 3 + 1);
        assertThat(tally.open).as("smtpd[3] has not disconnected yet").isEqualTo(1);
        assertThat(tally.problems).as("the lost connection").isEqualTo(1);
    }

    @Test
    void aPassIsTheDifferenceOfTwoTallies() {
        String session = P + "[1]: connect from localhost[127.0.0.1]\n"
            + P + "[1]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 quit=1 commands=4";
        RemoteTally before = RemoteTally.of(new PostfixLog(List.of(session.split("\n"))));
        RemoteTally after = RemoteTally.of(new PostfixLog(List.of((session + "\n" + session + "\n" + session).split("\n"))));

        RemoteTally pass = after.minus(before);

        assertThat(pass.connections).isEqualTo(2);
        assertThat(pass.rcpts).isEqualTo(2);
        assertThat(pass.problems).isZero();
    }
}
