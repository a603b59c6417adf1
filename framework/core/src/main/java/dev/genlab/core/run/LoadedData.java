package dev.genlab.core.run;

import dev.genlab.api.Dataset;

/**
 * A dataset loaded once per sweep and shared by its trials (read-only).
 *
 * @param dataset the native dataset
 * @param host its host copy
 * @param contentHash hex SHA-256 of its content
 * @param heldOut examples of the same distribution never trained on, or null if the dataset has none
 */
record LoadedData(Dataset dataset, HostData host, String contentHash, Dataset heldOut) {

    static LoadedData of(Dataset dataset, Dataset heldOut) {
        HostData host = HostData.of(dataset);
        return new LoadedData(dataset, host, host.contentHash(), heldOut);
    }
}
