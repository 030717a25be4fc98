package io.github.jamescbv.webadmin;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import spark.Filter;
import spark.HaltException;
import spark.Request;
import spark.Response;

/**
 * Refuses a path whose percent-escapes are not UTF-8 (say {@code %FF}) with a 400 before Spark
 * decodes the route's {@code {address}}: Spark's decoder throws on it, and Spark answers that
 * with a 500 of its own. The address itself is checked later ({@link AddressParameter}).
 */
final class EncodedPath implements Filter {
    @Override
    public void handle(Request request, Response response) throws HaltException {
        String path = request.raw().getRequestURI();
        if (path != null && !decodes(path)) {
            throw RouteErrors.badRequest("Invalid address", "the path is not percent-encoded UTF-8");
        }
    }

    /** Whether every escape is {@code %} and two hex digits, and the bytes they make are UTF-8. */
    static boolean decodes(String path) {
        byte[] bytes = new byte[path.length()];
        int n = 0;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%') {
                if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0
                    || Character.digit(path.charAt(i + 2), 16) < 0) {
                    return false;
                }
                bytes[n++] = (byte) Integer.parseInt(path.substring(i + 1, i + 3), 16);
                i += 2;
            } else if (c > 0x7f) {
                return false; // the raw path is ASCII; anything else is not ours to guess
            } else {
                bytes[n++] = (byte) c;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, n));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
