package io.completionring.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The ring of a group benchmark, for one trial: a subclass declares its own parameters and builds the
 * {@link RingHandoff} from them; at the end of the trial the ring is closed and its counters printed.
 */
@State(Scope.Group)
public abstract class RingGroupState {
    @Param("1024")
    int capacity;

    RingHandoff handoff;
    private String label;

    /** The hand-off of this trial, from the parameters. */
    abstract RingHandoff open();

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        handoff = open();
        final StringBuilder sb = new StringBuilder(params.getBenchmark().replace(getClass().getPackageName() + ".", ""));
        for (String key : params.getParamsKeys()) {
            sb.append(' ').append(key).append('=').append(params.getParam(key));
        }
        label = sb.toString();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        handoff.close(label);
    }
}
