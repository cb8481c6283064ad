#!/bin/bash
# Issue 17's JUnit matrix: which JUnit versions barco-junit works with, as a user's project declares
# them. For each version it makes a throwaway project (in a temporary directory) that declares JUnit
# one way: `junit-jupiter:X` directly ("direct"), `junit-bom:X` imported in dependencyManagement
# ("bom"), or `junit-jupiter-api:X` and `junit-jupiter-params:X` alone, the engine and launcher left
# to Surefire ("api"); with barco-junit declared before it (so that Maven's nearest-wins
# tie-break favours barco's JUnit if barco's pom let it), Surefire 3.5.4, a JVM-mode class (a test
# sharing its class's forked JVM, one with a JVM of its own, a parameterized test) and a
# command-mode class; runs `mvn -B verify` in it with barco.require=true (a test that cannot get a
# container fails); and prints one line per case: version, style, PASS/FAIL, the JUnit jars the
# test JVM loaded (each test also checks that the host and the forked JVM run exactly the user's
# JUnit, jupiter and platform alike), and on failure the first error line. Versions below
# BARCO_JUNIT_MIN are run too and are expected to fail, in one line that names the minimum.
#
# barco's jars are this checkout's, built here (`mvn package`) and installed in the local
# repository under a version of the check's own (0.1.0-junit-versions for 0.1.0-SNAPSHOT): the
# shared 0.1.0-SNAPSHOT is whichever checkout installed last, and another checkout's build can
# install it while the check runs (one did, here, halfway through a run).
#
# usage: samples/junit-versions/check.sh [--no-build] [VERSION...]
#   --no-build  take the jars already in barco-runtime/target and barco-junit/target
#   VERSION...  the JUnit Jupiter versions (default: the list below)
# env: MVN (default mvn), STYLES (default "direct bom api"), KEEP=1 keeps the temporary projects
# (a failing run keeps them anyway).
# Exit status 0 when every case at or above the minimum passes and each below it fails as it should.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mvn_cmd=${MVN:-mvn}
# the oldest JUnit barco-junit supports: keep in step with JUnitVersion.MINIMUM and docs/junit.md
min=5.9.0
build=1
if [ "${1:-}" = --no-build ]; then
  build=0
  shift
fi
versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then
  versions=(5.8.2 5.9.3 5.10.5 5.11.4 5.12.2 5.13.4 5.14.4 6.0.3 6.1.3)
fi
barco_version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -1)
check_version=${barco_version%-SNAPSHOT}-junit-versions

# Maven 3.8 prints colour codes even under -q -Dstyle.color=never: its steps' output is shown only on failure
quietly() { # LOG COMMAND...
  local log=$1
  shift
  "$@" > "$log" 2>&1 || { cat "$log" >&2; return 1; }
}

work=$(mktemp -d /tmp/barco-junit-versions.XXXXXX)
keep=${KEEP:-0}
cleanup() {
  if [ "$keep" = 1 ]; then
    echo "junit-versions: the cases' projects and logs are in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ $build = 1 ]; then
  (cd "$root" && quietly "$work/build.log" "$mvn_cmd" -B -q package -DskipTests -pl barco-junit -am)
fi

# this checkout's barco-parent, barco-runtime and barco-junit as $check_version, poms and all
mkdir -p "$work/barco"
for module in barco-parent barco-runtime barco-junit; do
  dir=$root/$module
  [ "$module" = barco-parent ] && dir=$root
  pom=$work/barco/$module.pom
  sed "s/${barco_version//./\\.}/$check_version/g" "$dir/pom.xml" > "$pom"
  file=$dir/target/$module-$barco_version.jar
  [ "$module" = barco-parent ] && file=$pom
  (cd "$work/barco" && quietly install.log "$mvn_cmd" -B -q -ntp install:install-file -Dfile="$file" -DpomFile="$pom")
done

# version_ge A B: whether version A >= version B (numeric, dot by dot)
version_ge() {
  [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$2" ]
}

# the platform version that goes with a Jupiter version: 5.x.y with 1.x.y; from 6 on they are the same
platform_of() {
  case $1 in
    5.*) echo "1.${1#5.}" ;;
    *) echo "$1" ;;
  esac
}

