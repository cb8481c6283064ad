package io.barco.architecture;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;

/**
 * No package of barco-runtime depends on itself through others: each reads as a layer over the ones
 * it uses (spec over seccomp, plan over spec, launch over plan). Read from the sources rather than
 * with a library such as ArchUnit: one rule needs no dependency, and the sources name every type
 * they use outside their package, by import or fully qualified.
 *
 * <p>The root package holds the facade, which uses everything, and the vocabulary every package
 * shares (BarcoException, Setting). A root type that uses no other package is a node of its own:
 * it closes no cycle, whoever uses it.
 */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.barco(?:\\.[a-z][a-z0-9]*)*)\\.([A-Z]\\w*)");
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);
    private static final Pattern STRINGS = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"");

    @Test
    void noPackageDependsOnItselfThroughOthers() throws IOException {
        Map<String, Set<String>> graph = dependencies();
        assertThat(graph).as("packages read from %s", SOURCES.toAbsolutePath()).containsKeys("io.barco.spec", "io.barco.seccomp");
        assertThat(cycles(graph)).as("package cycles").isEmpty();
    }

    @Test
    void seccompLiesBelowSpec() throws IOException {
        Map<String, Set<String>> graph = dependencies();
        assertThat(graph.get("io.barco.spec")).contains("io.barco.seccomp");
        assertThat(graph.get("io.barco.seccomp")).doesNotContain("io.barco.spec");
    }

    @Test
    void theCheckFindsACycle() {
        Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        assertThat(cycles(graph)).containsExactly(List.of("a", "b", "c"));
    }

    /** Node to the nodes it uses: a package, or a root type that uses no other package. */
    private static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> typeUses = new HashMap<>(); // qualified type -> packages it references
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
                String type = pkg + "." + file.getFileName().toString().replace(".java", "");
                String code = STRINGS.matcher(COMMENTS.matcher(Files.readString(file)).replaceAll(" ")).replaceAll("\"\"");
                Set<String> used = new TreeSet<>();
                Matcher m = REFERENCE.matcher(code);
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        used.add(m.group(1) + "." + m.group(2));
                    }
                }
                typeUses.put(type, used);
            }
        }
        Map<String, Set<String>> graph = new TreeMap<>();
        typeUses.forEach((type, used) -> {
            Set<String> edges = graph.computeIfAbsent(node(type, typeUses), k -> new TreeSet<>());
            for (String target : used) {
                String to = node(target, typeUses);
                if (!to.equals(node(type, typeUses))) {
                    edges.add(to);
                }
            }
        });
        return graph;
    }

    private static String node(String type, Map<String, Set<String>> typeUses) {
        String pkg = type.substring(0, type.lastIndexOf('.'));
        boolean rootLeaf = pkg.equals("io.barco") && typeUses.getOrDefault(type, Set.of()).isEmpty();
        return rootLeaf ? type : pkg;
    }

    /** Each strongly connected group of more than one node (Tarjan), sorted. */
    static List<List<String>> cycles(Map<String, Set<String>> graph) {
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

    private static void connect(String node, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
            Deque<String> stack, Set<String> onStack, int[] counter, List<List<String>> found) {
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
