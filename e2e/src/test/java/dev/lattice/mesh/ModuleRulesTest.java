package dev.lattice.mesh;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The module rules of docs/architecture.md §1, checked on the bytecode of every module (the
 * launcher's classpath holds them all): a service uses another only through the contracts ({@code
 * dev.lattice.<service>.v1}, generated from proto/), never its code; the platform, the edge and the
 * sandbox use no service's code. A rule that breaks names the class and the dependency.
 */
class ModuleRulesTest {

  private static final List<String> SERVICES =
      List.of("identity", "orders", "inventory", "payments", "notifications", "audit");

  private static JavaClasses classes;

  @BeforeAll
  static void importTheModules() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.lattice");
  }

  @ParameterizedTest
  @ValueSource(strings = {"identity", "orders", "inventory", "payments", "notifications", "audit"})
  void aService_usesNoOtherServicesCode(String service) {
    List<String> others = SERVICES.stream().filter(s -> !s.equals(service)).toList();
    ArchRule rule =
        noClasses()
            .that(codeOf(List.of(service)))
            .should()
            .dependOnClassesThat(codeOf(others))
            .because("services talk through gRPC stubs and events, never each other's code");
    rule.check(classes);
  }

  @Test
  void platformEdgeAndSandbox_useNoServicesCode() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.lattice.platform..", "dev.lattice.edge..", "dev.lattice.sandbox..")
        .should()
        .dependOnClassesThat(codeOf(SERVICES))
        .because(
            "the platform serves every service and knows none; the edge knows services only"
                + " through the descriptor set")
        .check(classes);
  }

  @Test
  void platform_namesNoServicesContract_butIdentitysKeysForAuth() {
    // Every service's events are found from the descriptor set (EventPayloadTypes), not imported;
    // the one contract the platform calls is identity's GetJwks, to verify tokens.
    noClasses()
        .that()
        .resideInAPackage("dev.lattice.platform..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            SERVICES.stream()
                .filter(s -> !s.equals("identity"))
                .map(s -> "dev.lattice." + s + ".v1..")
                .toArray(String[]::new))
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("dev.lattice.platform..")
        .and()
        .resideOutsideOfPackage("dev.lattice.platform.auth..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.lattice.identity.v1..")
        .check(classes);
  }

  @Test
  void productionCode_usesNoTestFixtures_andLocalServersNoTestFramework() {
    // The launcher and codegen run local-servers for real; the JUnit extensions are for tests.
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.lattice.testing..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.lattice.testing..")
        .because("platform-testing holds JUnit extensions, which only tests use")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("dev.lattice.local..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.junit..", "org.assertj..")
        .because("local-servers runs in production processes (./mesh up, codegen)")
        .check(classes);
  }

  @Test
  void aDependencyOnServiceCode_isCaught() {
    // The launcher runs the six modules, so its code does use theirs: the same rule must say so.
    ArchRule launcherKnowsNoService =
        noClasses()
            .that()
            .resideInAPackage("dev.lattice.mesh..")
            .should()
            .dependOnClassesThat(codeOf(SERVICES));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> launcherKnowsNoService.check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("dev.lattice.orders.OrdersMain");
  }

  @Test
  void theRules_seeEveryService() {
    for (String service : SERVICES) {
      org.assertj.core.api.Assertions.assertThat(
              classes.stream().filter(codeOf(List.of(service))::test))
          .as("classes of %s on the launcher's classpath", service)
          .isNotEmpty();
    }
  }

  /**
   * The code of {@code services}: classes in {@code dev.lattice.<service>} and below, except their
   * contracts ({@code dev.lattice.<service>.v1}, generated from proto/, which anyone may use).
   */
  private static DescribedPredicate<JavaClass> codeOf(List<String> services) {
    return DescribedPredicate.describe(
        "the code of " + services,
        c ->
            services.stream()
                .anyMatch(
                    s -> {
                      String base = "dev.lattice." + s;
                      String pkg = c.getPackageName();
                      return (pkg.equals(base) || pkg.startsWith(base + "."))
                          && !(pkg.equals(base + ".v1") || pkg.startsWith(base + ".v1."));
                    }));
  }
}
