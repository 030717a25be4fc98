package io.github.jamescbv.testing.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Lists a peer's config directory in {@code alternate_config_directories} of the system's
 * default main.cf, which Postfix's set-gid commands (postqueue, postdrop, sendmail) require of
 * a {@code -c} directory when run by a user other than root. Idempotent (a directory already
 * listed is left alone), serialised between processes by a lock file, and done with
 * {@code postconf -e}, which rewrites that one parameter and keeps the rest of the file.
 * A machine without a default main.cf is left without one.
 */
final class DefaultPostfixConfig {
    static final Path DEFAULT_DIRECTORY = Path.of("/etc/postfix");
    private static final Path LOCK = Path.of(System.getProperty("java.io.tmpdir"), "cbv-postfix-default-config.lock");
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private DefaultPostfixConfig() {
    }

    static void allow(Path configDirectory, Path transcript) {
        if (!Files.isRegularFile(DEFAULT_DIRECTORY.resolve("main.cf"))) {
            return;
        }
        String postconf = Peers.program("postconf");
        String dir = configDirectory.toAbsolutePath().toString();
        try (FileChannel channel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            String current = PeerCommand.check(transcript, LIMIT,
                List.of(postconf, "-c", DEFAULT_DIRECTORY.toString(), "-h", "alternate_config_directories")).output.strip();
            if (listed(current, dir)) {
                return;
            }
            String value = current.isEmpty() ? dir : current + ", " + dir;
            PeerCommand.check(transcript, LIMIT,
                List.of(postconf, "-c", DEFAULT_DIRECTORY.toString(), "-e", "alternate_config_directories=" + value));
        } catch (IOException e) {
            throw new UncheckedIOException("registering " + dir + " in " + DEFAULT_DIRECTORY.resolve("main.cf"), e);
        }
    }

    static boolean listed(String value, String dir) {
        return Arrays.stream(value.split("[,\\s]+")).anyMatch(dir::equals);
    }
}
