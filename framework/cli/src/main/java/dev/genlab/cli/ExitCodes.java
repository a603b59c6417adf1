package dev.genlab.cli;

/** Process exit codes, documented in {@code genlab --help}. */
final class ExitCodes {
    static final int OK = 0;
    static final int TRIAL_FAILED = 1;
    static final int BAD_INPUT = 2;
    static final int INTERRUPTED = 130;

    private ExitCodes() {}
}
