package io.barco.junit.fork;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.discovery.UniqueIdSelector;
import org.junit.platform.launcher.PostDiscoveryFilter;

/**
 * What a batch fork discovers: the top-level classes of the tests the host planned, selected as
 * classes, then narrowed to those tests by a filter. Selecting each test method by its unique id
 * is not the same: Jupiter resolves a method id by looking the method up by name in the class, so
 * an inherited {@code @Test} method that a subclass overrides without {@code @Test} (commons-io's
 * {@code DirectoryFileComparatorTest#testSortList}) is a test when its class is discovered, as in a
 * plain run, and "could not be resolved" when selected by id. Discovering the class as the host
 * did gives the fork the host's tests, under the host's ids.
 */
record BatchSelection(List<UniqueIdSelector> selectors, PostDiscoveryFilter filter) {

    static BatchSelection of(List<String> wanted) {
        Set<String> classes = new LinkedHashSet<>();
        Set<UniqueId> planned = new HashSet<>();
        Set<UniqueId> onTheWay = new HashSet<>();
        for (String id : wanted) {
            classes.add(topLevelClass(id));
            UniqueId uniqueId = UniqueId.parse(id);
            planned.add(uniqueId);
            for (UniqueId up = uniqueId; up.getSegments().size() > 1; ) {
                up = up.removeLastSegment();
                onTheWay.add(up);
            }
        }
        List<UniqueIdSelector> selectors =
                classes.stream().map(id -> selectUniqueId(id)).toList();
        PostDiscoveryFilter filter = descriptor -> planned(descriptor.getUniqueId(), planned, onTheWay)
                ? FilterResult.included("planned by the host")
                : FilterResult.excluded("not in the host's plan for this batch");
        return new BatchSelection(selectors, filter);
    }

    /** The id up to its first class segment: the top-level class, or the id itself for what has none. */
    static String topLevelClass(String id) {
        UniqueId uniqueId = UniqueId.parse(id);
        UniqueId prefix = UniqueId.root(
                uniqueId.getSegments().get(0).getType(),
                uniqueId.getSegments().get(0).getValue());
        for (UniqueId.Segment segment :
                uniqueId.getSegments().subList(1, uniqueId.getSegments().size())) {
            prefix = prefix.append(segment);
            if (segment.getType().equals("class")) {
                return prefix.toString();
            }
        }
        return id;
    }

    /** A planned test, a container on the way to one, or what a planned container holds. */
    private static boolean planned(UniqueId id, Set<UniqueId> planned, Set<UniqueId> onTheWay) {
        if (onTheWay.contains(id)) {
            return true;
        }
        for (UniqueId up = id; ; up = up.removeLastSegment()) {
            if (planned.contains(up)) {
                return true;
            }
            if (up.getSegments().size() == 1) {
                return false;
            }
        }
    }
}
