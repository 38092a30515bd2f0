package io.completionring.uring;

/**
 * Settings of a {@link Driver} that users do not choose: the defaults are what measurements on this project's
 * machines chose (docs/benchmarks.md); tests and the benchmark harness, which live in this package, try others.
 *
 * @param setupFlags io_uring_setup flag sets to try in order, the first that the kernel accepts is used (a kernel
 *                   that lacks a flag returns EINVAL); {@code IORING_SETUP_CQSIZE} is always added
 * @param forceAsync whether reads carry {@code IOSQE_ASYNC}, so that io-wq worker threads, not the driver, perform
 *                   them and post their completions, concurrently with the driver's reaping (a test's stress only)
 */
record Options(int[] setupFlags, boolean forceAsync) {

    /**
     * COOP_TASKRUN | SINGLE_ISSUER | SUBMIT_ALL (6.0+), else COOP_TASKRUN | SUBMIT_ALL (5.19+), else none.
     * DEFER_TASKRUN was measured and not kept: it moves the completion work from interrupt context into the
     * driver's io_uring_enter, which raised the process's CPU per direct read by 1 to 2 us (to 5.9-6.8 us against
     * 4.2-5.0 us, interrupt time down by about 0.3 us) and did not raise reads per second, direct or through the
     * page cache (docs/benchmarks.md, "Setup flags").
     */
    static final int[] DEFAULT_SETUP_FLAGS = {
            Uapi.IORING_SETUP_COOP_TASKRUN | Uapi.IORING_SETUP_SINGLE_ISSUER | Uapi.IORING_SETUP_SUBMIT_ALL,
            Uapi.IORING_SETUP_COOP_TASKRUN | Uapi.IORING_SETUP_SUBMIT_ALL,
            0};

    static final Options DEFAULT = new Options(DEFAULT_SETUP_FLAGS, false);

    Options withSetupFlags(int[] flags) {
        return new Options(flags, forceAsync);
    }

    Options withForceAsync(boolean async) {
        return new Options(setupFlags, async);
    }
}
