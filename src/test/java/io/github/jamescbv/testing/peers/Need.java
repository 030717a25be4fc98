package io.github.jamescbv.testing.peers;

import java.util.List;

/** Something the real-peer tests need from the machine: a program, or root. */
public enum Need {
    /** Postfix binds port 25 and dnsmasq port 53; Postfix's master must start as root. */
    ROOT(List.of(), "root (port 25 and the Postfix master need it)"),
    POSTFIX(List.of("postfix", "postconf"), "apt-get install postfix"),
    DNSMASQ(List.of("dnsmasq"), "apt-get install dnsmasq-base"),
    SWAKS(List.of("swaks"), "apt-get install swaks"),
    /** Makes the certificates of the peers that speak TLS (Debian's postfix pulls it in). */
    OPENSSL(List.of("openssl"), "apt-get install openssl"),
    /** smtp-source and smtp-sink come with Postfix (Debian: package postfix). */
    SMTP_SOURCE(List.of("smtp-source", "smtp-sink"), "apt-get install postfix"),
    /** The shared store's tests run a redis-server of their own on a free loopback port (no root needed). */
    REDIS(List.of("redis-server"), "apt-get install redis-server"),
    /** A Redis Cluster of redis-servers of their own, joined by redis-cli (Debian: redis-tools, which redis-server pulls in). */
    REDIS_CLUSTER(List.of("redis-server", "redis-cli"), "apt-get install redis-server redis-tools");

    final List<String> programs;
    final String remedy;

    Need(List<String> programs, String remedy) {
        this.programs = programs;
        this.remedy = remedy;
    }
}
