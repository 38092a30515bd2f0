package io.completionring.stress;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import io.completionring.stress.verdict.Verdict;
import io.completionring.stress.verdict.VerdictSelfTest;

/**
 * The jar's main: runs completion-ring's jcstress proof on this machine and this JVM. The ordering tests on the real
 * ring must show no forbidden outcome, and every negative control (a small copy of the protocol with one ordering
 * removed) must show the bug it copies, so that a pass means the tests could have failed.
 *
 * <pre>
 *   java -jar completion-ring-jcstress-VERSION.jar quick|long|controls|asymmetric [--out DIR]
 * </pre>
 *
 * {@code quick} is what CI runs on every submission (about 11 minutes on 2 cores); {@code long} is for a release
 * (roughly 85 minutes); {@code controls} runs only the control checks with the quick settings (to measure their
 * reliability). On JDK 22+ on Linux x86-64 or AArch64, where the library can use its asymmetric seed-000 fence
 * (a compiler barrier for the producer, a full fence and membarrier for a reaper about to park; it does when native
 * access is enabled for it), {@code quick} and {@code long} also run the wake-up tests with native access
 * (real-termination-asymmetric) and, like {@code controls}, the asymmetric copy of the protocol
 * (controls-asymmetric); {@code asymmetric} runs only the checks of that fence (CI's JDK 25 pass: about 3 minutes). Each check is one jcstress run in a JVM of its own ({@code org.openjdk.jcstress.Main} from this
 * jar, which forks the test JVMs), in its own directory {@code DIR/CHECK/}: {@code console.txt}, jcstress's HTML
 * report in {@code report/}, its binary results file, and {@code verdict.txt}. DIR defaults to
 * {@code completion-ring-jcstress-MODE} in the current directory. A check holds when {@link Verdict} judges its
 * results file good (checked first by {@link VerdictSelfTest}) and jcstress's exit status agrees. Prints a line as
 * each check starts and ends, then a summary with the platform; exits 0 if every check holds, 1 if not, 2 on bad
 * usage. {@code jcstress-tests/run.sh} builds the jar and runs this class, so CI runs exactly what users run.
 */
public final class ProveIt {

    static final String USAGE = "usage: java -jar completion-ring-jcstress.jar quick|long|controls|asymmetric"
            + " [--out DIR]  (DIR defaults to ./completion-ring-jcstress-MODE)";

    static final List<String> MODES = List.of("quick", "long", "controls", "asymmetric");

    /** What a check's results must show: nothing forbidden (the real ring), or each test's bug (a control). */
    enum Need {
        NOTHING_FORBIDDEN("no forbidden outcome, no error", false),
        EACH_SHOWS_FORBIDDEN("each shows its forbidden outcome, no error", true),
        EACH_GOES_STALE("each goes STALE (hangs), no error", true);

        final String description;
        /** Whether the tests are negative controls, judged by {@link Verdict}'s show-forbidden rule. */
        final boolean controls;

        Need(String description, boolean controls) {
            this.description = description;
            this.controls = controls;
        }
    }

    /** One jcstress run: the tests it selects (a regular expression over test names), its options, what it needs. */
    record Check(String name, String selection, List<String> options, Need need) {
    }

    private ProveIt() {
    }

    /**
     * Whether the library can use its asymmetric fence here (io.completionring.Membarrier's conditions): JDK 22+ (the
     * foreign function API) on Linux x86-64 or AArch64. It also needs a kernel with membarrier's expedited command
     * (4.14 and later); where that is missing the asymmetric checks fail, their tests seeing the symmetric form.
     */
    static boolean asymmetricFencePlatform() {
        return Runtime.version().feature() >= 22 && System.getProperty("os.name", "").startsWith("Linux")
                && List.of("amd64", "x86_64", "aarch64").contains(System.getProperty("os.arch", ""));
    }

