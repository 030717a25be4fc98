package io.github.jamescbv.core;

/**
 * Makes text from the network safe to log, store in an attribute or print: control
 * characters (CR, LF, NUL, ...) and non-ASCII become '?', and the length is capped.
 * Remote servers and mail content are untrusted; nothing they send reaches a log line as-is.
 */
public final class SafeText {
    private SafeText() {
    }

    public static String clean(String s, int maxLength) {
        if (s == null || s.isEmpty()) {
            return "";
        }
        if (s.length() <= maxLength && isClean(s)) {
            // Unchanged: no copy, so that equal strings shared by many verdicts stay shared.
            return s;
        }
        int n = Math.min(s.length(), maxLength);
        StringBuilder sb = new StringBuilder(n + 3);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (s.length() > maxLength) {
            sb.append("...");
        }
        return sb.toString();
    }

    private static boolean isClean(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
