package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.junit.jvm.BatchPlan;
import io.barco.junit.jvm.ClassPlan;
import io.barco.junit.jvm.Granularity;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A class's JVM-mode plan, resolved in one place: granularity from the annotation or the parameter,
 * whether all its tests fork, and the JVM it shares. Over fake class contexts: nothing runs.
 */
class ClassPlansTest {
    private static final String ENGINE = "[engine:junit-jupiter]";

    @InBarco
    static class Annotated {
        @Test
        void a() {}

        @Test
        void b() {}
    }

    @InBarco(granularity = InBarco.Granularity.METHOD)
    static class PerMethod {
        @Test
        void a() {}
    }

    static class Unannotated {
        @Test
        void a() {}
    }

    @InBarco
    static class Mixed {
        @Test
        void jvm() {}

        @Test
        void command(BarcoContainer barco) {}
    }

    @InBarco(memory = "64M")
    static class Outer {
        @Test
        void a() {}

        @Nested
        class SameSettings {
            @Test
            void b() {}
        }

        @Nested
        @InBarco(memory = "128M")
        class OwnSettings {
            @Test
            void c() {}
        }
    }

    private final Map<String, String> parameters = new HashMap<>();
    private final ExtensionContext root = context(ENGINE, null, null);

    @Test
    void anAnnotatedClassSharesAJvmOfItsOwnByDefault() {
        ClassPlan plan = ClassPlans.of(topClass(Annotated.class));

        assertThat(plan.granularity()).isEqualTo(Granularity.CLASS);
        assertThat(plan.jvmModeClass()).isTrue();
        assertThat(plan.lastOfBatch()).as("its JVM ends with it").isTrue();
        BatchPlan batch = plan.batch().orElseThrow();
        assertThat(batch.key()).isEqualTo(plan.classId());
        assertThat(batch.name()).isEqualTo(Annotated.class.getName());
    }

    @Test
    void theAnnotationsGranularityWinsOverTheParameter() {
        parameters.put(BarcoExtension.GRANULARITY_PARAMETER, "class");
        ClassPlan plan = ClassPlans.of(topClass(PerMethod.class));

        assertThat(plan.granularity()).isEqualTo(Granularity.METHOD);
        assertThat(plan.batch()).as("each test has its own JVM").isEmpty();
    }

    @Test
    void underRunTheUnannotatedClassesShareTheRunsJvmAndAnAnnotatedOneKeepsItsOwn() {
        parameters.put(BarcoExtension.ALL_PARAMETER, "true");
        parameters.put(BarcoExtension.GRANULARITY_PARAMETER, "run");

        ClassPlan unannotated = ClassPlans.of(topClass(Unannotated.class));
        ClassPlan annotated = ClassPlans.of(topClass(Annotated.class));

        assertThat(unannotated.granularity()).isEqualTo(Granularity.RUN);
        assertThat(unannotated.batch().orElseThrow().key()).isEqualTo("*");
        assertThat(annotated.granularity()).isEqualTo(Granularity.CLASS);
    }

    @Test
    void anUnannotatedClassWithoutTheSwitchIsNotBarcos() {
        ClassPlan plan = ClassPlans.of(topClass(Unannotated.class));

        assertThat(plan.jvmModeClass()).isFalse();
        assertThat(plan.batch()).isEmpty();
    }

    @Test
    void aClassWithACommandModeTestIsNotAllJvmModeButStillBatchesTheOthers() {
        ClassPlan plan = ClassPlans.of(topClass(Mixed.class));

        assertThat(plan.jvmModeClass()).isFalse();
        assertThat(plan.batch()).isPresent();
    }

