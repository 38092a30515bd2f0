package io.completionring.stress.verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks {@link Verdict}'s decisions on made-up results, so that the gate is itself tested: a forbidden count fails a
 * real test, an error fails both kinds, a control passes only when it shows its forbidden outcome without erroring, a
 * selected test without results is never good, and neither is a selection of no tests.
 * {@link io.completionring.stress.ProveIt} runs these checks before its jcstress runs.
 *
 * <pre>
 *   java -cp target/jcstress.jar io.completionring.stress.verdict.VerdictSelfTest
 * </pre>
 */
public final class VerdictSelfTest {

    private VerdictSelfTest() {
    }

    public static void main(String[] args) {
        final List<String> failures = failures();
        for (String f : failures) {
            System.out.println("FAILED: " + f);
        }
        System.out.println(failures.isEmpty() ? "VerdictSelfTest: all checks passed"
                : "VerdictSelfTest: " + failures.size() + " FAILED");
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    /** Runs every check; returns what failed, empty if all passed. */
    public static List<String> failures() {
        final List<String> failures = new ArrayList<>();
        final Verdict.Seen okOutcome = new Verdict.Seen("1, 0", false, 1000, "fine");
        final Verdict.Seen forbiddenSeen = new Verdict.Seen("0, 0", true, 3, "broken");
        final Verdict.Seen forbiddenUnseen = new Verdict.Seen("0, 0", true, 0, "broken");
        final Verdict.Seen terminated = new Verdict.Seen("TERMINATED", false, 500, "returned");
        final Verdict.Seen stale = new Verdict.Seen("STALE", true, 1, "hung");
        final Verdict.Seen threw = new Verdict.Seen(Verdict.TERMINATION_ERROR, true, 1, "unmatched");

        expect(failures, "clean real test passes", "OK", false, totals(null, okOutcome, forbiddenUnseen));
        expect(failures, "forbidden count fails a real test", "FORBIDDEN SEEN", false, totals(null, okOutcome, forbiddenSeen));
        expect(failures, "STALE fails a real Termination test", "FORBIDDEN SEEN", false, totals(null, terminated, stale));
        expect(failures, "non-NORMAL status fails a real test", "ERROR", false, totals("status TEST_ERROR", okOutcome));
        expect(failures, "a throwing Termination actor fails a real test", "ERROR", false, totals(null, terminated, threw));
        expect(failures, "control with forbidden count is shown failing", "SHOWN FAILING", true, totals(null, okOutcome, forbiddenSeen));
        expect(failures, "control going STALE is shown failing", "SHOWN FAILING", true, totals(null, terminated, stale));
        expect(failures, "clean control is not shown failing", "NOT SHOWN FAILING", true, totals(null, okOutcome, forbiddenUnseen));
        expect(failures, "control that errors is not shown failing", "ERROR", true, totals("status VM_ERROR", okOutcome, forbiddenSeen));
        expect(failures, "control whose Termination actor throws is not shown failing", "ERROR", true, totals(null, threw, stale));

        final Verdict.Totals twoConfigs = totals(null, okOutcome, forbiddenSeen);
        twoConfigs.add("status TIMEOUT_ERROR", List.of(okOutcome));
        expect(failures, "control erroring in one configuration of two is not shown failing", "ERROR", true, twoConfigs);

        final Map<String, Verdict.Totals> expected = Verdict.expectedTests(Pattern.compile("^a\\.B\\."),
                List.of("a.B.Test_01", "a.B.Test_02", "a.C.Test_01"));
        check(failures, "the selector picks exactly the matching tests", expected.keySet().equals(java.util.Set.of("a.B.Test_01", "a.B.Test_02")));
        expect(failures, "a selected test without results is not run", "NOT RUN", false, expected.get("a.B.Test_01"));
        expect(failures, "a selected control without results is not run", "NOT RUN", true, expected.get("a.B.Test_02"));
        check(failures, "NOT RUN is not good", !Verdict.isGood("NOT RUN"));
        check(failures, "NOT SHOWN FAILING is not good", !Verdict.isGood("NOT SHOWN FAILING"));

        check(failures, "a selection of no tests is not good",
                !new Verdict.Judgement(Verdict.expectedTests(Pattern.compile("^nothing\\."), List.of("a.B.Test_01")), false).good());
        final Map<String, Verdict.Totals> oneClean = Verdict.expectedTests(Pattern.compile("^a\\."), List.of("a.B.Test_01"));
        oneClean.get("a.B.Test_01").add(null, List.of(okOutcome, forbiddenUnseen));
        check(failures, "a selection whose every test is OK is good", new Verdict.Judgement(oneClean, false).good());
        check(failures, "the same selection judged as controls is not good", !new Verdict.Judgement(oneClean, true).good());
        return failures;
    }

    private static Verdict.Totals totals(String statusProblem, Verdict.Seen... seen) {
        final Verdict.Totals t = new Verdict.Totals();
        t.add(statusProblem, List.of(seen));
        return t;
    }

    private static void expect(List<String> failures, String what, String verdict, boolean control, Verdict.Totals t) {
        final String actual = Verdict.verdict(t, control);
        if (!actual.equals(verdict)) {
            failures.add(what + ": expected " + verdict + ", was " + actual);
        }
    }

    private static void check(List<String> failures, String what, boolean ok) {
        if (!ok) {
            failures.add(what);
        }
    }
}
