package io.completionring.stress.verdict;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks {@link Verdict}'s decisions on made-up results, so that the gate in run.sh is itself tested: a forbidden
 * count fails a real test, an error fails both kinds, a control passes only when it shows its forbidden outcome
 * without erroring, and a selected test without results is never good. run.sh runs it before the jcstress runs.
 *
 * <pre>
 *   java -cp target/jcstress.jar io.completionring.stress.verdict.VerdictSelfTest
 * </pre>
 */
public final class VerdictSelfTest {

    private static int failures;

    private VerdictSelfTest() {
    }

    public static void main(String[] args) {
        final Verdict.Seen okOutcome = new Verdict.Seen("1, 0", false, 1000, "fine");
        final Verdict.Seen forbiddenSeen = new Verdict.Seen("0, 0", true, 3, "broken");
        final Verdict.Seen forbiddenUnseen = new Verdict.Seen("0, 0", true, 0, "broken");
        final Verdict.Seen terminated = new Verdict.Seen("TERMINATED", false, 500, "returned");
        final Verdict.Seen stale = new Verdict.Seen("STALE", true, 1, "hung");
        final Verdict.Seen threw = new Verdict.Seen(Verdict.TERMINATION_ERROR, true, 1, "unmatched");

        expect("clean real test passes", "OK", false, totals(null, okOutcome, forbiddenUnseen));
        expect("forbidden count fails a real test", "FORBIDDEN SEEN", false, totals(null, okOutcome, forbiddenSeen));
        expect("STALE fails a real Termination test", "FORBIDDEN SEEN", false, totals(null, terminated, stale));
        expect("non-NORMAL status fails a real test", "ERROR", false, totals("status TEST_ERROR", okOutcome));
        expect("a throwing Termination actor fails a real test", "ERROR", false, totals(null, terminated, threw));
        expect("control with forbidden count is shown failing", "SHOWN FAILING", true, totals(null, okOutcome, forbiddenSeen));
        expect("control going STALE is shown failing", "SHOWN FAILING", true, totals(null, terminated, stale));
        expect("clean control is not shown failing", "NOT SHOWN FAILING", true, totals(null, okOutcome, forbiddenUnseen));
        expect("control that errors is not shown failing", "ERROR", true, totals("status VM_ERROR", okOutcome, forbiddenSeen));
        expect("control whose Termination actor throws is not shown failing", "ERROR", true, totals(null, threw, stale));

        final Verdict.Totals twoConfigs = totals(null, okOutcome, forbiddenSeen);
        twoConfigs.add("status TIMEOUT_ERROR", List.of(okOutcome));
        expect("control erroring in one configuration of two is not shown failing", "ERROR", true, twoConfigs);

        final Map<String, Verdict.Totals> expected = Verdict.expectedTests(Pattern.compile("^a\\.B\\."),
                List.of("a.B.Test_01", "a.B.Test_02", "a.C.Test_01"));
        check("the selector picks exactly the matching tests", expected.keySet().equals(java.util.Set.of("a.B.Test_01", "a.B.Test_02")));
        expect("a selected test without results is not run", "NOT RUN", false, expected.get("a.B.Test_01"));
        expect("a selected control without results is not run", "NOT RUN", true, expected.get("a.B.Test_02"));
        check("NOT RUN is not good", !Verdict.isGood("NOT RUN"));
        check("NOT SHOWN FAILING is not good", !Verdict.isGood("NOT SHOWN FAILING"));

        System.out.println(failures == 0 ? "VerdictSelfTest: all checks passed" : "VerdictSelfTest: " + failures + " FAILED");
        System.exit(failures == 0 ? 0 : 1);
    }

    private static Verdict.Totals totals(String statusProblem, Verdict.Seen... seen) {
        final Verdict.Totals t = new Verdict.Totals();
        t.add(statusProblem, List.of(seen));
        return t;
    }

    private static void expect(String what, String verdict, boolean control, Verdict.Totals t) {
        final String actual = Verdict.verdict(t, control);
        if (!actual.equals(verdict)) {
            System.out.println("FAILED: " + what + ": expected " + verdict + ", was " + actual);
            failures++;
        }
    }

    private static void check(String what, boolean ok) {
        if (!ok) {
            System.out.println("FAILED: " + what);
            failures++;
        }
    }
}
