package io.completionring.stress.verdict;

import java.io.IOException;
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
 *   java -cp target/jcstress.jar io.completionring.stress.verdict.Verdict pass|show-forbidden RESULTS.bin.gz REGEX
 * </pre>
 *
 * Every test in the jar whose name matches REGEX must have results, with samples. Then:
 * <ul>
 *   <li>{@code pass} (real tests): no result may have a non-NORMAL status (test error, timeout, VM crash) and no
 *       forbidden outcome (including any outcome no {@code @Outcome} names) may have a count above zero.</li>
 *   <li>{@code show-forbidden} (negative controls): each test must have observed a forbidden outcome in at least one
 *       configuration, and none of its results may have a non-NORMAL status: a control that errors has not shown
 *       that the test catches the bug, it has only shown that something broke.</li>
 * </ul>
 * Prints one line per test: configurations, samples, forbidden samples, error results, verdict (with
 * {@code --outcomes}, also each outcome's count over all configurations); exits 0 if all verdicts are good, 1 if not,
 * 2 on bad usage or an unreadable file.
 */
public final class Verdict {

    private Verdict() {
    }

    /** The totals of one test over all its configurations. */
    static final class Totals {
        int configurations;
        long samples;
        long forbidden;
        int configurationsWithForbidden;
        int errors;
        final List<String> problems = new ArrayList<>();
        /** Per outcome over all configurations: {count, 1 if forbidden}. */
        final Map<String, long[]> outcomes = new TreeMap<>();
        final Map<String, String> descriptions = new TreeMap<>();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 4 || !(args[0].equals("pass") || args[0].equals("show-forbidden"))
                || (args.length == 4 && !args[3].equals("--outcomes"))) {
            System.err.println("usage: Verdict pass|show-forbidden RESULTS.bin.gz TEST_NAME_REGEX [--outcomes]");
            System.exit(2);
        }
        final boolean expectForbidden = args[0].equals("show-forbidden");
        final Collection<TestResult> results;
        try {
            results = read(args[1]);
        } catch (IOException | ClassNotFoundException e) {
            System.err.println("cannot read " + args[1] + ": " + e);
            System.exit(2);
            return;
        }
        final Map<String, Totals> byTest = summarize(results, Pattern.compile(args[2]), TestList.tests());
        boolean ok = true;
        System.out.printf("%-100s %7s %12s %10s %7s  %s%n", "test", "configs", "samples", "forbidden", "errors", "verdict");
        for (Map.Entry<String, Totals> e : byTest.entrySet()) {
            final Totals t = e.getValue();
            final String verdict = verdict(t, expectForbidden);
            ok &= verdict.equals("OK") || verdict.equals("SHOWN FAILING");
            System.out.printf("%-100s %7d %12d %10d %7d  %s%n", e.getKey(), t.configurations, t.samples, t.forbidden,
                    t.errors, verdict);
            for (String p : t.problems) {
                System.out.println("    " + p);
            }
            if (args.length == 4) {
                for (Map.Entry<String, long[]> o : t.outcomes.entrySet()) {
                    System.out.printf("    %-22s %12d  %-10s %s%n", o.getKey(), o.getValue()[0],
                            o.getValue()[1] == 1 ? "FORBIDDEN" : "acceptable", t.descriptions.get(o.getKey()));
                }
            }
        }
        System.out.println(ok ? "VERDICT: all good" : "VERDICT: FAILED");
        System.exit(ok ? 0 : 1);
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

    /** Totals per expected test name (every name in {@code allTests} matching the regex), sorted by name. */
    static Map<String, Totals> summarize(Collection<TestResult> results, Pattern selector, Collection<String> allTests) {
        final Map<String, Totals> byTest = new TreeMap<>();
        for (String name : allTests) {
            if (selector.matcher(name).find()) {
                byTest.put(name, new Totals());
            }
        }
        for (TestResult r : results) {
            final Totals t = byTest.get(r.getName());
            if (t == null) {
                continue;
            }
            t.configurations++;
            t.samples += r.getTotalCount();
            if (r.status() != Status.NORMAL) {
                t.errors++;
                t.problems.add("status " + r.status() + (r.getMessages().isEmpty() ? "" : ": " + r.getMessages().get(0)));
                continue;
            }
            long forbiddenHere = 0;
            for (GradingResult g : r.grading().gradingResults.values()) {
                final long[] o = t.outcomes.computeIfAbsent(g.id, k -> new long[2]);
                o[0] += g.count;
                o[1] = g.expect == Expect.FORBIDDEN ? 1 : 0;
                t.descriptions.put(g.id, g.description);
                if (g.expect == Expect.FORBIDDEN && g.count > 0) {
                    forbiddenHere += g.count;
                    t.problems.add("forbidden '" + g.id + "' x" + g.count + " (" + g.description + ")");
                }
            }
            t.forbidden += forbiddenHere;
            if (forbiddenHere > 0) {
                t.configurationsWithForbidden++;
            }
        }
        return byTest;
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
}
