package io.barco.cli;

import io.barco.image.ImageException;
import io.barco.image.ImageStore;
import io.barco.spec.Size;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code barco images} (the image cache's images), {@code barco pull IMAGE...} (each resolved into the
 * cache, as a launch would, without a launch) and {@code barco rmi IMAGE...} (each removed, with the
 * layers no other has).
 */
final class ImagesCommand {
    private ImagesCommand() {}

    static int run(String[] argv, Path cwd, PrintStream out, PrintStream err) {
        try {
            ImageStore store = ImageStore.defaults();
            if (argv[0].equals("images")) {
                if (argv.length != 1) {
                    err.println("barco: barco images takes no arguments");
                    return BarcoCommand.EXIT_BARCO_FAILED;
                }
                out.printf("%-12s  %6s  %9s  %s%n", "ID", "LAYERS", "SIZE", "REFERENCES");
                for (ImageStore.Record r : store.list()) {
                    out.printf(
                            "%-12s  %6d  %9s  %s%n",
                            r.shortId(), r.layers().size(), Size.format(r.bytes()), String.join(" ", r.references()));
                }
                return 0;
            }
            if (argv.length < 2) {
                err.println("barco: barco " + argv[0] + " IMAGE...: name an image"
                        + (argv[0].equals("rmi") ? " by its id or reference (see barco images)" : ""));
                return BarcoCommand.EXIT_BARCO_FAILED;
            }
            if (argv[0].equals("pull")) {
                for (int i = 1; i < argv.length; i++) {
                    io.barco.spec.ImageRoot root = store.resolve(argv[i], cwd);
                    out.println(root.id().substring("sha256:".length(), "sha256:".length() + 12) + " " + argv[i]);
                }
                return 0;
            }
            for (int i = 1; i < argv.length; i++) {
                for (ImageStore.Record r : store.remove(argv[i])) {
                    out.println("removed " + r.shortId() + " " + String.join(" ", r.references()));
                }
            }
            return 0;
        } catch (ImageException e) {
            err.println("barco: " + e.getMessage());
            return BarcoCommand.EXIT_IMAGE_FAILED;
        } catch (IOException | java.io.UncheckedIOException e) {
            err.println("barco: the image cache: " + e.getMessage());
            return BarcoCommand.EXIT_BARCO_FAILED;
        }
    }

    /** barco gc's part: unfinished unpacks of dead JVMs, layers no cached image has. */
    static List<Path> collect(PrintStream out, PrintStream err) {
        try {
            List<Path> removed = ImageStore.defaults().collect();
            removed.forEach(p -> out.println("removed " + p));
            return removed;
        } catch (IOException | java.io.UncheckedIOException e) {
            err.println("barco: the image cache: " + e.getMessage());
            return List.of();
        }
    }
}
