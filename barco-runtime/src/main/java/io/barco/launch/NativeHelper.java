package io.barco.launch;

import io.barco.BarcoException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Finds the native launch helper that the build compiled and packed next to this class. From a
 * jar it is copied once to a per-user cache, named by its content hash so versions never collide.
 */
final class NativeHelper {
    private static final String RESOURCE = "native/linux-x86-64/barco-helper";
    private static volatile Path path;

    private NativeHelper() {}

    static Path path() {
        Path p = path;
        if (p == null) {
            synchronized (NativeHelper.class) {
                p = path;
                if (p == null) {
                    p = locate();
                    path = p;
                }
            }
        }
        return p;
    }

    private static Path locate() {
        String override = System.getenv("BARCO_HELPER");
        if (override != null && !override.isEmpty()) {
            return Path.of(override);
        }
        if (!"amd64".equals(System.getProperty("os.arch"))) {
            throw new BarcoException("barco's native helper is built for x86-64 Linux only; this JVM runs on "
                    + System.getProperty("os.arch"));
        }
        URL url = NativeHelper.class.getResource(RESOURCE);
        if (url == null) {
            throw new BarcoException("barco's native helper is missing from the classpath (" + RESOURCE
                    + "): build barco-runtime with Maven, which compiles it with cc");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                Path file = Path.of(url.toURI());
                if (Files.isExecutable(file)) {
                    return file;
                }
            }
            return extract(url);
        } catch (IOException | URISyntaxException e) {
            throw new BarcoException("cannot install barco's native helper: " + e.getMessage(), e);
        }
    }

    private static Path extract(URL url) throws IOException {
        byte[] bytes;
        try (InputStream in = url.openStream()) {
            bytes = in.readAllBytes();
        }
        String hash;
        try {
            hash = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path dir = io.barco.sys.UserCache.directory("helper");
        Path target = dir.resolve("barco-helper-" + hash);
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
                && Files.isExecutable(target)
                && Arrays.equals(Files.readAllBytes(target), bytes)) {
            return target;
        }
        Path temp = Files.createTempFile(dir, "barco-helper", ".part");
        try {
            Files.write(temp, bytes);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        return target;
    }
}
