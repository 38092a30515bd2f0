package io.completionring.stress.verdict;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.grading.GradingResult;
import org.openjdk.jcstress.infra.runners.TestList;

/**
 * Decides pass or fail from a jcstress results file ({@code jcstress-results-*.bin.gz}) through jcstress's own
 * reader ({@link DiskReadCollector}) and grading ({@link TestResult#grading()}), not by scraping the console report.
 *
 * <pre>
 *   java -cp target/jcstress.jar io.completionring.stress.verdict.Verdict pass|show-forbidden RESULTS.bin.gz REGEX [--outcomes]
 * </pre>
 *
 * Every test in the jar whose name matches REGEX must have results, with samples. Then:
 * <ul>
 *   <li>{@code pass} (real tests): no result may be an error and no forbidden outcome (including any outcome that no
 *       {@code @Outcome} names) may have a count above zero.</li>
 *   <li>{@code show-forbidden} (negative controls): each test must have observed a forbidden outcome, and none of its
 *       results may be an error: a control that errors has not shown that the test catches the bug, only that
 *       something broke.</li>
 * </ul>
 * An error is a result whose status is not NORMAL (exception in a concurrent actor, timeout, VM crash) or, in a
 * Termination test, the {@code ERROR} outcome, which jcstress records when the actor or the signal throws.
 * Prints one line per test: configurations, samples, forbidden samples, configurations that saw a forbidden outcome,
 * error results, verdict (with
 * {@code --outcomes}, also each outcome's count over all configurations); exits 0 if all verdicts are good, 1 if not,
 * 2 on bad usage or an unreadable file. {@link io.completionring.stress.ProveIt} calls {@link #judge} for each of its
 * jcstress runs and writes the same lines to the run's {@code verdict.txt}. {@link VerdictSelfTest} checks the
 * decisions on made-up results.
 */
public final class Verdict {

    /** The outcome jcstress records in a Termination test when the actor or the signal throws. */
    static final String TERMINATION_ERROR = "ERROR";

    private Verdict() {
    }

    /** One outcome of one result: its id, whether it is forbidden, how often it was seen. */
    record Seen(String id, boolean forbidden, long count, String description) {
    }

    /** The totals of one test over all its configurations. */
    static final class Totals {
        int configurations;
        long samples;
        long forbidden;
        /** Configurations (results) in which a forbidden outcome was seen. */
        int configurationsWithForbidden;
        int errors;
        final List<String> problems = new ArrayList<>();
        /** Per outcome over all configurations: {count, 1 if forbidden}. */
        final Map<String, long[]> outcomes = new TreeMap<>();
        final Map<String, String> descriptions = new TreeMap<>();

        /** Adds one result (one configuration): its status problem (null if NORMAL) and its graded outcomes. */
        void add(String statusProblem, Collection<Seen> seen) {
            configurations++;
            for (Seen s : seen) {
                samples += s.count();
            }
            if (statusProblem != null) {
                errors++;
                problems.add(statusProblem);
                return;
            }
            boolean error = false;
            boolean forbiddenHere = false;
            for (Seen s : seen) {
                final long[] o = outcomes.computeIfAbsent(s.id(), k -> new long[2]);
                o[0] += s.count();
                o[1] = s.forbidden() ? 1 : 0;
                descriptions.put(s.id(), s.description());
                if (s.count() == 0) {
                    continue;
                }
                if (s.id().equals(TERMINATION_ERROR)) {
                    error = true;
                    problems.add("the actor or signal threw, " + s.count() + " times");
                } else if (s.forbidden()) {
                    forbiddenHere = true;
                    forbidden += s.count();
                    problems.add("forbidden '" + s.id() + "' x" + s.count() + " (" + s.description() + ")");
                }
            }
            if (error) {
                errors++;
            }
            if (forbiddenHere) {
                configurationsWithForbidden++;
            }
        }
    }

    public static void main(String[] args) {
        if (args.length < 3 || args.length > 4 || !(args[0].equals("pass") || args[0].equals("show-forbidden"))
                || (args.length == 4 && !args[3].equals("--outcomes"))) {
            System.err.println("usage: Verdict pass|show-forbidden RESULTS.bin.gz TEST_NAME_REGEX [--outcomes]");
            System.exit(2);
        }
        final Judgement judgement;
        try {
            judgement = judge(args[1], Pattern.compile(args[2]), args[0].equals("show-forbidden"));
        } catch (IOException | ClassNotFoundException e) {
            System.err.println("cannot read " + args[1] + ": " + e);
            System.exit(2);
            return;
        }
        judgement.print(System.out, args.length == 4);
        System.exit(judgement.good() ? 0 : 1);
    }

