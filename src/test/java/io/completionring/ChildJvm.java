package io.completionring;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program in a child JVM, for tests of what a fresh JVM does: one that was started with other flags, or on
 * another runtime, than the test's own. The child's output goes to files in a directory the test owns.
 */
final class ChildJvm {

    /** How long a child may run before the test calls it a hang. */
    private static final long TIMEOUT_SECONDS = 60;

    private ChildJvm() {
    }

    /** What a child JVM printed, and how it ended. */
    record Result(List<String> command, int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "child JVM " + String.join(" ", command) + " exited " + exit + "\nstdout:\n" + stdout
                    + "\nstderr:\n" + stderr;
        }
    }

    /** The {@code java} launcher of the running JDK. */
    static Path java() {
        return java(Path.of(System.getProperty("java.home")));
    }

    /** The {@code java} launcher of the runtime image at {@code home}. */
    static Path java(Path home) {
        return home.resolve("bin").resolve("java");
    }

    /**
     * Runs {@code java} with {@code arguments}; its output goes to {@code stdout.txt} and {@code stderr.txt} in
     * {@code dir}. Fails if it runs longer than a minute.
     */
    static Result run(Path dir, Path java, List<String> arguments) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(arguments);
        return runCommand(dir, command);
    }

    /** Runs {@code command} (any program) as {@link #run} does. */
    static Result runCommand(Path dir, List<String> command) throws IOException, InterruptedException {
        final Path out = dir.resolve("stdout.txt");
        final Path err = dir.resolve("stderr.txt");
        final Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child process did not finish in " + TIMEOUT_SECONDS + " s: " + command);
        }
        return new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The class path entry (directory or jar) a class was loaded from: target/classes, target/test-classes. */
    static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A class path of the entries {@code classes} were loaded from. */
    static String classPath(Class<?>... classes) {
        final List<String> entries = new ArrayList<>();
        for (Class<?> c : classes) {
            entries.add(location(c));
        }
        return String.join(File.pathSeparator, entries);
    }
}