write_project() { # DIR VERSION STYLE
  local dir=$1 version=$2 style=$3 management='' jupiter_version="<version>$2</version>" jupiter=junit-jupiter params=''
  if [ "$style" = bom ]; then
    jupiter_version=''
    management="
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>org.junit</groupId>
        <artifactId>junit-bom</artifactId>
        <version>$version</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>"
  elif [ "$style" = api ]; then
    jupiter=junit-jupiter-api
    params="
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter-params</artifactId>
      <version>$version</version>
      <scope>test</scope>
    </dependency>"
  fi
  mkdir -p "$dir/src/test/java/matrix"
  cat > "$dir/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>junit-$version-$style</artifactId>
  <version>1.0</version>

  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
$management
  <dependencies>
    <dependency>
      <groupId>io.barco</groupId>
      <artifactId>barco-junit</artifactId>
      <version>$check_version</version>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>$jupiter</artifactId>
      $jupiter_version
      <scope>test</scope>
    </dependency>$params
  </dependencies>

  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.13.0</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-surefire-plugin</artifactId>
        <version>3.5.4</version>
        <configuration>
          <systemPropertyVariables>
            <barco.require>true</barco.require>
            <matrix.jupiter>$version</matrix.jupiter>
            <matrix.platform>$(platform_of "$version")</matrix.platform>
          </systemPropertyVariables>
        </configuration>
      </plugin>
    </plugins>
  </build>
</project>
EOF
  cat > "$dir/src/test/java/matrix/JUnitJars.java" <<'EOF'
package matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JUnit jars this JVM loaded, and a check that they are all the version the project chose. */
final class JUnitJars {
    private static final String[] CLASSES = {
        "org.junit.jupiter.api.Test", "org.junit.jupiter.engine.JupiterTestEngine",
        "org.junit.platform.commons.support.AnnotationSupport", "org.junit.platform.engine.TestEngine",
        "org.junit.platform.launcher.Launcher",
    };

    static Map<String, String> loaded() throws Exception {
        Map<String, String> jars = new LinkedHashMap<>();
        for (String name : CLASSES) {
            Class<?> type = Class.forName(name);
            String jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getFileName().toString();
            jars.put(name, jar);
        }
        return jars;
    }

    static void assertTheProjectsVersions(String where) throws Exception {
        Map<String, String> jars = loaded();
        jars.forEach((type, jar) -> {
            String wanted = System.getProperty(type.startsWith("org.junit.jupiter") ? "matrix.jupiter" : "matrix.platform");
            assertEquals(true, jar.endsWith("-" + wanted + ".jar"), where + ": " + type + " came from " + jar + ", not version " + wanted);
        });
    }

    private JUnitJars() {
    }
}
EOF
  cat > "$dir/src/test/java/matrix/JvmModeTest.java" <<'EOF'
package matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.barco.junit.InBarco;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** JVM mode: the tests run in JVMs forked inside containers, which must run the project's JUnit. */
@InBarco(memory = "256M")
class JvmModeTest {

    @Test
    void runsInTheClassesForkedJvm() throws Exception {
        assertEquals(1, ProcessHandle.current().pid(), "PID 1 of its container");
        JUnitJars.assertTheProjectsVersions("the class's forked JVM");
    }

    @Test
    @InBarco(memory = "300M")
    void runsInAJvmOfItsOwn() throws Exception {
        assertEquals(1, ProcessHandle.current().pid(), "PID 1 of its container");
        JUnitJars.assertTheProjectsVersions("a test's own forked JVM");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aParameterizedTest(int n) {
        assertEquals(1, ProcessHandle.current().pid(), "PID 1 of its container, invocation " + n);
    }
}
EOF
  cat > "$dir/src/test/java/matrix/CommandModeTest.java" <<'EOF'
package matrix;

import static io.barco.junit.BarcoAssertions.assertThat;

import io.barco.junit.BarcoContainer;
import io.barco.junit.InBarco;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Command mode: the test runs on the host, in the build's test JVM, and runs a command in a container. */
@InBarco(memory = "128M", pids = 32)
class CommandModeTest {

    @Test
    void execsInAContainer(BarcoContainer barco) throws Exception {
        assertThat(barco.exec("sh", "-c", "echo hello from $(hostname)")).succeeded().stdoutIsEqualTo("hello from barcontainer\n");
        StringBuilder jars = new StringBuilder();
        JUnitJars.loaded().values().forEach(jar -> jars.append(jar).append('\n'));
        Files.writeString(Path.of("target", "junit-jars.txt"), jars);
        JUnitJars.assertTheProjectsVersions("the build's test JVM");
    }
}
EOF
}

# one word per jar, as the case's line shows them: jupiter-api-5.10.5 platform-launcher-1.10.5 ...
jars_of() {
  if [ -f "$1/target/junit-jars.txt" ]; then
    sed -e 's/^junit-//' -e 's/\.jar$//' "$1/target/junit-jars.txt" | tr '\n' ' ' | sed 's/ $//'
  else
    echo "(no test ran on the host)"
  fi
}

first_error() {
  local line
  # a failing test's own line first, then a JUnit or Maven error, then whatever Maven said went wrong
  line=$(grep -m1 -E '^\[ERROR\]   [A-Za-z]' "$1" ||
    grep -m1 -E 'barco-junit needs|not being properly aligned|(Exception|Error)[:]' "$1" ||
    grep -m1 '^\[ERROR\]' "$1" || echo "(no error line)")
  echo "${line:0:300}"
}

failed=0
summary=()
start_all=$SECONDS
for version in "${versions[@]}"; do
  supported=1
  version_ge "$version" "$min" || supported=0
  for style in ${STYLES:-direct bom api}; do
    dir="$work/$version-$style"
    write_project "$dir" "$version" "$style"
    started=$SECONDS
    if (cd "$dir" && "$mvn_cmd" -B -ntp -Dstyle.color=never verify > build.log 2>&1) &&
       grep -q 'Tests run: 5, Failures: 0, Errors: 0, Skipped: 0' "$dir/build.log"; then
      outcome=PASS
    else
      outcome=FAIL
    fi
    took=$((SECONDS - started))
    line="junit $version $style: $outcome (${took}s) jars: $(jars_of "$dir")"
    if [ $outcome = FAIL ]; then
      line="$line; first error: $(first_error "$dir/build.log")"
    fi
    if [ $supported = 1 ] && [ $outcome = FAIL ]; then
      failed=$((failed + 1))
    elif [ $supported = 0 ]; then
      line="$line [below the minimum $min]"
      if [ $outcome = PASS ] || ! grep -q "barco-junit needs JUnit $min or newer" "$dir/build.log"; then
        line="$line: expected to fail naming the minimum, and did not"
        failed=$((failed + 1))
      fi
    fi
    echo "$line"
    summary+=("$line")
  done
done
echo "junit-versions: ${#summary[@]} cases in $((SECONDS - start_all))s, $failed not as expected"
if [ $failed -gt 0 ]; then
  keep=1
  exit 1
fi
