package io.completionring.stress;

/**
 * Termination-mode actors cannot report an outcome beyond "terminated" or "stale", so a wrong answer from the ring
 * is thrown as an unchecked exception, which jcstress records as the forbidden ERROR outcome. (It must be an
 * Exception: jcstress catches Exception only, and a thread killed by an Error would be reported as STALE.)
 */
final class Checks {

    private Checks() {
    }

    static void require(boolean ok, String whatWasSeen) {
        if (!ok) {
            throw new IllegalStateException(whatWasSeen);
        }
    }
}
