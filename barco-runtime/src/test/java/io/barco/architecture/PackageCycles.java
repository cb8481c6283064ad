package io.barco.architecture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The package dependencies of a module, read from its sources, and their cycles: each module's
 * {@code PackageCyclesTest} asserts there are none, so that each package reads as a layer over the
 * ones it uses. Read from the sources rather than with a library such as ArchUnit: one rule needs no
 * dependency, and the sources name every type they use outside their package, by import or fully
 * qualified. Shared with barco-junit through barco-runtime's test jar.
 *
 * <p>Only packages under the module's root package count. The root package holds the facade, which
 * uses everything, and the vocabulary every package shares (BarcoException and Setting in
 * barco-runtime, the annotations in barco-junit). A root type that uses no other package of the module
 * is a node of its own: it closes no cycle, whoever uses it.
 */
public final class PackageCycles {
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.barco(?:\\.[a-z][a-z0-9]*)*)\\.([A-Z]\\w*)");
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);
    private static final Pattern STRINGS = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"");

    private PackageCycles() {}

    /** Node to the nodes it uses: a package under {@code root}, or a root type that uses no other package. */
    public static Map<String, Set<String>> dependencies(Path sources, String root) throws IOException {
        Map<String, Set<String>> typeUses = new HashMap<>(); // qualified type -> packages it references
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java"))
                    .toList()) {
                String pkg = sources.relativize(file.getParent()).toString().replace('/', '.');
                String type = pkg + "." + file.getFileName().toString().replace(".java", "");
                String code = STRINGS.matcher(
                                COMMENTS.matcher(Files.readString(file)).replaceAll(" "))
                        .replaceAll("\"\"");
                Set<String> used = new TreeSet<>();
                Matcher m = REFERENCE.matcher(code);
                while (m.find()) {
                    boolean inModule = m.group(1).equals(root) || m.group(1).startsWith(root + ".");
                    if (inModule && !m.group(1).equals(pkg)) {
                        used.add(m.group(1) + "." + m.group(2));
                    }
                }
                typeUses.put(type, used);
            }
        }
        Map<String, Set<String>> graph = new TreeMap<>();
        typeUses.forEach((type, used) -> {
            Set<String> edges = graph.computeIfAbsent(node(type, root, typeUses), k -> new TreeSet<>());
            for (String target : used) {
                String to = node(target, root, typeUses);
                if (!to.equals(node(type, root, typeUses))) {
                    edges.add(to);
                }
            }
        });
        return graph;
    }

    private static String node(String type, String root, Map<String, Set<String>> typeUses) {
        String pkg = type.substring(0, type.lastIndexOf('.'));
        boolean rootLeaf =
                pkg.equals(root) && typeUses.getOrDefault(type, Set.of()).isEmpty();
        return rootLeaf ? type : pkg;
    }

    /** Each strongly connected group of more than one node (Tarjan), sorted. */
    public static List<List<String>> cycles(Map<String, Set<String>> graph) {
        List<List<String>> found = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        int[] counter = {0};
        for (String node : new TreeSet<>(graph.keySet())) {
            if (!index.containsKey(node)) {
                connect(node, graph, index, low, stack, onStack, counter, found);
            }
        }
        return found;
    }

    private static void connect(
            String node,
            Map<String, Set<String>> graph,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            Set<String> onStack,
            int[] counter,
            List<List<String>> found) {
        index.put(node, counter[0]);
        low.put(node, counter[0]++);
        stack.push(node);
        onStack.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                connect(next, graph, index, low, stack, onStack, counter, found);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            List<String> group = new ArrayList<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                group.add(member);
            } while (!member.equals(node));
            if (group.size() > 1) {
                found.add(group.stream().sorted().toList());
            }
        }
    }
}
