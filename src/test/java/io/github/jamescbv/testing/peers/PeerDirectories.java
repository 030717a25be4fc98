package io.github.jamescbv.testing.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;

/** Where a peer keeps its files: under target/peers/, unless user postfix could not get there. */
final class PeerDirectories {
    private PeerDirectories() {
    }

    static Path defaultFor(String name) {
        Path peers = Path.of("target", "peers").toAbsolutePath();
        if (firstClosedAncestor(peers).isEmpty()) {
            return peers.resolve(name);
        }
        // One directory per checkout, so that two checkouts' peers of the same name do not meet.
        return Path.of(System.getProperty("java.io.tmpdir"), "cbv-peers-" + Integer.toHexString(peers.hashCode()), name);
    }

    /** The first existing directory above {@code dir} that other users cannot traverse, if any. */
    static Optional<Path> firstClosedAncestor(Path dir) {
        for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            try {
                if (Files.isDirectory(p) && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return Optional.of(p);
                }
            } catch (IOException | UnsupportedOperationException e) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