    /**
     * The checks of a mode, with their selections and options: the one place they are set. The measurements behind
     * each option are in docs/testing.md ("What the jcstress settings rest on", "Mutation checks on the real ring",
     * "The asymmetric fence"). {@code asymmetric}: whether this JVM can run the asymmetric fence's checks.
     */
    static List<Check> checks(String mode, boolean asymmetric) {
        final boolean quick = !mode.equals("long");
        // -m sanity runs each test in every JVM configuration once; -time sets how long each iteration runs. At
        // -time 100 the concurrent runs took less time but gathered about 20 times fewer samples than at 300.
        final List<String> concurrentOptions = quick
                ? List.of("-m", "sanity", "-time", "300")
                : List.of("-m", "quick", "-time", "1000");
        // -af NONE: by default jcstress pins a Termination test's actor and signal to one CPU, where the store-load
        // reordering behind a lost wake-up (seed 000) cannot happen: a ring with both fences removed passed 1.1
        // million pinned rounds. -time 2000: the real ring with its producer fence removed went STALE in
        // LostWakeup_05 in 8 of 8 configurations in 3 of 3 runs at -time 2000, and in none of 2 runs at -time 500.
        final List<String> terminationOptions = quick
                ? List.of("-m", "sanity", "-time", "2000", "-af", "NONE")
                : List.of("-m", "quick", "-time", "2000", "-af", "NONE");
        // The Dekker control (seed 000 without its fences) was missed by plain -m sanity (0 of 112 samples) and
        // caught within seconds once -time was set.
        final List<String> orderingControlOptions = quick
                ? List.of("-m", "sanity", "-time", "300")
                : List.of("-m", "quick");
        // The stale control stops at its first STALE per JVM configuration, after jcstress's fixed 30 s join
        // timeout, so a longer time costs little when it works and gives it more rounds when the machine is busy
        // (at -time 200 it went STALE in 0 of 8 configurations once; at 1000, in 8 of 8 in 6 runs of 6).
        final List<String> staleControlOptions = List.of("-m", "sanity", "-time", "1000", "-af", "NONE");
        // The pairing controls hang the same way, and each STALE costs the 30 s join timeout per configuration: at
        // the default 8 configurations per test (4 JVM flag sets, split compilation) the two would add about 4
        // minutes. -jvmArgs drops the C2 stress-randomizer flag sets (JDK 17 still runs biased locking on and off)
        // and -sc false compiles both threads alike: 2 configurations per test. The hang needs the hardware
        // store-load reordering, which no compiler flag adds; 3 s per configuration, because a configuration that
        // goes STALE stops there anyway (at -time 1000, 2 of 12 configurations did not go STALE).
        final List<String> pairingControlOptions =
                List.of("-m", "sanity", "-time", "3000", "-af", "NONE", "-sc", "false", "-jvmArgs", "-Xmx256m");
        // The asymmetric fence: the test JVMs get native access, so the library (and the controls' own Membarrier)
        // can call membarrier through the foreign function API, and the property that makes every test of the real
        // ring throw unless the asymmetric form is in use (FenceForm). -jvmArgsPrepend, not -jvmArgs: it adds the
        // flags to every JVM configuration jcstress detects (on JDK 25, the plain one and the C2 stress randomizers,
        // each with split compilation: 4 per test), where -jvmArgs would replace them with one flag set.
        final List<String> nativeAccess = List.of("-jvmArgsPrepend",
                "--enable-native-access=ALL-UNNAMED -D" + FenceForm.EXPECT_ASYMMETRIC + "=true");
        final List<String> asymmetricTerminationOptions = concat(terminationOptions, nativeAccess);

        final Check realConcurrent = new Check("real-concurrent",
                "^io\\.completionring\\.stress\\."
                        + "(Publication|SlotReuse|Exclusivity|TimeoutAndInterrupt|MultiProducer)\\.",
                concurrentOptions, Need.NOTHING_FORBIDDEN);
        final String wakeUpTests =
                "^io\\.completionring\\.stress\\.(LostWakeup|BlockedSubmitter|Close|MultiProducerWakeup)\\.";
        final Check realTermination = new Check("real-termination", wakeUpTests,
                terminationOptions, Need.NOTHING_FORBIDDEN);
        // The same wake-up tests on the asymmetric fence: producers, single or many, publish with its light half.
        final Check realTerminationAsymmetric = new Check("real-termination-asymmetric", wakeUpTests,
                asymmetricTerminationOptions, Need.NOTHING_FORBIDDEN);
        // Seed 000 (Dekker), seed 004 (one producer and several), and the chosen waiter's pass-on.
        final Check controlsOrdering = new Check("controls-ordering",
                "^io\\.completionring\\.stress\\.controls\\."
                        + "(SeedLostWakeupDekker|SeedTornEvent|ChosenWaiterPassOn|MultiProducerMarkBeforeWrite)\\.",
                orderingControlOptions, Need.EACH_SHOWS_FORBIDDEN);
        // Seed 000 (Dekker) alone: the asymmetric fence's producer half, a compiler barrier, is no fence for the CPU.
        final Check controlsDekker = new Check("controls-dekker",
                "^io\\.completionring\\.stress\\.controls\\.SeedLostWakeupDekker\\.",
                orderingControlOptions, Need.EACH_SHOWS_FORBIDDEN);
        // A copy of the ring with seed 000's producer fence removed: also the asymmetric protocol without its heavy
        // half (membarrier).
        final Check controlsStale = new Check("controls-stale",
                "^io\\.completionring\\.stress\\.controls\\.SeedLostWakeupStale\\.",
                staleControlOptions, Need.EACH_GOES_STALE);
        // Copies of the submitter-side pairing and of close's wake-up, each with one ordering weakened.
        final Check controlsPairings = new Check("controls-pairings",
                "^io\\.completionring\\.stress\\.controls\\.(SubmitterWakeupStale|CloseWakeupStale)\\.",
                pairingControlOptions, Need.EACH_GOES_STALE);
        // The positive control: the stale control's copy with both halves of the asymmetric fence must not go stale,
        // given as long as the real ring's wake-up tests.
        final Check controlsAsymmetric = new Check("controls-asymmetric",
                "^io\\.completionring\\.stress\\.controls\\.SeedLostWakeupAsymmetric\\.",
                asymmetricTerminationOptions, Need.NOTHING_FORBIDDEN);

        final List<Check> checks = new ArrayList<>();
        switch (mode) {
            case "quick":
            case "long":
                checks.add(realConcurrent);
                checks.add(realTermination);
                if (asymmetric) {
                    checks.add(realTerminationAsymmetric);
                }
                break;
            case "asymmetric":
                checks.add(realTerminationAsymmetric);
                checks.add(controlsAsymmetric);
                checks.add(controlsDekker);
                checks.add(controlsStale);
                return checks;
            default:
                break;
        }
        checks.add(controlsOrdering);
        checks.add(controlsStale);
        checks.add(controlsPairings);
        if (asymmetric) {
            checks.add(controlsAsymmetric);
        }
        return checks;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        final List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    /** What one check came to. */
    record Outcome(Check check, boolean holds, String result, Verdict.Judgement judgement, long seconds,
                   List<String> problems) {
    }

    public static void main(String[] args) {
        String mode = null;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length && out == null) {
                out = Path.of(args[++i]);
            } else if (mode == null && MODES.contains(args[i])) {
                mode = args[i];
            } else {
                mode = null;
                break;
            }
        }
        if (mode == null) {
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (mode.equals("asymmetric") && !asymmetricFencePlatform()) {
            System.err.println("the asymmetric fence needs JDK 22+ on Linux x86-64 or AArch64; this is Java "
                    + Runtime.version() + " on " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
            System.exit(2);
            return;
        }
        if (out == null) {
            out = Path.of("completion-ring-jcstress-" + mode);
        }
        // Told to exit (a signal, the CI's timeout), take the running jcstress and its test JVMs along.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            final Process p = running;
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
            }
        }, "destroy-jcstress"));
        System.exit(run(mode, out.toAbsolutePath(), System.out) ? 0 : 1);
    }

    /** Runs the mode's checks into {@code out}; prints progress and the summary; true if every check holds. */
    static boolean run(String mode, Path out, PrintStream console) {
        final long start = System.nanoTime();
        final List<String> selfTestFailures = VerdictSelfTest.failures();
        if (!selfTestFailures.isEmpty()) {
            console.println("the verdict logic is broken (VerdictSelfTest): " + String.join("; ", selfTestFailures));
            return false;
        }
        final List<Check> checks = checks(mode, asymmetricFencePlatform());
        console.println("completion-ring jcstress " + mode + " pass: " + checks.size() + " jcstress runs into " + out
                + (mode.equals("long") ? " (roughly 85 minutes on 2 cores)" : mode.equals("quick")
                        ? " (about 11 minutes on 2 cores)" : mode.equals("controls") ? " (about 5 minutes on 2 cores)"
                        : " (about 3 minutes on 2 cores)"));
        final List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < checks.size(); i++) {
            final Check check = checks.get(i);
            console.printf("[%d/%d] %s: jcstress -t '%s' %s%n", i + 1, checks.size(), check.name(), check.selection(),
                    String.join(" ", check.options()));
            final Outcome outcome = runCheck(check, out.resolve(check.name()));
            console.printf("[%d/%d] %s: %s, %d s%n", i + 1, checks.size(), check.name(), outcome.result(),
                    outcome.seconds());
            outcomes.add(outcome);
        }
        printSummary(console, mode, out, outcomes, (System.nanoTime() - start) / 1_000_000_000L);
        return outcomes.stream().allMatch(Outcome::holds);
    }

    /** Runs one check's jcstress in {@code dir} and judges its results. */
    static Outcome runCheck(Check check, Path dir) {
        final long start = System.nanoTime();
        final List<String> problems = new ArrayList<>();
        int exit = -1;
        Verdict.Judgement judgement = null;
        try {
            Files.createDirectories(dir);
            // jcstress names its results file by date; one left by an earlier run would be read as this run's.
            for (Path old : resultsFiles(dir)) {
                Files.delete(old);
            }
            exit = jcstress(check, dir);
            final List<Path> results = resultsFiles(dir);
            if (results.size() != 1) {
                problems.add("jcstress (exit " + exit + ") left " + results.size() + " results files; see "
                        + dir.resolve("console.txt"));
            } else {
                judgement = Verdict.judge(results.get(0).toString(), Pattern.compile(check.selection()),
                        check.need().controls);
                try (PrintStream verdict = new PrintStream(dir.resolve("verdict.txt").toFile(),
                        StandardCharsets.UTF_8)) {
                    judgement.print(verdict, true);
                }
                problems.addAll(judgement.failures());
                // jcstress exits non-zero on any failed or errored test. A real check needs exit 0; a control that
                // shows its forbidden outcome makes jcstress exit non-zero, so exit 0 would contradict the verdict.
                if (judgement.good() && (exit == 0) == check.need().controls) {
                    problems.add("jcstress exited " + exit + ", which contradicts the verdict");
                }
            }
        } catch (IOException | ClassNotFoundException e) {
            problems.add("could not run or read jcstress: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add("interrupted");
        }
        final boolean holds = judgement != null && judgement.good() && problems.isEmpty();
        final String result = holds ? "OK"
                : judgement == null ? "FAILED (no results)"
                : "FAILED (" + (problems.size() == 1 ? problems.get(0) : problems.size() + " problems") + ")";
        return new Outcome(check, holds, result, judgement, (System.nanoTime() - start) / 1_000_000_000L, problems);
    }

    /** The running jcstress host JVM; main's shutdown hook destroys it and its forked JVMs. */
    private static volatile Process running;

    /** Runs jcstress on the check's selection, in a JVM of its own working in {@code dir}; returns its exit status. */
    private static int jcstress(Check check, Path dir) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("-cp");
        command.add(absoluteClassPath());
        command.add("org.openjdk.jcstress.Main");
        command.add("-t");
        command.add(check.selection());
        command.addAll(check.options());
        command.add("-r");
        command.add(dir.resolve("report").toString());
        // jcstress writes its results file into its working directory.
        final Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("console.txt").toFile())
                .start();
        running = p;
        try {
            return p.waitFor();
        } finally {
            running = null;
        }
    }

    /** This JVM's class path (the jar itself, under java -jar) with every entry made absolute. */
    private static String absoluteClassPath() {
        final List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(Pattern.quote(File.pathSeparator))) {
            entries.add(Path.of(entry).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static List<Path> resultsFiles(Path dir) throws IOException {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "jcstress-results-*.bin.gz")) {
            stream.forEach(files::add);
        }
        return files;
    }

    static void printSummary(PrintStream console, String mode, Path out, List<Outcome> outcomes, long seconds) {
        final long holding = outcomes.stream().filter(Outcome::holds).count();
        final boolean all = holding == outcomes.size();
        console.println();
        console.printf("== completion-ring jcstress %s pass: %s (%d of %d checks hold)%n", mode,
                all ? "PASSED" : "FAILED", holding, outcomes.size());
        console.printf("%-27s %-6s %-43s %5s %12s %10s %6s%n", "check", "result", "needed", "tests", "samples",
                "forbidden", "time");
        for (Outcome o : outcomes) {
            final Verdict.Judgement j = o.judgement();
            console.printf(Locale.ROOT, "%-27s %-6s %-43s %5s %12s %10s %4d s%n", o.check().name(),
                    o.holds() ? "OK" : "FAILED", o.check().need().description,
                    j == null ? "-" : Integer.toString(j.tests()),
                    j == null ? "-" : String.format(Locale.ROOT, "%,d", j.samples()),
                    j == null ? "-" : String.format(Locale.ROOT, "%,d", j.forbidden()), o.seconds());
            final List<String> problems = o.problems();
            for (int i = 0; i < Math.min(problems.size(), 4); i++) {
                console.println("    " + problems.get(i).replace("io.completionring.stress.", ""));
            }
            if (problems.size() > 4) {
                console.println("    ... " + (problems.size() - 4) + " more in " + out.resolve(o.check().name())
                        .resolve("verdict.txt"));
            }
        }
        console.printf("platform: %s, %s %s, Java %s (%s, %s), %d processors%n", System.getProperty("os.arch"),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), System.getProperty("java.vm.vendor"),
                Runtime.getRuntime().availableProcessors());
        console.printf("total %d s; details in %s/CHECK/: verdict.txt, console.txt, report/index.html%n", seconds,
                out);
    }
}
