package dev.inflight.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layout shows the architecture: the engine knows PostgreSQL, nothing of Kubernetes or callers.
 */
@AnalyzeClasses(packages = "dev.inflight", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  @ArchTest
  static final ArchRule engineImportsNoKubernetes =
      noClasses()
          .that()
          .resideInAPackage("dev.inflight.engine..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.fabric8..", "io.javaoperatorsdk..", "io.kubernetes..");

  @ArchTest
  static final ArchRule engineDoesNotKnowItsCallers =
      noClasses()
          .that()
          .resideInAPackage("dev.inflight.engine..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.inflight.cli..", "dev.inflight.operator..");

  @ArchTest
  static final ArchRule apiIsPlainData =
      noClasses()
          .that()
          .resideInAPackage("dev.inflight.api..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.inflight.engine..",
              "dev.inflight.cli..",
              "dev.inflight.operator..",
              "java.sql..");
}
