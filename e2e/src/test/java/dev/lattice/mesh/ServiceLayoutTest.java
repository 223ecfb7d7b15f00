package dev.lattice.mesh;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layout of a service (docs/architecture.md §4, "The layout of a service"), checked on the
 * compiled code of all six: the root package holds Main and Config; {@code api/} is the gRPC edge
 * and nothing but Main uses it; only {@code events/} writes the outbox or consumes events; all SQL
 * is in {@code *Store} classes; feature packages form no cycle. A broken rule names the class and
 * the dependency.
 */
class ServiceLayoutTest {

  static final List<String> SERVICES =
      List.of("identity", "orders", "inventory", "payments", "notifications", "audit");

  /** What code outside a store may touch of jOOQ: the transaction handle it passes on. */
  private static final Set<String> TRANSACTION_HANDLE =
      Set.of("org.jooq.DSLContext", "org.jooq.Configuration");

  /** DSLContext methods that open a transaction instead of running SQL. */
  private static final Set<String> TRANSACTION_METHODS =
      Set.of("transaction", "transactionResult", "configuration");

  private static JavaClasses classes;

  @BeforeAll
  static void importTheServices() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(SERVICES.stream().map(s -> "dev.lattice." + s).toArray(String[]::new));
  }

  static List<String> services() {
    return SERVICES;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("services")
  void theRootPackage_holdsOnlyMainAndConfig(String service) {
    String main = mainOf(service);
    String config = configOf(service);
    classes()
        .that()
        .resideInAPackage(base(service))
        .should(beTopLevelOneOf(main, config))
        .because("the root package is the wiring (Main) and the settings (Config)")
        .check(classes);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("services")
  void api_isUsedByMainAlone(String service) {
    noClasses()
        .that()
        .resideInAPackage(base(service) + "..")
        .and()
        .resideOutsideOfPackage(base(service) + ".api..")
        .and(not(topLevelNamed(mainOf(service))))
        .should()
        .dependOnClassesThat()
        .resideInAPackage(base(service) + ".api..")
        .because("api/ is the gRPC edge; the features below it do not know it")
        .check(classes);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("services")
  void grpcServicesAndInterceptors_liveInApi(String service) {
    classes()
        .that(codeOf(service))
        .and(
            DescribedPredicate.describe(
                "serve or intercept gRPC",
                c ->
                    c.isAssignableTo(io.grpc.BindableService.class)
                        || c.isAssignableTo(io.grpc.ServerInterceptor.class)))
        .should()
        .resideInAPackage(base(service) + ".api..")
        .allowEmptyShould(false)
        .check(classes);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("services")
  void grpcTypes_onlyAtTheEdges(String service) {
    noClasses()
        .that(codeOf(service))
        .and()
        .resideOutsideOfPackage(base(service) + ".api..")
        .and(not(topLevelNamed(mainOf(service))))
        .and(not(callsAnotherServiceThroughItsStub(service)))
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.grpc..")
        .because("domain logic signals failure with the platform's exceptions; api/ maps them")
        .check(classes);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("services")
  void onlyEvents_writesTheOutboxOrConsumes(String service) {
    noClasses()
        .that(codeOf(service))
        .and()
        .resideOutsideOfPackage(base(service) + ".events..")
        .and(not(topLevelNamed(mainOf(service))))
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("dev.lattice.platform.outbox.OutboxWriter")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("dev.lattice.platform.consumer.EventContext")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("dev.lattice.platform.consumer.EventHandler")
        .because("events/ is what a service publishes and consumes")
        .check(classes);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("services")
  void generatedTablesAndRecords_onlyInStores(String service) {
    noClasses()
        .that(codeOf(service))
        .and(not(aStore()))
        .should()
        .dependOnClassesThat()
        .resideInAPackage(base(service) + ".store.jooq..")
        .because("all SQL is in *Store classes, which return the feature's own value types")
        .check(classes);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("services")
  void jooqBeyondTheTransactionHandle_onlyInStores(String service) {
    noClasses()
        .that(codeOf(service))
        .and(not(aStore()))
        .and(not(topLevelNamed(mainOf(service))))
        .should()
        .dependOnClassesThat(jooqQueryApi())
        .orShould(callDslContextBeyondTransactions())
        .because("outside a store a DSLContext is only the handle of a transaction passed on")
        .check(classes);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("services")
  void featurePackages_formNoCycle(String service) {
    SlicesRuleDefinition.slices()
        .matching(base(service) + ".(*)..")
        .that(
            DescribedPredicate.describe(
                "feature packages",
                slice -> {
                  String name = slice.getNamePart(1);
                  return !Set.of("api", "events", "v1").contains(name);
                }))
        .should()
        .beFreeOfCycles()
        .check(classes);
  }

  @Test
  void theRules_seeEveryServiceAndCatchABreach() {
    for (String service : SERVICES) {
      assertThat(classes.stream().filter(codeOf(service)::test))
          .as("classes of %s", service)
          .isNotEmpty();
    }
    // Main uses jOOQ's configuration and api/: the same rules, without Main's exemption, say so.
    ArchRule mainKnowsNoApi =
        noClasses()
            .that(topLevelNamed(mainOf("orders")))
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.lattice.orders.api..");
    assertThatThrownBy(() -> mainKnowsNoApi.check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("OrdersGrpcService");
    ArchRule storesRunNoSql =
        noClasses().that(aStore()).should().dependOnClassesThat(jooqQueryApi());
    assertThatThrownBy(() -> storesRunNoSql.check(classes)).isInstanceOf(AssertionError.class);
  }

  private static String base(String service) {
    return "dev.lattice." + service;
  }

  private static String mainOf(String service) {
    return base(service) + "." + capitalized(service) + "Main";
  }

  private static String configOf(String service) {
    return base(service) + "." + capitalized(service) + "Config";
  }

  private static String capitalized(String service) {
    return service.substring(0, 1).toUpperCase(Locale.ROOT) + service.substring(1);
  }

  /**
   * Hand-written code of {@code service}: not its contracts (v1) nor its generated jOOQ classes.
   */
  private static DescribedPredicate<JavaClass> codeOf(String service) {
    String base = base(service);
    return DescribedPredicate.describe(
        "the code of " + service,
        c -> {
          String pkg = c.getPackageName();
          return (pkg.equals(base) || pkg.startsWith(base + "."))
              && !pkg.equals(base + ".v1")
              && !pkg.startsWith(base + ".v1.")
              && !pkg.startsWith(base + ".store.jooq");
        });
  }

  private static DescribedPredicate<JavaClass> topLevelNamed(String name) {
    return DescribedPredicate.describe(name, c -> topLevel(c).getName().equals(name));
  }

  private static DescribedPredicate<JavaClass> aStore() {
    return DescribedPredicate.describe(
        "a *Store",
        c ->
            topLevel(c).getSimpleName().endsWith("Store")
                || c.getPackageName().contains(".store.jooq"));
  }

  private static DescribedPredicate<JavaClass> not(DescribedPredicate<JavaClass> p) {
    return DescribedPredicate.not(p);
  }

  private static JavaClass topLevel(JavaClass c) {
    JavaClass t = c;
    while (t.getEnclosingClass().isPresent()) {
      t = t.getEnclosingClass().get();
    }
    return t;
  }

  private static DescribedPredicate<JavaClass> jooqQueryApi() {
    return DescribedPredicate.describe(
        "jOOQ's query API (anything but the transaction handle)",
        c ->
            c.getPackageName().startsWith("org.jooq")
                && !c.getPackageName().startsWith("org.jooq.exception")
                && !TRANSACTION_HANDLE.contains(c.getName()));
  }

  /**
   * A class holding another service's generated stub ({@code dev.lattice.<other>.v1.*Grpc}): the
   * outbound adapter, which may use gRPC's types to call it.
   */
  private static DescribedPredicate<JavaClass> callsAnotherServiceThroughItsStub(String service) {
    return DescribedPredicate.describe(
        "a client of another service",
        c ->
            topLevelAndNested(c).stream()
                .anyMatch(
                    k ->
                        k.getDirectDependenciesFromSelf().stream()
                            .anyMatch(
                                d -> {
                                  JavaClass target = d.getTargetClass();
                                  String pkg = target.getPackageName();
                                  return pkg.startsWith("dev.lattice.")
                                      && pkg.endsWith(".v1")
                                      && !pkg.equals(base(service) + ".v1")
                                      && topLevel(target).getSimpleName().endsWith("Grpc");
                                })));
  }

  private static List<JavaClass> topLevelAndNested(JavaClass c) {
    JavaClass t = topLevel(c);
    return classes.stream().filter(k -> topLevel(k).equals(t)).toList();
  }

  private static ArchCondition<JavaClass> beTopLevelOneOf(String... names) {
    Set<String> allowed = Set.of(names);
    return new ArchCondition<>("be " + allowed + " or nested in them") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        boolean ok = allowed.contains(topLevel(c).getName());
        events.add(new SimpleConditionEvent(c, ok, c.getName() + " sits in the root package"));
      }
    };
  }

  private static ArchCondition<JavaClass> callDslContextBeyondTransactions() {
    return new ArchCondition<>("call DSLContext methods other than " + TRANSACTION_METHODS) {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        for (JavaMethodCall call : c.getMethodCallsFromSelf()) {
          String owner = call.getTargetOwner().getName();
          if (owner.equals("org.jooq.DSLContext")
              && !TRANSACTION_METHODS.contains(call.getName())) {
            events.add(SimpleConditionEvent.violated(call, describe(call)));
          }
        }
      }
    };
  }

  private static String describe(JavaAccess<?> access) {
    return access.getDescription();
  }
}
