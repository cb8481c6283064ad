package io.barco.junit;

import io.barco.sys.ProcFiles;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** What a test made and may have left behind, found by names only it uses: the machine is shared. */
final class Leftovers {
    private Leftovers() {}

    /** Processes whose command line holds a token only the test's own processes carry. */
    static List<Long> processesWith(String token) {
        return ProcessHandle.allProcesses()
                .filter(p -> {
                    try {
                        return ProcFiles.read(Path.of("/proc/" + p.pid() + "/cmdline"))
                                .contains(token);
                    } catch (IOException | RuntimeException e) {
                        return false; // gone meanwhile
                    }
                })
                .map(ProcessHandle::pid)
                .toList();
    }

    /** cgroups, in any hierarchy, whose name starts with the prefix; other JVMs' groups come and go meanwhile. */
    static List<Path> cgroupsStartingWith(String prefix) throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(Path.of("/sys/fs/cgroup"), Set.of(), 4, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (dir.getFileName() != null && dir.getFileName().toString().startsWith(prefix)) {
                    found.add(dir);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // removed by its owner while we looked
            }
        });
        return found;
    }
}
