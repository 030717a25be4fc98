package io.github.jamescbv.core;

import java.util.List;
import java.util.Map;

/**
 * Just enough JSON output for an object of strings, numbers, booleans, nulls, lists and objects
 * (maps with string keys, in their iteration order): what the {@code cbv} command prints, which
 * bundles no JSON library, and what WebAdmin answers in the same shape. Everything outside
 * printable ASCII is escaped, so a value from the network can never break the line it is printed on.
 */
public final class Json {
    private Json() {
    }

    public static String object(Map<String, ?> fields) {
        StringBuilder sb = new StringBuilder();
        object(sb, fields);
        return sb.toString();
    }

    private static void object(StringBuilder sb, Map<?, ?> fields) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : fields.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            string(sb, String.valueOf(e.getKey()));
            sb.append(':');
            value(sb, e.getValue());
        }
        sb.append('}');
    }

    private static void value(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof List) {
            sb.append('[');
            boolean first = true;
            for (Object item : (List<?>) v) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                value(sb, item);
            }
            sb.append(']');
        } else if (v instanceof Map) {
            object(sb, (Map<?, ?>) v);
        } else {
            string(sb, String.valueOf(v));
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
