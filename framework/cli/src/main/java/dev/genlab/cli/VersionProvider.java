package dev.genlab.cli;

import dev.genlab.api.GenlabApi;
import picocli.CommandLine.IVersionProvider;

/** Prints genlab's version and its plugin API version. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {"genlab " + (v == null ? "dev" : v) + " (plugin API v" + GenlabApi.VERSION + ")"};
    }
}