    /**
     * Reads a results file and judges every test in this jar whose name the selector finds: as real tests
     * ({@code expectForbidden} false) or as negative controls (true).
     */
    public static Judgement judge(String resultsFile, Pattern selector, boolean expectForbidden)
            throws IOException, ClassNotFoundException {
        final Collection<TestResult> results = read(resultsFile);
        final Map<String, Totals> byTest = expectedTests(selector, TestList.tests());
        for (TestResult r : results) {
            final Totals t = byTest.get(r.getName());
            if (t != null) {
                t.add(statusProblem(r), seen(r));
            }
        }
        return new Judgement(byTest, expectForbidden);
    }

    /** The totals of every selected test and the verdict on each. */
    public static final class Judgement {
        private final Map<String, Totals> byTest;
        private final boolean expectForbidden;

        Judgement(Map<String, Totals> byTest, boolean expectForbidden) {
            this.byTest = byTest;
            this.expectForbidden = expectForbidden;
        }

        /** True if every selected test has a good verdict (and at least one test was selected). */
        public boolean good() {
            return !byTest.isEmpty() && failures().isEmpty();
        }

        /** "TEST: VERDICT" for every selected test whose verdict is not good. */
        public List<String> failures() {
            final List<String> failures = new ArrayList<>();
            for (Map.Entry<String, Totals> e : byTest.entrySet()) {
                final String verdict = verdict(e.getValue(), expectForbidden);
                if (!isGood(verdict)) {
                    failures.add(e.getKey() + ": " + verdict);
                }
            }
            return failures;
        }

        public int tests() {
            return byTest.size();
        }

        /** Samples over all selected tests and configurations. */
        public long samples() {
            return byTest.values().stream().mapToLong(t -> t.samples).sum();
        }

        /** Samples with a forbidden outcome (STALE included) over all selected tests and configurations. */
        public long forbidden() {
            return byTest.values().stream().mapToLong(t -> t.forbidden).sum();
        }

        /**
         * One line per test: configurations, samples, forbidden samples, configurations that saw a forbidden outcome,
         * error results, verdict, then what went wrong; with {@code outcomes}, also each outcome's count over all
         * configurations. Ends with "VERDICT: all good" or "VERDICT: FAILED".
         */
        public void print(PrintStream out, boolean outcomes) {
            out.printf("%-100s %7s %12s %10s %9s %7s  %s%n", "test", "configs", "samples", "forbidden",
                    "forb-cfgs", "errors", "verdict");
            for (Map.Entry<String, Totals> e : byTest.entrySet()) {
                final Totals t = e.getValue();
                out.printf("%-100s %7d %12d %10d %9d %7d  %s%n", e.getKey(), t.configurations, t.samples,
                        t.forbidden, t.configurationsWithForbidden, t.errors, verdict(t, expectForbidden));
                for (String p : t.problems) {
                    out.println("    " + p);
                }
                if (outcomes) {
                    for (Map.Entry<String, long[]> o : t.outcomes.entrySet()) {
                        out.printf("    %-22s %12d  %-10s %s%n", o.getKey(), o.getValue()[0],
                                o.getValue()[1] == 1 ? "FORBIDDEN" : "acceptable", t.descriptions.get(o.getKey()));
                    }
                }
            }
            out.println(good() ? "VERDICT: all good" : "VERDICT: FAILED");
        }
    }

    static Collection<TestResult> read(String file) throws IOException, ClassNotFoundException {
        final InProcessCollector collector = new InProcessCollector();
        final DiskReadCollector reader = new DiskReadCollector(file, collector);
        try {
            reader.dump();
        } finally {
            reader.close();
        }
        return collector.getTestResults();
    }

    /** An empty tally for every test name in {@code allTests} that the selector finds, sorted by name. */
    static Map<String, Totals> expectedTests(Pattern selector, Collection<String> allTests) {
        final Map<String, Totals> byTest = new TreeMap<>();
        for (String name : allTests) {
            if (selector.matcher(name).find()) {
                byTest.put(name, new Totals());
            }
        }
        return byTest;
    }

    private static String statusProblem(TestResult r) {
        if (r.status() == Status.NORMAL) {
            return null;
        }
        return "status " + r.status() + (r.getMessages().isEmpty() ? "" : ": " + r.getMessages().get(0));
    }

    private static List<Seen> seen(TestResult r) {
        final List<Seen> seen = new ArrayList<>();
        for (GradingResult g : r.grading().gradingResults.values()) {
            seen.add(new Seen(g.id, g.expect == Expect.FORBIDDEN, g.count, g.description));
        }
        return seen;
    }

    static String verdict(Totals t, boolean expectForbidden) {
        if (t.configurations == 0 || t.samples == 0) {
            return "NOT RUN";
        }
        if (t.errors > 0) {
            return "ERROR";
        }
        if (expectForbidden) {
            return t.forbidden > 0 ? "SHOWN FAILING" : "NOT SHOWN FAILING";
        }
        return t.forbidden == 0 ? "OK" : "FORBIDDEN SEEN";
    }

    static boolean isGood(String verdict) {
        return verdict.equals("OK") || verdict.equals("SHOWN FAILING");
    }
}
