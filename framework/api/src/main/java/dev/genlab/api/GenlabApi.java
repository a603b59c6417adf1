package dev.genlab.api;

/** Constants of the plugin contract itself. */
public final class GenlabApi {

    /**
     * Version of this contract. A provider built against another version is rejected at load time with
     * an error naming its jar, instead of failing later with a {@code NoSuchMethodError}.
     */
    public static final int VERSION = 3;

    /**
     * The oldest contract version still loaded. Versions from this one up to {@link #VERSION} differ only by
     * additions (new capabilities, default methods, record constructors kept), so a plugin built against
     * any of them runs unchanged. Version 2 added held-out data and the paradigm to {@link EvalInput},
     * {@link DatasetProvider#loadHeldOut}, {@link Diagnostics}, sampling options in {@link SampleRequest},
     * {@link ParadigmProvider#samplingParameters} and {@link ParadigmProvider#validate}. Version 3 added
     * {@link ParamSpec#hashedAtDefault} and {@link ParamSchema.Builder#addedLater}: parameters added to a
     * released plugin that leave the trial hashes of existing specs unchanged (for dataset parameters too), and
     * later {@link DatasetProvider#validate}, a default method that a framework without it simply never calls.
     */
    public static final int OLDEST_SUPPORTED = 1;

    private GenlabApi() {}
}
