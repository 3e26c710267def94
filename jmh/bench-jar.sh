# Shared by the benchmark scripts (sourced, not run): builds the benchmark jar when it is missing
# or older than a source of the modules it contains. Needs: here (jmh/), root (the project), jar.

if [[ ! -f $jar ]] || [[ -n $(find "$root/pom.xml" "$root"/aem-native/pom.xml "$root"/aem-native/src/main \
    "$root"/aem-reactor/pom.xml "$root"/aem-reactor/src/main "$here/pom.xml" "$here/src/main/java" \
    -newer "$jar" -print -quit 2>/dev/null) ]]; then
    echo "building $jar"
    (cd "$root" && ./mvnw -q -pl jmh -am package -DskipTests)
fi
