package dev.genlab.api;

/** Constants of the plugin contract itself. */
public final class GenlabApi {

    /**
     * Version of this contract. A provider built against another version is rejected at load time with
     * an error naming its jar, instead of failing later with a {@code NoSuchMethodError}.
     */
    public static final int VERSION = 1;

    private GenlabApi() {}
}