    @Test
    void aNestedClassWithItsOuterClassesSettingsSharesItsJvmAndOneWithItsOwnHasItsOwn() {
        ExtensionContext outer = topClass(Outer.class);
        ExtensionContext same =
                context(outer.getUniqueId() + "/[nested-class:SameSettings]", Outer.SameSettings.class, outer);
        ExtensionContext own =
                context(outer.getUniqueId() + "/[nested-class:OwnSettings]", Outer.OwnSettings.class, outer);

        ClassPlan samePlan = ClassPlans.of(same);
        ClassPlan ownPlan = ClassPlans.of(own);

        assertThat(samePlan.batch().orElseThrow().key()).isEqualTo(outer.getUniqueId());
        assertThat(samePlan.lastOfBatch()).as("the outer class's JVM runs on").isFalse();
        assertThat(ownPlan.batch().orElseThrow().key()).isEqualTo(own.getUniqueId());
        assertThat(ownPlan.batch().get().settings())
                .isNotEqualTo(samePlan.batch().get().settings());
        assertThat(ownPlan.lastOfBatch()).isTrue();
    }

    @Test
    void aPlanIsResolvedOncePerClassAndItsTestsReadTheirClasssPlan() throws Exception {
        ExtensionContext type = topClass(Annotated.class);
        ExtensionContext test = context(
                type.getUniqueId() + "/[method:a()]", Annotated.class, type, Annotated.class.getDeclaredMethod("a"));

        ClassPlan plan = ClassPlans.of(type);

        assertThat(ClassPlans.of(type)).isSameAs(plan);
        assertThat(ClassPlans.of(test)).isSameAs(plan);
    }

    @Test
    void anInvalidGranularityParameterSaysWhatIsValid() {
        parameters.put(BarcoExtension.GRANULARITY_PARAMETER, "suite");

        assertThatThrownBy(() -> ClassPlans.of(topClass(Annotated.class)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid barco.granularity 'suite': use method, class or run");
    }

    private ExtensionContext topClass(Class<?> type) {
        return context(ENGINE + "/[class:" + type.getName() + "]", type, root);
    }

    private ExtensionContext context(String id, Class<?> type, ExtensionContext parent) {
        return context(id, type, parent, null);
    }

    /**
     * A class's (or a test's, with {@code method}) context: its id, class, parent and store, and the
     * run's configuration parameters; what else an extension might ask is not asked here.
     */
    private ExtensionContext context(
            String id, Class<?> type, ExtensionContext parent, java.lang.reflect.Method method) {
        ExtensionContext.Store store = store();
        ExtensionContext[] self = new ExtensionContext[1];
        InvocationHandler handler = (proxy, called, args) -> switch (called.getName()) {
            case "getUniqueId" -> id;
            case "getTestClass" -> Optional.ofNullable(type);
            case "getRequiredTestClass" -> type;
            case "getTestMethod" -> Optional.ofNullable(method);
            case "getParent" -> Optional.ofNullable(parent);
            case "getRoot" -> parent == null ? self[0] : parent.getRoot();
            case "getStore" -> store;
            case "getConfigurationParameter" -> {
                if (args.length != 1) {
                    throw new UnsupportedOperationException("getConfigurationParameter with a transformer");
                }
                yield Optional.ofNullable(parameters.get((String) args[0]));
            }
            case "toString" -> "fake context " + id;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> throw new UnsupportedOperationException(called.getName());
        };
        self[0] = (ExtensionContext)
                Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ExtensionContext.class}, handler);
        return self[0];
    }

    /** A context's own store: what its context put there (the plan), by key. */
    private static ExtensionContext.Store store() {
        Map<Object, Object> values = new HashMap<>();
        InvocationHandler handler = (proxy, called, args) -> switch (called.getName()) {
            case "get" -> values.get(args[0]);
            case "put" -> values.put(args[0], args[1]);
            case "getOrComputeIfAbsent" -> {
                @SuppressWarnings("unchecked")
                Function<Object, Object> create = (Function<Object, Object>) args[1];
                yield values.computeIfAbsent(args[0], create);
            }
            case "toString" -> "fake store " + values;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> throw new UnsupportedOperationException(called.getName());
        };
        return (ExtensionContext.Store) Proxy.newProxyInstance(
                ClassPlansTest.class.getClassLoader(), new Class<?>[] {ExtensionContext.Store.class}, handler);
    }
}
