package io.github.jamescbv.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The extension jar as administrators copy it into James's {@code extensions-jars/}: lettuce
 * inside, moved under our package so that a James that ships a lettuce of its own keeps it, and
 * nothing of what James itself ships. Opens the packaged jar (failsafe runs after package), not
 * target/classes, which the other tests use.
 */
class ExtensionJarIT {
    private static final String RELOCATED_CLIENT = "io/github/jamescbv/shaded/lettuce/core/RedisClient";
    /** On the test class path these are the versions James 3.8.1 ships, which the jar must link against. */
    private static final Pattern JAMES_RUNTIME = Pattern.compile("(netty-.*|reactor-core-.*|reactive-streams-.*)\\.jar");

    private static Path jar;

    @BeforeAll
    static void findJar() {
        String path = System.getProperty("cbv.extension.jar");
        assertThat(path).as("system property cbv.extension.jar (set by the failsafe configuration)").isNotNull();
        jar = Paths.get(path);
        assertThat(jar).as("the packaged extension jar; run through `mvn verify`").isRegularFile();
    }

    @Test
    void carriesLettuceUnderOurPackage() throws IOException {
        assertThat(entryNames()).contains(RELOCATED_CLIENT + ".class");
    }

    @Test
    void bundlesNothingJamesShipsNorLettuceUnderItsOwnName() throws IOException {
        List<String> foreign = entryNames().stream()
            .filter(name -> name.startsWith("io/lettuce/") || name.startsWith("io/netty/") || name.startsWith("reactor/")
                || name.startsWith("org/reactivestreams/") || name.startsWith("org/slf4j/")
                || name.startsWith("org/apache/james/") || name.startsWith("org/xbill/"))
            .collect(Collectors.toList());
        assertThat(foreign).isEmpty();
    }

    @Test
    void ourClassesReferToTheRelocatedLettuce() throws IOException {
        Set<String> texts = constantPoolTexts(classBytes("io/github/jamescbv/store/redis/RedisLink.class"));

        assertThat(texts).contains(RELOCATED_CLIENT);
        // descriptors ("Lio/lettuce/...;") included: no reference at all to the unrelocated name
        assertThat(texts).noneMatch(text -> text.contains("io/lettuce/"));
    }

    @Test
    void theRelocatedLettuceLeavesNettyAndReactorWhereTheyAre() throws IOException {
        Set<String> texts = constantPoolTexts(classBytes(RELOCATED_CLIENT + ".class"));

        assertThat(texts).anyMatch(text -> text.contains("io/netty/"));
        assertThat(texts).anyMatch(text -> text.contains("reactor/core/publisher/"));
        assertThat(texts).noneMatch(text -> text.contains("shaded/netty") || text.contains("shaded/reactor"));
    }

    /**
     * The jar alone on top of the JDK, with only the Netty and Reactor jars of the test class path
     * (James's versions) and no unrelocated lettuce: our RedisLink builds its client, connects
     * through Netty to a closed port, is refused by lettuce's own error, and closes its threads.
     */
    @Test
    void runsOnJamessNettyAndReactorAlone() throws Exception {
        Set<Thread> before = lettuceThreads();
        try (URLClassLoader loader = new URLClassLoader(extensionClassPath(), ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> loader.loadClass("io.lettuce.core.RedisClient")).isInstanceOf(ClassNotFoundException.class);
            assertThat(loader.loadClass(RELOCATED_CLIENT.replace('/', '.')).getProtectionDomain().getCodeSource().getLocation())
                .isEqualTo(jar.toUri().toURL());

            Class<?> settingsClass = loader.loadClass("io.github.jamescbv.store.redis.RedisSettings");
            Object settings = settingsClass.getConstructor(String.class, String.class, Duration.class)
                .newInstance("redis://127.0.0.1:" + closedPort(), "cbv:", Duration.ofSeconds(10));
            Class<?> linkClass = loader.loadClass("io.github.jamescbv.store.redis.RedisLink");
            AutoCloseable link = (AutoCloseable) linkClass.getConstructor(settingsClass).newInstance(settings);
            try {
                Function<Object, Object> neverSent = commands -> {
                    throw new AssertionError("a connection to a closed port");
                };
                CompletableFuture<?> reply = (CompletableFuture<?>) linkClass.getMethod("call", Function.class).invoke(link, neverSent);
                assertThatThrownBy(() -> reply.get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().satisfies(cause -> assertThat(cause.getClass().getName())
                        .isEqualTo("io.github.jamescbv.shaded.lettuce.core.RedisConnectionException"));
            } finally {
                link.close();
            }
            // before the loader closes: its classes must stay loadable while the threads wind down
            awaitThreadsGone(before, Duration.ofSeconds(20));
        }
    }

    private static List<String> entryNames() throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName).collect(Collectors.toList());
        }
    }

    private static byte[] classBytes(String entry) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry found = zip.getEntry(entry);
            assertThat(found).as(entry).isNotNull();
            try (InputStream in = zip.getInputStream(found)) {
                return in.readAllBytes();
            }
        }
    }

    /** The CONSTANT_Utf8 entries of a class file: every class name, descriptor and string it names. */
    private static Set<String> constantPoolTexts(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        assertThat(in.readInt()).as("class file magic").isEqualTo(0xCAFEBABE);
        in.readUnsignedShort(); // minor version
        in.readUnsignedShort(); // major version
        int count = in.readUnsignedShort();
        Set<String> texts = new HashSet<>();
        for (int index = 1; index < count; index++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1: // Utf8, in the class file's modified UTF-8, which readUTF reads
                    texts.add(in.readUTF());
                    break;
                case 7: case 8: case 16: case 19: case 20: // Class, String, MethodType, Module, Package
                    in.skipBytes(2);
                    break;
                case 15: // MethodHandle
                    in.skipBytes(3);
                    break;
                case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: // 4-byte constants and references
                    in.skipBytes(4);
                    break;
                case 5: case 6: // Long, Double: 8 bytes, and they take two slots
                    in.skipBytes(8);
                    index++;
                    break;
                default:
                    throw new IllegalStateException("constant pool tag " + tag + " at index " + index);
            }
        }
        return texts;
    }

    private static URL[] extensionClassPath() throws IOException {
        List<URL> urls = new ArrayList<>();
        urls.add(jar.toUri().toURL());
        List<Path> runtime = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Paths.get(entry);
            if (path.getFileName() != null && JAMES_RUNTIME.matcher(path.getFileName().toString()).matches()) {
                runtime.add(path);
            }
        }
        assertThat(runtime).as("Netty and Reactor jars on the test class path")
            .anyMatch(path -> path.getFileName().toString().startsWith("netty-transport-"))
            .anyMatch(path -> path.getFileName().toString().startsWith("reactor-core-"));
        for (Path path : runtime) {
            urls.add(path.toUri().toURL());
        }
        return urls.toArray(new URL[0]);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** lettuce names its threads "lettuce-…" (event loops, executors, timer). */
    private static Set<Thread> lettuceThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.getName().startsWith("lettuce-"))
            .collect(Collectors.toSet());
    }

    private static void awaitThreadsGone(Set<Thread> before, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Set<Thread> left;
        do {
            left = lettuceThreads();
            left.removeAll(before);
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertThat(left).as("lettuce threads still running after close").isEmpty();
    }
}
