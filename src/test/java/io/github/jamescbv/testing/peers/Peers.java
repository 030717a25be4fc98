package io.github.jamescbv.testing.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether this machine can run real peers (Postfix, dnsmasq, swaks), and the JUnit decision
 * when it cannot: the test is skipped with the reason, unless {@code CBV_REQUIRE_PEERS=1}
 * (CI sets it), where a missing peer is a failure: CI must run these tests, not skip them.
 */
public final class Peers {
    public static final String REQUIRE_ENV = "CBV_REQUIRE_PEERS";
    /** Where Debian puts daemons' commands; the test JVM's PATH may lack them when not started by a login shell. */
    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin", "/usr/local/sbin");

    private Peers() {
    }

    /** Empty when everything in {@code needs} is there; otherwise one sentence saying what is missing and how to get it. */
    public static Optional<String> missing(Need... needs) {
        return missing(Peers::which, isRoot(), needs);
    }

    static Optional<String> missing(Function<String, Optional<Path>> which, boolean root, Need... needs) {
        List<String> reasons = new ArrayList<>();
        for (Need need : new LinkedHashSet<>(Arrays.asList(needs))) {
            if (need == Need.ROOT) {
                if (!root) {
                    reasons.add("not running as " + need.remedy);
                }
                continue;
            }
            Set<String> absent = new LinkedHashSet<>();
            for (String program : need.programs) {
                if (which.apply(program).isEmpty()) {
                    absent.add(program);
                }
            }
            if (!absent.isEmpty()) {
                reasons.add(String.join(", ", absent) + " not found (" + need.remedy + ")");
            }
        }
        return reasons.isEmpty() ? Optional.empty()
            : Optional.of("real peers unavailable: " + String.join("; ", reasons));
    }

    /** Skips the calling test (or class, from a {@code @BeforeAll}) when something is missing; fails instead under {@code CBV_REQUIRE_PEERS=1}. */
    public static void assumeAvailable(Need... needs) {
        decide(missing(needs), System.getenv(REQUIRE_ENV));
    }

    static void decide(Optional<String> missing, String requireEnv) {
        if (missing.isEmpty()) {
            return;
        }
        if ("1".equals(requireEnv)) {
            Assertions.fail(missing.get() + " (" + REQUIRE_ENV + "=1: these tests must run here)");
        }
        Assumptions.abort(missing.get() + " (set " + REQUIRE_ENV + "=1 to make this a failure)");
    }

    /** The program's path: on PATH, or in an sbin directory. */
    public static Optional<Path> which(String program) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(Arrays.asList(path.split(":")));
        }
        dirs.addAll(EXTRA_DIRS);
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The program's path, or an exception naming what to install. */
    static String program(String name) {
        return which(name).map(Path::toString)
            .orElseThrow(() -> new IllegalStateException(name + " not found on PATH or in /usr/sbin"));
    }

    /** Whether this process's effective user is root: the owner of /proc/self is the process's uid. */
    public static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
