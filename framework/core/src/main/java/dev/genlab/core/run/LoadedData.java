package dev.genlab.core.run;

import dev.genlab.api.Dataset;

/**
 * A dataset loaded once per sweep and shared by its trials (read-only).
 *
 * @param dataset the native dataset
 * @param host its host copy
 * @param contentHash hex SHA-256 of its content
 * @param heldOut examples of the same distribution never trained on, or null if the dataset has none
 * @param heldOutHash hex SHA-256 of the held-out content, or null without held-out data
 * @param heldOutSize the number of held-out examples (0 without)
 */
record LoadedData(Dataset dataset, HostData host, String contentHash, Dataset heldOut, String heldOutHash,
        int heldOutSize) {

    static LoadedData of(Dataset dataset, Dataset heldOut) {
        HostData host = HostData.of(dataset);
        HostData held = heldOut == null ? null : HostData.of(heldOut);
        return new LoadedData(dataset, host, host.contentHash(), heldOut, held == null ? null : held.contentHash(),
                held == null ? 0 : held.size());
    }
}
