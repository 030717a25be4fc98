package io.github.jamescbv.smtp;

import java.util.List;
import java.util.Objects;

/** One complete SMTP reply: the code, the RFC 3463 enhanced code if any, and the text lines. */
public final class SmtpReply {
    private final int code;
    private final String enhancedCode;
    private final List<String> lines;

    public SmtpReply(int code, String enhancedCode, List<String> lines) {
        this.code = code;
        this.enhancedCode = enhancedCode == null ? "" : enhancedCode;
        this.lines = List.copyOf(Objects.requireNonNull(lines, "lines"));
    }

    public int code() {
        return code;
    }

    /** e.g. "5.1.1", or "" when the reply carries none. */
    public String enhancedCode() {
        return enhancedCode;
    }

    /** The text of each line, after the code and the enhanced code. */
    public List<String> lines() {
        return lines;
    }

    /** All lines joined with a space. */
    public String text() {
        return String.join(" ", lines);
    }

    public boolean isPositive() {
        return code >= 200 && code < 300;
    }

    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    public boolean isPermanent() {
        return code >= 500 && code < 600;
    }

    @Override
    public String toString() {
        return code + (enhancedCode.isEmpty() ? "" : " " + enhancedCode) + " " + text();
    }
}
