package dev.genlab.core.run;

import dev.genlab.api.Dataset;

/**
 * A dataset loaded once per sweep and shared by its trials (read-only).
 *
 * @param dataset the native dataset
 * @param host its host copy
 * @param contentHash hex SHA-256 of its content
 */
record LoadedData(Dataset dataset, HostData host, String contentHash) {

    static LoadedData of(Dataset dataset) {
        HostData host = HostData.of(dataset);
        return new LoadedData(dataset, host, host.contentHash());
    }
}
