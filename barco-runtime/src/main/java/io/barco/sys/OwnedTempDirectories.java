package io.barco.sys;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Temp directories named for the JVM that made them, {@code barco-KIND-PID-START-RANDOM}, 0700: a JVM
 * killed before it could remove its own leaves them behind, and the next JVM to make one, or
 * {@code barco gc}, removes those whose owner is gone (without following any link in them: a
 * container may have written there).
 */
public final class OwnedTempDirectories {
    private static final Pattern NAME = Pattern.compile("barco-([a-z]+)-(\\d+)-(\\d+)-.+");
    private static volatile boolean collected;

    private OwnedTempDirectories() {}

    /** A new directory under the temp directory, for {@code kind} ("junit", say). */
    public static Path create(String kind) throws IOException {
        collectDeadOnce();
        return Files.createTempDirectory(
                tempRoot(),
                "barco-" + kind + "-" + LauncherIdentity.self() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /** Whether the directory was made by this JVM. */
    public static boolean ours(Path dir) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        return m.matches() && (m.group(2) + "-" + m.group(3)).equals(LauncherIdentity.self());
    }

    private static void collectDeadOnce() {
        if (!collected) {
            collected = true;
            collectDead();
        }
    }

    /** Removes the directories of JVMs that are gone; returns them. Best effort: one that fails stays for the next time. */
    public static List<Path> collectDead() {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tempRoot(), "barco-*")) {
            for (Path entry : entries) {
                Matcher m = NAME.matcher(entry.getFileName().toString());
                if (m.matches() && !LauncherIdentity.alive(Long.parseLong(m.group(2)), m.group(3))) {
                    try {
                        UntrustedFiles.deleteTree(entry);
                        removed.add(entry);
                    } catch (IOException e) {
                        // another JVM collects it at the same time, or it is not ours to remove
                    }
                }
            }
        } catch (IOException e) {
            // no temp directory to look in
        }
        return removed;
    }

    private static Path tempRoot() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }
}
