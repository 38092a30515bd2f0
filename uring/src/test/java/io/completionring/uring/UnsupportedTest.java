package io.completionring.uring;

import io.completionring.CompletionRing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The unsupported path, in child JVMs: without native access the reader says why in one sentence naming the exact
 * flag (ALL-UNNAMED on the class path, the module's name on the module path), open throws
 * UnsupportedOperationException with that sentence, and no restricted method runs (no JVM warning). With the flag on
 * the module path, the module works.
 */
@Timeout(120)
class UnsupportedTest {

    @TempDir
    Path dir;

    @Test
    void onTheClassPathWithoutNativeAccessTheReasonNamesAllUnnamed() throws Exception {
        final String classPath = String.join(File.pathSeparator, location(UringReader.class),
                location(SupportProbe.class), location(CompletionRing.class));
        final Child child = run(List.of("-cp", classPath, SupportProbe.class.getName(), probeFile()));
        assertUnsupported(child, "--enable-native-access=ALL-UNNAMED");
    }

    @Test
    void onTheModulePathWithoutNativeAccessTheReasonNamesTheModule() throws Exception {
        final Child child = run(modulePath(List.of()));
        assertUnsupported(child, "--enable-native-access=io.completionring.uring");
    }

    @Test
    void onTheModulePathWithTheModulesFlagItReads() throws Exception {
        final Child child = run(modulePath(List.of("--enable-native-access=io.completionring.uring")));
        assertTrue(child.stdout.contains("supported=true"), child.toString());
        assertTrue(child.stdout.contains("reason=\n"), child.toString());
        assertTrue(child.stdout.contains("open=ok read=16"), child.toString());
        assertFalse(child.stderr.contains("WARNING"), child.toString());
    }

    static void assertUnsupported(Child child, String flag) {
        assertEquals(0, child.exit, child.toString());
        assertTrue(child.stdout.contains("supported=false"), child.toString());
        final String reason = "native access is not enabled for ";
        assertTrue(child.stdout.contains("reason=" + reason), child.toString());
        assertTrue(child.stdout.contains("start java with " + flag + "."), child.toString());
        assertTrue(child.stdout.contains("open=UnsupportedOperationException: " + reason), child.toString());
        assertFalse(child.stderr.contains("restricted method"), "a restricted method ran: " + child);
        assertFalse(child.stderr.contains("WARNING"), child.toString());
    }

    List<String> modulePath(List<String> flags) throws IOException {
        final List<String> args = new ArrayList<>(flags);
        args.addAll(List.of(
                "--module-path", location(UringReader.class) + File.pathSeparator + location(CompletionRing.class),
                // The probe is a test class: patched into the module, whose package it shares.
                "--patch-module", "io.completionring.uring=" + location(SupportProbe.class),
                "--module", "io.completionring.uring/" + SupportProbe.class.getName(), probeFile()));
        return args;
    }

    String probeFile() throws IOException {
        return TestFiles.patternFile(dir, "probe", 64).toString();
    }

    record Child(List<String> command, int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "child JVM " + String.join(" ", command) + " exited " + exit + "\nstdout:\n" + stdout
                    + "\nstderr:\n" + stderr;
        }
    }

    Child run(List<String> arguments) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(arguments);
        final Path out = dir.resolve("stdout.txt");
        final Path err = dir.resolve("stderr.txt");
        final Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not finish in 60 s: " + command);
        }
        return new Child(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The class path entry (directory or jar) a class was loaded from. */
    static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
